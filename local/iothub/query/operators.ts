// Value semantics of the operators.
//
// The docs state two rules: comparisons are supported only between primitive values (query-twins.md, "Twin
// query limitations"), and a document is returned only when the WHERE condition is Boolean true: "Any constant
// different than Boolean true is considered as false (including null, undefined, ...)"
// (iot-hub-devguide-query-language.md, "Expressions and conditions").
//
// Our choice, SQL-like three-valued logic with `undefined` as the unknown value:
// - A comparison involving undefined (a missing property), an object or an array, or two primitives of different
//   types (e.g. 1 = '1'), yields undefined, not false.
// - NOT undefined is undefined, so `NOT (p = 'x')` and `p != 'x'` both leave out devices where p is missing:
//   a missing property never matches a comparison, negated or not. Use IS_DEFINED to test for presence.
// - AND is false if any operand is false, true if all are true, else undefined; OR is true if any operand is
//   true, false if all are false, else undefined. Non-Boolean operands count as undefined.
// - IN / NIN test membership: undefined (or an object/array) on the left yields undefined, so NIN, like !=,
//   does not match devices that lack the property.

export type Primitive = string | number | boolean | null;

export function isPrimitive(value: unknown): value is Primitive {
  return value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

export function compare(operator: '=' | '!=' | '<' | '>' | '<=' | '>=', a: unknown, b: unknown): boolean | undefined {
  if (!isPrimitive(a) || !isPrimitive(b)) return undefined;
  if (a === null || b === null) {
    if (a !== b) return undefined;
    // null = null: equal, and neither less nor greater.
    return operator === '=' || operator === '<=' || operator === '>=';
  }
  if (typeof a !== typeof b) return undefined;
  // Strings compare by UTF-16 code units (ordinal), numbers numerically, false < true.
  switch (operator) {
    case '=':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '>':
      return a > b;
    case '<=':
      return a <= b;
    case '>=':
      return a >= b;
  }
}

/** Numbers only; a non-finite result (division by zero) is undefined since JSON has no Infinity/NaN. */
export function arithmetic(operator: '+' | '-' | '*' | '/' | '%', a: unknown, b: unknown): number | undefined {
  if (typeof a !== 'number' || typeof b !== 'number') return undefined;
  let result: number;
  switch (operator) {
    case '+':
      result = a + b;
      break;
    case '-':
      result = a - b;
      break;
    case '*':
      result = a * b;
      break;
    case '/':
      result = a / b;
      break;
    case '%':
      result = a % b;
      break;
  }
  return Number.isFinite(result) ? result : undefined;
}

export function not(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? !value : undefined;
}

/**
 * Membership of a primitive in a set of constants; undefined for a missing or structured operand.
 * A Set matches like `===` for primitives (same type and value), and arrays in the set never match.
 */
export function member(value: unknown, values: ReadonlySet<unknown>): boolean | undefined {
  if (!isPrimitive(value)) return undefined;
  return values.has(value);
}
