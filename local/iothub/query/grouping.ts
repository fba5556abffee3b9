// Group identity for GROUP BY: two twins share a group when the grouped path has the same JSON value
// (same type and value for primitives, same structure for objects and arrays, key order ignored).
// Twins where the path is undefined form one group of their own.

export function groupKey(value: unknown): string {
  return value === undefined ? 'u' : `v${canonicalJson(value)}`;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
