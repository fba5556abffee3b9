// A caller mistake found while reading a request, said in domain terms: what is wrong (`problem`), a stable
// `code`, a message stating the rule, and the element at fault. The HTTP layer maps the problem to a status
// (src/http/responses.ts); it never carries secrets or stack traces.

export type RequestProblem =
  /** A field, parameter or body breaks a rule. */
  | 'invalid'
  /** The thing named does not exist. */
  | 'notFound'
  /** A body or payload is over its size limit. */
  | 'tooLarge'
  /** The body is not in a format the app reads. */
  | 'unsupportedMediaType';

export class RequestError extends Error {
  constructor(
    readonly problem: RequestProblem,
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
  return new RequestError('invalid', 'InvalidRequest', message, target);
}
