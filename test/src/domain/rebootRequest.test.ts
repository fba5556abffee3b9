import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { DEFAULT_REBOOT_REQUEST, parseRebootRequest } from '../../../src/domain/rebootRequest';
import { RequestError } from '../../../src/domain/requestError';

test('defaults when the body is absent or empty', () => {
  assert.deepEqual(parseRebootRequest(undefined), {
    payload: null, responseTimeoutInSeconds: 30, connectTimeoutInSeconds: 0, pollIntervalSeconds: 5, timeoutSeconds: 600,
  });
  assert.deepEqual(parseRebootRequest({}), DEFAULT_REBOOT_REQUEST);
});

test('accepts every field at its limits and any JSON payload', () => {
  const low = parseRebootRequest({ responseTimeoutInSeconds: 5, connectTimeoutInSeconds: 0, pollIntervalSeconds: 1, timeoutSeconds: 10, payload: [1, 'a', { b: null }] });
  assert.deepEqual(low, { responseTimeoutInSeconds: 5, connectTimeoutInSeconds: 0, pollIntervalSeconds: 1, timeoutSeconds: 10, payload: [1, 'a', { b: null }] });
  const high = parseRebootRequest({ responseTimeoutInSeconds: 300, connectTimeoutInSeconds: 300, pollIntervalSeconds: 300, timeoutSeconds: 86_400 });
  assert.equal(high.timeoutSeconds, 86_400);
  assert.equal(parseRebootRequest({ payload: null }).payload, null);
  assert.equal(parseRebootRequest({ payload: 'text' }).payload, 'text');
});

const rejects = (body: unknown, status: number, target: string): void => {
  assert.throws(() => parseRebootRequest(body), (err: unknown) => err instanceof RequestError && err.status === status && err.target === target,
    `${JSON.stringify(body)?.slice(0, 80)} → ${status} ${target}`);
};

test('each bad field is named: type, integer, range, unknown field, payload size, poll vs timeout', () => {
  rejects([], 400, 'body');
  rejects('x', 400, 'body');
  rejects(null, 400, 'body');
  rejects({ foo: 1 }, 400, 'foo');
  rejects({ timeoutInSeconds: 30 }, 400, 'timeoutInSeconds');
  rejects({ responseTimeoutInSeconds: 4 }, 400, 'responseTimeoutInSeconds');
  rejects({ responseTimeoutInSeconds: '30' }, 400, 'responseTimeoutInSeconds');
  rejects({ connectTimeoutInSeconds: 1.5 }, 400, 'connectTimeoutInSeconds');
  rejects({ pollIntervalSeconds: 0 }, 400, 'pollIntervalSeconds');
  rejects({ timeoutSeconds: 86_401 }, 400, 'timeoutSeconds');
  rejects({ timeoutSeconds: null }, 400, 'timeoutSeconds');
  rejects({ pollIntervalSeconds: 60, timeoutSeconds: 30 }, 400, 'pollIntervalSeconds');
  rejects({ payload: 'x'.repeat(128 * 1024) }, 413, 'payload');
  assert.doesNotThrow(() => parseRebootRequest({ payload: 'x'.repeat(128 * 1024 - 2) }), 'exactly 128 KB of JSON is allowed');
});

test('unknown field names from the caller are cleaned before they appear in a message', () => {
  assert.throws(() => parseRebootRequest({ ['bad\nname'.repeat(20)]: 1 }), (err: unknown) =>
    err instanceof RequestError && !err.message.includes('\n') && err.target.length <= 65);
});
