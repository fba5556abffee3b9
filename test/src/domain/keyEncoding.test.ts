import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { boundedKey, encodeKey } from '../../../src/domain/keyEncoding';

const SPECIAL = "-:.+%_#*?!(),=@;$'";

test('encodeKey is one-to-one and leaves only URL- and table-key-safe characters', () => {
  const ids = ['plain-id.1', 'a#b', 'a_23b', 'a%23b', "o'hara", SPECIAL, 'x'.repeat(128)];
  const keys = ids.map(encodeKey);
  assert.equal(new Set(keys).size, ids.length);
  for (const key of keys) assert.match(key, /^[A-Za-z0-9._-]+$/);
  assert.equal(encodeKey('a#b_c'), 'a_23b_5Fc');
});

test('boundedKey keeps short keys as they are and bounds long ones with a digest', () => {
  assert.equal(boundedKey('dev-1'), 'dev-1');
  const longA = '#'.repeat(128);
  const longB = `${'#'.repeat(127)}?`;
  assert.ok(boundedKey(longA).length <= 160);
  assert.notEqual(boundedKey(longA), boundedKey(longB));
  assert.match(boundedKey(longA), /~[0-9a-f]{20}$/);
});
