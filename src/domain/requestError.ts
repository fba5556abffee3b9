// A caller mistake found while reading a request. The HTTP layer turns it into
// `{ "error": { "code", "message", "target" } }` with `status`; it never carries secrets or stack traces.

export type RequestErrorStatus = 400 | 404 | 413 | 415;

export class RequestError extends Error {
  constructor(
    readonly status: RequestErrorStatus,
    readonly code: string,
    message: string,
    /** The request element at fault: a body field, a query parameter, a route parameter or a header. */
    readonly target: string,
  ) {
    super(message);
    this.name = 'RequestError';
  }
}

export function invalid(target: string, message: string): RequestError {
  return new RequestError(400, 'InvalidRequest', message, target);
}
