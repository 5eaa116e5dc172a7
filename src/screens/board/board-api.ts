/** The hall board's data (GET /api/v1/public/board, no login). */
import { API } from '../../sync/protocol';
import type { BoardResponse } from '../../sync/report-protocol';
import type { FetchLike } from '../../sync/transport';

export type { FetchLike };

/** Fetch the board; throws on a network failure, a non-2xx answer or an answer of another shape. */
export async function fetchBoard(fetchFn: FetchLike): Promise<BoardResponse> {
  const response = await fetchFn(`${API}/public/board`, {
    headers: { accept: 'application/json' },
    cache: 'no-store',
  });
  if (!response.ok) throw new Error(`http_${response.status}`);
  const data = (await response.json()) as BoardResponse;
  if (
    !data ||
    typeof data.today !== 'string' ||
    typeof data.month !== 'string' ||
    !Array.isArray(data.onDuty) ||
    !Array.isArray(data.departments)
  )
    throw new Error('bad_response');
  return data;
}
