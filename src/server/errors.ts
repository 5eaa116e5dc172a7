import type { ApiError } from '../sync/protocol';

/** A refusal the client is meant to understand: an HTTP status, a reason code and a sentence. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }

  body(): ApiError & Record<string, unknown> {
    return { error: this.code, message: this.message, ...this.extra };
  }
}

export const unauthorized = (message = 'A valid device token is required.') =>
  new HttpError(401, 'unauthorized', message);
export const badRequest = (code: string, message: string, extra: Record<string, unknown> = {}) =>
  new HttpError(400, code, message, extra);
export const notFound = (code: string, message: string) => new HttpError(404, code, message);
