import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { MAX_OPERATION_SEQUENCE, operationInstanceId, parseInstanceId } from '../../../src/domain/operationIds';
import { OPERATION_KINDS } from '../../../src/domain/operations/operationKind';

test('instance ids: <kind>-<device key>-<sequence>, for every kind, parsed back', async (t) => {
  for (const kind of OPERATION_KINDS) {
    await t.test(kind, () => {
      const id = operationInstanceId(kind, "o'hara#1", 12);
      assert.equal(id, `${kind}-o_27hara_231-12`);
      assert.deepEqual(parseInstanceId(id), { operation: kind, deviceKey: 'o_27hara_231', sequence: 12 });
    });
  }
});

test("the operations of device 'a-1' parse back as 'a-1', not as device 'a' (the key is bounded by the sequence)", () => {
  assert.deepEqual(parseInstanceId(operationInstanceId('reboot', 'a-1', 2)), { operation: 'reboot', deviceKey: 'a-1', sequence: 2 });
  assert.deepEqual(parseInstanceId(operationInstanceId('firmwareUpdate', 'a-1', 2)), { operation: 'firmwareUpdate', deviceKey: 'a-1', sequence: 2 });
});

test('strings that are not our instance ids are refused', async (t) => {
  const bad = ['reboot-x', 'reboot--1', 'other-x-1', 'reboot-x-0', 'reboot-x-01', 'reboot-a b-1', 'reboot-x-1/..', 'Reboot-x-1',
    'factoryreset-x-1', 'firmwareUpdate-x-1000000000', '', 'reboot-x-1\n', '../reboot-x-1'];
  for (const id of bad) {
    await t.test(JSON.stringify(id), () => {
      assert.equal(parseInstanceId(id), undefined);
    });
  }
});

test('sequence bounds and the Durable 256-character id limit', () => {
  assert.throws(() => operationInstanceId('reboot', 'x', 0), RangeError);
  assert.throws(() => operationInstanceId('reboot', 'x', 1.5), RangeError);
  assert.throws(() => operationInstanceId('reboot', 'x', MAX_OPERATION_SEQUENCE + 1), RangeError);
  for (const kind of OPERATION_KINDS) {
    const longest = operationInstanceId(kind, '#'.repeat(128), MAX_OPERATION_SEQUENCE);
    assert.ok(longest.length <= 256, `${longest.length} characters`);
    assert.equal(parseInstanceId(longest)?.sequence, MAX_OPERATION_SEQUENCE);
    assert.match(longest, /^[A-Za-z0-9._~-]+$/, 'URL-path- and table-key-safe');
  }
  assert.notEqual(operationInstanceId('reboot', '#'.repeat(128), 1), operationInstanceId('reboot', `${'#'.repeat(127)}?`, 1));
});
