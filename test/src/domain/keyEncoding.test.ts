import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { boundedKey, decodeKey, encodeKey } from '../../../src/domain/keyEncoding';
import { belongsToDevice, isRebootInstanceId, operationSequence, rebootInstanceId } from '../../../src/domain/operationIds';

const SPECIAL = "-:.+%_#*?!(),=@;$'";

test('encodeKey is reversible, one-to-one, and leaves only URL- and table-key-safe characters', () => {
  const ids = ['plain-id.1', 'a#b', 'a_23b', 'a%23b', "o'hara", SPECIAL, 'x'.repeat(128)];
  const keys = ids.map(encodeKey);
  assert.equal(new Set(keys).size, ids.length);
  for (const [i, key] of keys.entries()) {
    assert.match(key, /^[A-Za-z0-9._-]+$/);
    assert.equal(decodeKey(key), ids[i]);
  }
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

test('instance ids: reboot-<key>-<sequence>, recognised and parsed back', () => {
  const id = rebootInstanceId("o'hara#1", 12);
  assert.equal(id, 'reboot-o_27hara_231-12');
  assert.equal(isRebootInstanceId(id), true);
  assert.equal(operationSequence(id), 12);
  assert.equal(belongsToDevice(id, "o'hara#1"), true);
  assert.equal(belongsToDevice(id, "o'hara"), false);
  assert.equal(belongsToDevice(rebootInstanceId('a-1', 2), 'a'), false, "device 'a' does not own a-1's operations");
  for (const bad of ['reboot-x', 'reboot--1', 'other-x-1', 'reboot-x-0', 'reboot-x-01', 'reboot-a b-1', 'reboot-x-1/..']) {
    assert.equal(isRebootInstanceId(bad), false, bad);
  }
  assert.ok(rebootInstanceId('#'.repeat(128), 999_999_999).length <= 256, 'within Durable instance id limits');
  assert.throws(() => rebootInstanceId('x', 0), RangeError);
});
