// The one error type of the query engine. Its message goes verbatim into the 400 body the REST handler returns,
// so it names the problem (and, for text problems, the 0-based character offset in the query).

export class QueryError extends Error {
  /** 0-based character offset into the query text, when the problem has a place. */
  readonly position?: number;

  constructor(message: string, position?: number) {
    super(message);
    this.name = 'QueryError';
    if (position !== undefined) this.position = position;
  }
}

/** `Syntax error at position 23: expected FROM, found 'WHERE'`. */
export function syntaxError(position: number, detail: string): QueryError {
  return new QueryError(`Syntax error at position ${position}: ${detail}`, position);
}
