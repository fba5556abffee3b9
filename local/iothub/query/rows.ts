// Building result rows for projections and aggregates.

/**
 * Sets a key on a result row as an own data property. Plain assignment would treat an alias such as
 * [[__proto__]] as the prototype setter instead of a key.
 */
export function setField(row: Record<string, unknown>, key: string, value: unknown): void {
  if (value === undefined) return; // undefined values are left out of the row, as JSON would
  Object.defineProperty(row, key, { value, enumerable: true, writable: true, configurable: true });
}
