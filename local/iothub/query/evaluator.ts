// Compiles expression trees into closures, so a query is analysed once and then run over many twins.
// The value semantics (three-valued logic, undefined for missing properties) live in operators.ts.
import type { Expression } from './ast';
import type { TwinDocument } from './document';
import { lookupFunction } from './functions';
import { arithmetic, compare, member, not } from './operators';
import { readPath } from './paths';

export type Evaluator = (document: TwinDocument) => unknown;

export function compileExpression(expression: Expression): Evaluator {
  switch (expression.kind) {
    case 'literal': {
      const value = expression.value;
      return () => value;
    }
    case 'path': {
      const segments = expression.segments;
      return (document) => readPath(document, segments);
    }
    case 'not': {
      const operand = compileExpression(expression.operand);
      return (document) => not(operand(document));
    }
    case 'sign': {
      const operand = compileExpression(expression.operand);
      const negate = expression.operator === '-';
      return (document) => {
        const value = operand(document);
        if (typeof value !== 'number') return undefined;
        return negate ? -value : value;
      };
    }
    case 'logical': {
      const operands = expression.operands.map(compileExpression);
      // AND stops at the first false, OR at the first true; anything non-Boolean makes the result unknown.
      const decisive = expression.operator === 'OR';
      return (document) => {
        let unknown = false;
        for (const operand of operands) {
          const value = operand(document);
          if (value === decisive) return decisive;
          if (value !== !decisive) unknown = true;
        }
        return unknown ? undefined : !decisive;
      };
    }
    case 'comparison': {
      const { operator } = expression;
      const left = compileExpression(expression.left);
      const right = compileExpression(expression.right);
      return (document) => compare(operator, left(document), right(document));
    }
    case 'arithmetic': {
      const { operator } = expression;
      const left = compileExpression(expression.left);
      const right = compileExpression(expression.right);
      return (document) => arithmetic(operator, left(document), right(document));
    }
    case 'membership': {
      const { negated } = expression;
      // A set makes long IN lists (e.g. many deviceIds) cheap per twin.
      const values = new Set(expression.values);
      const operand = compileExpression(expression.operand);
      return (document) => {
        const found = member(operand(document), values);
        return found === undefined ? undefined : found !== negated;
      };
    }
    case 'call': {
      const fn = lookupFunction(expression.name);
      // The parser only builds calls to known functions.
      if (fn === undefined) throw new Error(`unknown function ${expression.name}`);
      const args = expression.args.map(compileExpression);
      return (document) => fn.apply(args.map((arg) => arg(document)));
    }
  }
}

/** A WHERE condition keeps a twin only when it evaluates to Boolean true (iot-hub-devguide-query-language.md). */
export function compileCondition(expression: Expression): (document: TwinDocument) => boolean {
  const evaluate = compileExpression(expression);
  return (document) => evaluate(document) === true;
}
