// `FROM devices.jobs`: the per-device job records (query-jobs docs). Conditions name their fields either through the
// collection (`devices.jobs.jobId = 'j1'`, the documented form) or directly (`jobId = 'j1'`). "Queries on
// devices.jobs do not support projections (only SELECT * is possible), conditions that refer to the device twin in
// addition to job properties, or aggregations" (same page), so only SELECT * [TOP n] [WHERE …] is accepted.
import type { Expression, QueryAst } from './ast';
import { QueryError } from './errors';

export function checkDeviceJobsQuery(ast: QueryAst): void {
  if (ast.select.kind !== 'all') throw new QueryError('Queries on devices.jobs support only SELECT * (no projections or aggregates)');
  if (ast.groupBy) throw new QueryError('Queries on devices.jobs do not support GROUP BY', ast.groupBy.position);
}

/** The condition with `devices.jobs.` stripped from its paths, so they address the job record itself. */
export function rebaseOnDeviceJob(expression: Expression): Expression {
  switch (expression.kind) {
    case 'path': {
      const [first, second] = expression.segments;
      const prefixed = expression.segments.length > 2 && first?.toLowerCase() === 'devices' && second?.toLowerCase() === 'jobs';
      return prefixed ? { ...expression, segments: expression.segments.slice(2) } : expression;
    }
    case 'not':
    case 'sign':
      return { ...expression, operand: rebaseOnDeviceJob(expression.operand) };
    case 'logical':
      return { ...expression, operands: expression.operands.map(rebaseOnDeviceJob) };
    case 'comparison':
    case 'arithmetic':
      return { ...expression, left: rebaseOnDeviceJob(expression.left), right: rebaseOnDeviceJob(expression.right) };
    case 'membership':
      return { ...expression, operand: rebaseOnDeviceJob(expression.operand) };
    case 'call':
      return { ...expression, args: expression.args.map(rebaseOnDeviceJob) };
    case 'literal':
      return expression;
  }
}
