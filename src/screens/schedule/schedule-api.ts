/**
 * The public duty schedule (坐班公示) as the server answers it: published, active shifts of one
 * week and who is signed in for duty right now. No login.
 */
import type { Id } from '../../domain/ids';
import { API } from '../../sync/protocol';
import type { FetchLike } from '../../sync/transport';

export type { FetchLike };

export interface PublicShift {
  shiftId: Id;
  start: string;
  end: string;
  leader: { id: Id; title: string; titleEn?: string };
  department: { id: Id; name: string; nameEn?: string };
  window: { id: Id; code: string; name: string } | null;
}

export interface PublicSchedule {
  hall: { name: string; nameEn?: string };
  date: string;
  week: { from: string; to: string };
  days: { date: string; shifts: PublicShift[] }[];
  onDutyNow: { leaderId: Id; departmentId: Id; windowId: Id | null; since: string }[];
  serverTime: string;
}

/** Fetch the schedule of the week holding `date` (the hall's today when absent). */
export async function fetchPublicSchedule(
  fetchFn: FetchLike,
  date?: string,
): Promise<PublicSchedule> {
  const query = date ? `?date=${encodeURIComponent(date)}` : '';
  const response = await fetchFn(`${API}/public/schedule${query}`, {
    headers: { accept: 'application/json' },
  });
  if (!response.ok) throw new Error(`http_${response.status}`);
  const data = (await response.json()) as PublicSchedule;
  if (!data || !Array.isArray(data.days) || typeof data.date !== 'string') {
    throw new Error('bad_response');
  }
  return data;
}
