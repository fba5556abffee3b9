// The syntax tree the parser produces and the compiler consumes.

/** A property reference such as `properties.reported.iothubDM.reboot.status`, segments in canonical case. */
export interface PathExpression {
  kind: 'path';
  segments: readonly string[];
  position: number;
}

export type ComparisonOperator = '=' | '!=' | '<' | '>' | '<=' | '>=';
export type ArithmeticOperator = '+' | '-' | '*' | '/' | '%';

export type Expression =
  /** A constant: string, number, boolean, null, undefined, or an array constant. */
  | { kind: 'literal'; value: unknown; position: number }
  | PathExpression
  | { kind: 'not'; operand: Expression; position: number }
  | { kind: 'sign'; operator: '+' | '-'; operand: Expression; position: number }
  /** AND / OR chains are kept flat so long chains do not make deep trees. */
  | { kind: 'logical'; operator: 'AND' | 'OR'; operands: Expression[]; position: number }
  /** `<>` is parsed as `!=`. */
  | { kind: 'comparison'; operator: ComparisonOperator; left: Expression; right: Expression; position: number }
  | { kind: 'arithmetic'; operator: ArithmeticOperator; left: Expression; right: Expression; position: number }
  /** `x IN [..]` (negated: false) or `x NIN [..]` (negated: true) against constant values. */
  | { kind: 'membership'; negated: boolean; operand: Expression; values: readonly unknown[]; position: number }
  /** A scalar function call; `name` is the canonical name from the function table. */
  | { kind: 'call'; name: string; args: Expression[]; position: number };

export type AggregateFunction = 'COUNT' | 'SUM' | 'AVG' | 'MIN' | 'MAX';

export type Projection =
  | { kind: 'path'; path: PathExpression; alias?: string; position: number }
  | { kind: 'aggregate'; fn: AggregateFunction; argument?: PathExpression; alias?: string; position: number };

export type SelectClause = { kind: 'all' } | { kind: 'projections'; items: Projection[] };

export type QuerySource = 'devices' | 'devices.jobs';

export interface QueryAst {
  top?: number;
  select: SelectClause;
  /** `devices` (twins) or `devices.jobs` (per-device job records); the parser rejects `devices.modules`. */
  source: QuerySource;
  where?: Expression;
  groupBy?: PathExpression;
}
