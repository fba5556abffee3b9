// Indexing that fails the test with a clear message, not a TypeError a few lines later, when the element is missing.
import assert from 'node:assert/strict';

/** `items[index]` (negative counts from the end, as Array.prototype.at does), asserting that it exists (is not undefined). */
export function elementAt<T>(items: ArrayLike<T>, index: number): Exclude<T, undefined> {
  const item = items[index < 0 ? items.length + index : index];
  assert.ok(item !== undefined, `expected an element at index ${index}, but there are ${items.length}`);
  return item as Exclude<T, undefined>;
}
