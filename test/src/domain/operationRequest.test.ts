import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { DEFAULT_OPERATION_REQUEST, MAX_METHOD_PAYLOAD_BYTES, OPERATION_REQUEST_FIELDS, parseOperationRequest } from '../../../src/domain/operationRequest';
import { FIRMWARE_UPDATE } from '../../../src/domain/operations/firmwareUpdate';
import { RequestError, type RequestProblem } from '../../../src/domain/requestError';

test('defaults when the body is absent or empty', () => {
  assert.deepEqual(parseOperationRequest(undefined), {
    payload: null, responseTimeoutInSeconds: 30, connectTimeoutInSeconds: 0, pollIntervalSeconds: 5, timeoutSeconds: 600,
  });
  assert.deepEqual(parseOperationRequest({}), DEFAULT_OPERATION_REQUEST);
  assert.ok(Object.isFrozen(DEFAULT_OPERATION_REQUEST));
  for (const field of OPERATION_REQUEST_FIELDS) assert.equal(DEFAULT_OPERATION_REQUEST[field.name], field.defaultValue, field.name);
});

test('accepts every field at its limits and any JSON payload', async (t) => {
  const cases: [string, Record<string, unknown>, Partial<ReturnType<typeof parseOperationRequest>>][] = [
    ['lower limits', { responseTimeoutInSeconds: 5, connectTimeoutInSeconds: 0, pollIntervalSeconds: 1, timeoutSeconds: 10 },
      { responseTimeoutInSeconds: 5, connectTimeoutInSeconds: 0, pollIntervalSeconds: 1, timeoutSeconds: 10 }],
    ['upper limits', { responseTimeoutInSeconds: 300, connectTimeoutInSeconds: 300, pollIntervalSeconds: 300, timeoutSeconds: 86_400 },
      { responseTimeoutInSeconds: 300, connectTimeoutInSeconds: 300, pollIntervalSeconds: 300, timeoutSeconds: 86_400 }],
    ['array payload', { payload: [1, 'a', { b: null }] }, { payload: [1, 'a', { b: null }] }],
    ['null payload', { payload: null }, { payload: null }],
    ['string payload', { payload: 'text' }, { payload: 'text' }],
    ['poll interval equal to the timeout', { pollIntervalSeconds: 30, timeoutSeconds: 30 }, { pollIntervalSeconds: 30, timeoutSeconds: 30 }],
  ];
  for (const [name, body, expected] of cases) {
    await t.test(name, () => {
      const parsed = parseOperationRequest(body);
      for (const [key, value] of Object.entries(expected)) assert.deepEqual(parsed[key as keyof typeof parsed], value, key);
    });
  }
  await t.test('exactly 128 KB of JSON payload is allowed', () => {
    assert.doesNotThrow(() => parseOperationRequest({ payload: 'x'.repeat(MAX_METHOD_PAYLOAD_BYTES - 2) }));
  });
});

test('each bad field is named: type, integer, range, unknown field, payload size, poll vs timeout', async (t) => {
  const cases: [unknown, RequestProblem, string][] = [
    [[], 'invalid', 'body'],
    ['x', 'invalid', 'body'],
    [null, 'invalid', 'body'],
    [{ foo: 1 }, 'invalid', 'foo'],
    [{ methodName: 'factoryReset' }, 'invalid', 'methodName'],
    [{ operation: 'reboot' }, 'invalid', 'operation'],
    [{ timeoutInSeconds: 30 }, 'invalid', 'timeoutInSeconds'],
    [{ responseTimeoutInSeconds: 4 }, 'invalid', 'responseTimeoutInSeconds'],
    [{ responseTimeoutInSeconds: 301 }, 'invalid', 'responseTimeoutInSeconds'],
    [{ responseTimeoutInSeconds: '30' }, 'invalid', 'responseTimeoutInSeconds'],
    [{ connectTimeoutInSeconds: 1.5 }, 'invalid', 'connectTimeoutInSeconds'],
    [{ connectTimeoutInSeconds: -1 }, 'invalid', 'connectTimeoutInSeconds'],
    [{ pollIntervalSeconds: 0 }, 'invalid', 'pollIntervalSeconds'],
    [{ timeoutSeconds: 9 }, 'invalid', 'timeoutSeconds'],
    [{ timeoutSeconds: 86_401 }, 'invalid', 'timeoutSeconds'],
    [{ timeoutSeconds: null }, 'invalid', 'timeoutSeconds'],
    [{ timeoutSeconds: true }, 'invalid', 'timeoutSeconds'],
    [{ pollIntervalSeconds: 60, timeoutSeconds: 30 }, 'invalid', 'pollIntervalSeconds'],
    [{ payload: 'x'.repeat(MAX_METHOD_PAYLOAD_BYTES) }, 'tooLarge', 'payload'],
  ];
  for (const [body, status, target] of cases) {
    await t.test(`${JSON.stringify(body)?.slice(0, 60)} → ${status} ${target}`, () => {
      assert.throws(() => parseOperationRequest(body), (err: unknown) => err instanceof RequestError && err.problem === status && err.target === target);
    });
  }
});

test('a kind\'s payload rule runs on the payload (absent payload included) and its RequestError comes through', () => {
  const uri = 'https://firmware.example.com/images/v2.bin';
  assert.deepEqual(parseOperationRequest({ payload: { fwPackageUri: uri } }, FIRMWARE_UPDATE.payloadRule).payload, { fwPackageUri: uri });
  assert.throws(() => parseOperationRequest(undefined, FIRMWARE_UPDATE.payloadRule),
    (err: unknown) => err instanceof RequestError && err.problem === 'invalid' && err.target === 'payload.fwPackageUri');
  // The size limit is checked before the rule: a huge payload is 413, not the rule's 400.
  assert.throws(() => parseOperationRequest({ payload: { fwPackageUri: uri, pad: 'x'.repeat(MAX_METHOD_PAYLOAD_BYTES) } }, FIRMWARE_UPDATE.payloadRule),
    (err: unknown) => err instanceof RequestError && err.problem === 'tooLarge');
  // The rule sees the result: whatever it returns is what is sent.
  assert.equal(parseOperationRequest({ payload: 1 }, () => 'replaced').payload, 'replaced');
});

test('unknown field names from the caller are cleaned before they appear in a message', () => {
  assert.throws(() => parseOperationRequest({ ['bad\nname'.repeat(20)]: 1 }), (err: unknown) =>
    err instanceof RequestError && !err.message.includes('\n') && err.target.length <= 65);
});
