import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { classifyHubFailure, classifyMethodFailure, describeHubFailure, hubErrorCodeFromName, type HubFailure, type HubFailureKind, type MethodFailureKind } from '../../../src/domain/hubErrors';

const f = (httpStatus: number | undefined, errorCode?: number, networkCode?: string): HubFailure => ({ httpStatus, errorCode, networkCode, message: '' });

/** One failure, classified for reads (queries, twin reads) and for direct methods. */
const CASES: [string, HubFailure, HubFailureKind, MethodFailureKind][] = [
  ['404001 device not found', f(404, 404001), 'deviceNotFound', 'deviceNotFound'],
  ['404103 device not online', f(404, 404103), 'permanent', 'deviceOffline'],
  ['504101 gateway timeout (the hub gave up waiting for the device)', f(504, 504101), 'transient', 'maybeDelivered'],
  ['a bare 504', f(504), 'transient', 'maybeDelivered'],
  ...[429001, 429002, 429003, 429004, 429005].map((code): [string, HubFailure, HubFailureKind, MethodFailureKind] =>
    [`${code} throttling`, f(429, code), 'transient', 'notDelivered']),
  ['429 without a code', f(429), 'transient', 'notDelivered'],
  ['a throttling code on another status', f(503, 429001), 'transient', 'notDelivered'],
  ['500001 server error', f(500, 500001), 'transient', 'notDelivered'],
  ['503001 service unavailable', f(503, 503001), 'transient', 'notDelivered'],
  ['a bare 502', f(502), 'transient', 'notDelivered'],
  ['ECONNREFUSED (never connected)', f(undefined, undefined, 'ECONNREFUSED'), 'transient', 'notDelivered'],
  ['ENOTFOUND', f(undefined, undefined, 'ENOTFOUND'), 'transient', 'notDelivered'],
  ['EAI_AGAIN', f(undefined, undefined, 'EAI_AGAIN'), 'transient', 'notDelivered'],
  ['EHOSTUNREACH', f(undefined, undefined, 'EHOSTUNREACH'), 'transient', 'notDelivered'],
  ['ENETUNREACH', f(undefined, undefined, 'ENETUNREACH'), 'transient', 'notDelivered'],
  ['ECONNRESET (the request may have gone out)', f(undefined, undefined, 'ECONNRESET'), 'transient', 'maybeDelivered'],
  ['ETIMEDOUT', f(undefined, undefined, 'ETIMEDOUT'), 'transient', 'maybeDelivered'],
  ['EPIPE', f(undefined, undefined, 'EPIPE'), 'transient', 'maybeDelivered'],
  ['no answer and no code at all', f(undefined), 'transient', 'maybeDelivered'],
  ['SELF_SIGNED_CERT_IN_CHAIN (missing CA: retrying will not heal it)', f(undefined, undefined, 'SELF_SIGNED_CERT_IN_CHAIN'), 'permanent', 'permanent'],
  ['ERR_TLS_CERT_ALTNAME_INVALID', f(undefined, undefined, 'ERR_TLS_CERT_ALTNAME_INVALID'), 'permanent', 'permanent'],
  ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', f(undefined, undefined, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'), 'permanent', 'permanent'],
  ['401002 unauthorized', f(401, 401002), 'permanent', 'permanent'],
  ['403002 quota exceeded', f(403, 403002), 'permanent', 'permanent'],
  ['400004 argument invalid', f(400, 400004), 'permanent', 'permanent'],
  ['a 404 without a code (wrong hub, wrong path)', f(404), 'permanent', 'permanent'],
  ['413001 message too large', f(413, 413001), 'permanent', 'permanent'],
];

test('classifyHubFailure (reads and queries) and classifyMethodFailure (direct methods), table-driven', async (t) => {
  for (const [name, failure, read, method] of CASES) {
    await t.test(name, () => {
      assert.equal(classifyHubFailure(failure), read, 'read');
      assert.equal(classifyMethodFailure(failure), method, 'method');
    });
  }
});

test('error names from iothub-errorcode headers and ErrorCode: messages map to their numbers', async (t) => {
  const names: [string, number | undefined][] = [
    ['DeviceNotFound', 404001], ['DeviceNotOnline', 404103], ['GatewayTimeout', 504101], ['ThrottlingException', 429001],
    ['ThrottleBacklogLimitExceeded', 429002], ['DeviceThrottlingLimitExceeded', 429005], ['ServerError', 500001], ['ServiceUnavailable', 503001],
    ['IotHubUnauthorizedAccess', 401002], ['PreconditionFailed', 412001], ['NoSuchName', undefined], ['toString', undefined], ['__proto__', undefined],
  ];
  for (const [name, code] of names) await t.test(name, () => assert.equal(hubErrorCodeFromName(name), code));
  assert.equal(hubErrorCodeFromName(undefined), undefined);
});

test('descriptions carry status, code and network code only', () => {
  assert.equal(describeHubFailure({ httpStatus: 429, errorCode: 429001, message: 'IoT Hub answered HTTP 429' }), 'IoT Hub answered HTTP 429 (HTTP 429, error 429001)');
  assert.equal(describeHubFailure({ networkCode: 'ECONNRESET', message: 'no answer from IoT Hub' }), 'no answer from IoT Hub (ECONNRESET)');
  assert.equal(describeHubFailure({ message: 'no answer from IoT Hub' }), 'no answer from IoT Hub');
});
