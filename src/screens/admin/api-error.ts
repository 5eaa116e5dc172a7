/** A failed answer of the administrator API, as the console handles it: a reason code and issues. */

/** One thing the server found wrong with what was sent (a 400's `issues`). */
export interface AdminIssue {
  path: string;
  code: string;
  message: string;
}

export class AdminApiError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message?: string,
    readonly issues: readonly AdminIssue[] = [],
  ) {
    super(message ?? code);
  }
}

function issuesOf(value: unknown): AdminIssue[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item: unknown) => {
    const i = (item ?? {}) as Partial<Record<keyof AdminIssue, unknown>>;
    return typeof i.code === 'string'
      ? [
          {
            path: typeof i.path === 'string' ? i.path : '',
            code: i.code,
            message: typeof i.message === 'string' ? i.message : '',
          },
        ]
      : [];
  });
}

/** The AdminApiError a failed answer means, from its status and body. */
export function failedAnswer(response: Response, data: unknown): AdminApiError {
  const failure = (data ?? {}) as { error?: unknown; message?: unknown; issues?: unknown };
  const code =
    typeof failure.error === 'string'
      ? failure.error
      : response.status === 401
        ? 'unauthorized'
        : response.status === 429
          ? 'rate_limited'
          : `http_${response.status}`;
  const message = typeof failure.message === 'string' ? failure.message : response.statusText;
  return new AdminApiError(code, response.status, message, issuesOf(failure.issues));
}

export function parseJson(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
