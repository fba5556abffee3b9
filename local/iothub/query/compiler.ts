// From query text to a runnable query: parse, check the SELECT list against GROUP BY, and assemble the steps
// (filter, then group, then project, then TOP) as iot-hub-devguide-query-language.md describes them:
// "the filter in the WHERE clause is applied. With aggregations, the results of this step are grouped as
// specified in the GROUP BY clause and, for each group, a row is generated as specified in the SELECT clause."
import { type Accumulator, createAccumulator } from './aggregates';
import type { AggregateFunction, Projection, QueryAst, QuerySource } from './ast';
import { checkDeviceJobsQuery, rebaseOnDeviceJob } from './deviceJobs';
import type { TwinDocument } from './document';
import { QueryError } from './errors';
import { compileCondition, compileExpression, type Evaluator } from './evaluator';
import { groupKey } from './grouping';
import { parseQuery } from './parser';
import { pathText, samePath } from './paths';
import { setField } from './rows';

/**
 * `twin` for SELECT * over devices (rows are whole twins), `deviceJob` for devices.jobs, `raw` for projections and
 * aggregates (the x-ms-item-type header).
 */
export type QueryItemType = 'twin' | 'deviceJob' | 'raw';

export interface CompiledQuery {
  readonly itemType: QueryItemType;
  /** The collection the caller must pass to run(): twins, or device job records. */
  readonly source: QuerySource;
  /**
   * Runs the query over twins in the order given (the caller passes them sorted by deviceId, which makes
   * results and paging deterministic). SELECT * rows are the input objects themselves, not copies.
   */
  run(documents: Iterable<TwinDocument>): unknown[];
}

/** Throws QueryError for any query it cannot run. */
export function compileQuery(sql: string): CompiledQuery {
  const parsed = parseQuery(sql);
  if (parsed.source === 'devices.jobs') {
    checkDeviceJobsQuery(parsed);
    const keepJob = parsed.where ? compileCondition(rebaseOnDeviceJob(parsed.where)) : () => true;
    const jobLimit = parsed.top ?? Number.POSITIVE_INFINITY;
    return { itemType: 'deviceJob', source: 'devices.jobs', run: (documents) => filter(documents, keepJob, jobLimit) };
  }
  return { ...compileTwinQuery(parsed), source: 'devices' };
}

function compileTwinQuery(ast: QueryAst): Omit<CompiledQuery, 'source'> {
  const keep = ast.where ? compileCondition(ast.where) : () => true;
  const limit = ast.top ?? Number.POSITIVE_INFINITY;

  if (ast.select.kind === 'all') {
    if (ast.groupBy) {
      throw new QueryError(
        `GROUP BY cannot be used with SELECT * (position ${ast.groupBy.position}): select the grouped path and aggregates instead`,
        ast.groupBy.position,
      );
    }
    return { itemType: 'twin', run: (documents) => filter(documents, keep, limit) };
  }

  const columns = planColumns(ast.select.items);
  const aggregated = ast.groupBy !== undefined || columns.some((c) => c.kind === 'aggregate');
  if (!aggregated) {
    const values = columns as ValueColumn[];
    return {
      itemType: 'raw',
      run: (documents) =>
        filter(documents, keep, limit).map((document) => {
          const row: Record<string, unknown> = {};
          for (const column of values) setField(row, column.name, column.value(document));
          return row;
        }),
    };
  }
  checkGrouping(ast, columns);
  const groupBy = ast.groupBy ? compileExpression(ast.groupBy) : undefined;
  return {
    itemType: 'raw',
    run: (documents) => aggregate(documents, keep, groupBy, columns).slice(0, limit),
  };
}

type ValueColumn = { kind: 'path'; name: string; value: Evaluator; projection: Projection & { kind: 'path' } };
type AggregateColumn = { kind: 'aggregate'; name: string; fn: AggregateFunction; argument?: Evaluator };
type Column = ValueColumn | AggregateColumn;

