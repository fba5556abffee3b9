import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { deviceIdProblem } from '../../../src/domain/deviceId';

test('IoT Hub device-id rule: letters, digits and - : . + % _ # * ? ! ( ) , = @ ; $ \' up to 128 characters', () => {
  for (const id of ['dev-1', "a-:.+%_#*?!(),=@;$'z", 'x'.repeat(128), 'A', '0']) {
    assert.equal(deviceIdProblem(id), undefined, id);
  }
  for (const id of ['', 'x'.repeat(129), 'a b', 'a/b', 'a\\b', 'é', 'a&b', 'a~b', 'a"b', 'a<b', 'tab\there', '[x]', 'a{b}']) {
    assert.ok(deviceIdProblem(id), JSON.stringify(id));
  }
  assert.ok(deviceIdProblem(42));
});

test('problems are described in words a caller can act on, naming the character', () => {
  assert.match(deviceIdProblem('a b')!, /U\+0020/);
  assert.match(deviceIdProblem('a&b')!, /'&'/);
  assert.match(deviceIdProblem('x'.repeat(200))!, /at most 128 .*got 200/);
  assert.match(deviceIdProblem('')!, /must not be empty/);
});
