/**
 * The console's calls for the rectification pipeline and walks: problems and their steps, walks
 * and their printable reports, the walk checklist, the holiday calendar and the due days, and the
 * upload of evidence photos. Reference data is written as ref.* events through POST /admin/ref.
 */
import type { HolidayYear } from '../../domain/calendar';
import type { ChecklistItemSaved, SettingsSaved } from '../../domain/events';
import type { Id } from '../../domain/ids';
import type {
  CallbackNumberRevealResponse,
  CalendarResponse,
  ChecklistResponse,
  MissingPhotosResponse,
  ProblemDetailResponse,
  ProblemListQuery,
  ProblemListResponse,
  ProblemStepRequest,
  WalkListResponse,
  WalkReportResponse,
} from '../../sync/pipeline-protocol';
import { API } from '../../sync/protocol';
import type { AdminCall, FetchLike } from './admin-api';
import { AdminApiError, failedAnswer, parseJson } from './api-error';

const at = (id: Id) => encodeURIComponent(id);

/** The query string of a problem list request; empty filters are left out. */
export function problemQuery(q: ProblemListQuery): string {
  const params = new URLSearchParams();
  if (q.department) params.set('department', q.department);
  if (q.source) params.set('source', q.source);
  if (q.status) params.set('status', q.status);
  if (q.overdue) params.set('overdue', '1');
  if (q.month) params.set('month', q.month);
  if (q.walk) params.set('walk', q.walk);
  const text = params.toString();
  return text ? `?${text}` : '';
}

export function createPipelineApi(
  call: AdminCall,
  fetchFn: FetchLike = (input, init) => fetch(input, init),
) {
  const writeRef = <T>(type: string, payload: T) =>
    call<unknown>('POST', '/ref', { type, payload });
  return {
    problems: (query: ProblemListQuery) =>
      call<ProblemListResponse>('GET', `/problems${problemQuery(query)}`),
    problem: (id: Id) => call<ProblemDetailResponse>('GET', `/problems/${at(id)}`),
    step: (id: Id, step: ProblemStepRequest) =>
      call<ProblemDetailResponse>('POST', `/problems/${at(id)}/steps`, step),
    /** A 差评's call-back number in clear text; the server logs who asked. */
    revealCallbackNumber: (id: Id) =>
      call<CallbackNumberRevealResponse>('POST', `/problems/${at(id)}/callback-number/reveal`),
    /** Photos stored events name whose bytes have not reached the server yet. */
    missingPhotos: () => call<MissingPhotosResponse>('GET', '/photos/missing'),
    walks: (month: string) =>
      call<WalkListResponse>('GET', `/walks?month=${encodeURIComponent(month)}`),
    walk: (id: Id) => call<WalkReportResponse>('GET', `/walks/${at(id)}`),
    /** 公开暗访结果: the hall's devices learn who made the unannounced inspection. */
    publishWalk: (id: Id) => call<WalkReportResponse>('POST', `/walks/${at(id)}/publish`),
    checklist: () => call<ChecklistResponse>('GET', '/checklist'),
    saveChecklistItem: (item: ChecklistItemSaved) => writeRef('ref.checklistItemSaved', item),
    orderChecklist: (ids: Id[]) => call<ChecklistResponse>('POST', '/checklist/order', { ids }),
    calendar: () => call<CalendarResponse>('GET', '/calendar'),
    saveHolidays: (year: HolidayYear) => writeRef('ref.holidaysSaved', year),
    saveSettings: (settings: SettingsSaved) => writeRef('ref.settingsSaved', settings),
    /** Store a photo's bytes under their SHA-256 (idempotent: the same bytes twice are fine). */
    async uploadBlob(sha256: string, bytes: ArrayBuffer, type: string): Promise<void> {
      let response: Response;
      try {
        response = await fetchFn(`${API}/admin/blobs/${sha256}`, {
          method: 'PUT',
          credentials: 'same-origin',
          headers: { 'content-type': type },
          body: bytes,
        });
      } catch {
        throw new AdminApiError('offline', 0);
      }
      if (!response.ok)
        throw failedAnswer(response, parseJson(await response.text().catch(() => '')));
    },
  };
}

export type PipelineApi = ReturnType<typeof createPipelineApi>;
