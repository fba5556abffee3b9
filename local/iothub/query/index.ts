// The IoT Hub twin query engine: a pure library (no I/O) behind the emulator's POST /devices/query handler.
//
//   const query = compileQuery(body.query);            // QueryError → 400
//   const page = paginate(query.run(twinsSortedById), maxItemCount, continuation);
//   // x-ms-item-type: query.itemType; x-ms-continuation: page.continuationToken (omit the header when absent)
export { QueryError } from './errors';
export type { TwinDocument } from './document';
export { compileQuery, type CompiledQuery, type QueryItemType } from './compiler';
export { paginate, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type Page } from './paging';
export { parseQuery, MAX_QUERY_LENGTH } from './parser';
export type { QueryAst, Expression, PathExpression, Projection, SelectClause, AggregateFunction } from './ast';