/**
 * Output keys: the alias, else the last path segment (`properties.reported.x.status` → `status`), else `$1`,
 * `$2`, … for unaliased aggregates in order (the naming IoT Hub's SQL dialect gives unnamed expressions).
 */
function planColumns(projections: readonly Projection[]): Column[] {
  const names = new Map<string, number>();
  let unnamed = 0;
  return projections.map((projection) => {
    // A path is named after its last segment; other expressions (and, were there one, an empty path) are numbered.
    const last = projection.kind === 'path' ? projection.path.segments.at(-1) : undefined;
    const name = projection.alias ?? last ?? `$${(unnamed += 1)}`;
    const earlier = names.get(name);
    if (earlier !== undefined) {
      throw new QueryError(
        `Duplicate projection name '${name}' at position ${projection.position} (also used at position ${earlier}): rename one with AS`,
        projection.position,
      );
    }
    names.set(name, projection.position);
    if (projection.kind === 'path') return { kind: 'path', name, value: compileExpression(projection.path), projection };
    const column: AggregateColumn = { kind: 'aggregate', name, fn: projection.fn };
    if (projection.argument) column.argument = compileExpression(projection.argument);
    return column;
  });
}

/** In an aggregate query every non-aggregate projection must be the GROUP BY path. */
function checkGrouping(ast: QueryAst, columns: readonly Column[]): void {
  for (const column of columns) {
    if (column.kind !== 'path') continue;
    const { path, position } = column.projection;
    if (!ast.groupBy) {
      throw new QueryError(
        `Projection '${pathText(path.segments)}' at position ${position} must be an aggregate or the GROUP BY path; the query has aggregates but no GROUP BY`,
        position,
      );
    }
    if (!samePath(path.segments, ast.groupBy.segments)) {
      throw new QueryError(
        `Projection '${pathText(path.segments)}' at position ${position} is not the GROUP BY path '${pathText(ast.groupBy.segments)}'`,
        position,
      );
    }
  }
}

function filter(documents: Iterable<TwinDocument>, keep: (document: TwinDocument) => boolean, limit: number): TwinDocument[] {
  const result: TwinDocument[] = [];
  if (limit <= 0) return result;
  for (const document of documents) {
    if (!keep(document)) continue;
    result.push(document);
    if (result.length >= limit) break;
  }
  return result;
}

/** A row's column in a group: the grouped path's value, or an aggregate being accumulated. */
type Cell = { column: ValueColumn } | { column: AggregateColumn; accumulator: Accumulator };

interface Group {
  value: unknown;
  cells: Cell[];
}

/**
 * One row per group in order of first appearance; without GROUP BY, exactly one row even when nothing matched
 * (`SELECT COUNT() FROM devices WHERE false` → [{ $1: 0 }]).
 */
function aggregate(
  documents: Iterable<TwinDocument>,
  keep: (document: TwinDocument) => boolean,
  groupBy: Evaluator | undefined,
  columns: readonly Column[],
): Record<string, unknown>[] {
  const groups = new Map<string, Group>();
  const newGroup = (value: unknown): Group => ({
    value,
    cells: columns.map((column) => (column.kind === 'aggregate' ? { column, accumulator: createAccumulator(column.fn) } : { column })),
  });
  if (!groupBy) groups.set('', newGroup(undefined));
  for (const document of documents) {
    if (!keep(document)) continue;
    const value = groupBy ? groupBy(document) : undefined;
    const key = groupBy ? groupKey(value) : '';
    let group = groups.get(key);
    if (!group) {
      group = newGroup(value);
      groups.set(key, group);
    }
    for (const cell of group.cells) {
      if ('accumulator' in cell) cell.accumulator.add(cell.column.argument ? cell.column.argument(document) : undefined);
    }
  }
  return [...groups.values()].map((group) => {
    const row: Record<string, unknown> = {};
    for (const cell of group.cells) {
      // A path column here is the grouped path (checkGrouping), so its value is the group's value.
      setField(row, cell.column.name, 'accumulator' in cell ? cell.accumulator.result() : group.value);
    }
    return row;
  });
}
