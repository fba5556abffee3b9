// Scalar functions callable in WHERE. IS_DEFINED is the documented twin-query function
// (iot-hub-devguide-query-language.md, "Functions"). The hub also accepts STARTSWITH/ENDSWITH in twin queries,
// while routing queries (and the docs' table) spell them STARTS_WITH/ENDS_WITH (MicrosoftDocs/azure-docs issues
// #85381, #110329): both spellings are accepted here so code written from either source works.

export interface ScalarFunction {
  /** Canonical (upper-case) name. */
  readonly name: string;
  readonly arity: number;
  apply(args: readonly unknown[]): unknown;
}

function stringTest(test: (value: string, affix: string) => boolean): ScalarFunction['apply'] {
  return ([value, affix]) => (typeof value === 'string' && typeof affix === 'string' ? test(value, affix) : undefined);
}

const IS_DEFINED: ScalarFunction = {
  name: 'IS_DEFINED',
  arity: 1,
  // "Returns a Boolean indicating if the property has been assigned a value (including null)."
  apply: ([value]) => value !== undefined,
};
const STARTSWITH: ScalarFunction = { name: 'STARTSWITH', arity: 2, apply: stringTest((v, a) => v.startsWith(a)) };
const ENDSWITH: ScalarFunction = { name: 'ENDSWITH', arity: 2, apply: stringTest((v, a) => v.endsWith(a)) };

const FUNCTIONS_BY_NAME: ReadonlyMap<string, ScalarFunction> = new Map([
  ['IS_DEFINED', IS_DEFINED],
  ['STARTSWITH', STARTSWITH],
  ['STARTS_WITH', STARTSWITH],
  ['ENDSWITH', ENDSWITH],
  ['ENDS_WITH', ENDSWITH],
]);

/** Function names are case-insensitive (`is_defined` in query-twins.md). */
export function lookupFunction(name: string): ScalarFunction | undefined {
  return FUNCTIONS_BY_NAME.get(name.toUpperCase());
}
