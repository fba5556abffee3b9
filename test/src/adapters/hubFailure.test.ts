// Reading the hub's error code from errors produced by azure-iothub's own translateError, for each body shape
// the real service uses (../shared/research/iothub-emulator.md §5).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { hubTimeFromHeaders, toHubFailure } from '../../../src/adapters/iothub';
import { classifyHubFailure, classifyMethodFailure } from '../../../src/domain/hubErrors';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { RestApiClient } = require('azure-iothub/dist/common-http/rest_api_client') as {
  RestApiClient: { translateError(body: string, response: { statusCode: number; headers: Record<string, string> }): Error };
};
const sdkError = (status: number, body: string, headers: Record<string, string> = {}): Error =>
  RestApiClient.translateError(body, { statusCode: status, headers });

test('404103 in envelope 2: the SDK says only "Not found"; the code comes from the body', () => {
  const err = sdkError(404, JSON.stringify({ errorCode: 404103, trackingId: 't', message: 'Timed out waiting for device to connect.', timestampUtc: 'x' }));
  assert.equal(err.message, 'Not found');
  assert.deepEqual(toHubFailure(err), { httpStatus: 404, errorCode: 404103, message: 'IoT Hub answered HTTP 404' });
  assert.equal(classifyMethodFailure(toHubFailure(err)), 'deviceOffline');
  assert.equal(classifyHubFailure(toHubFailure(err)), 'permanent', 'for a read, 404103 is no device outcome');
});

test('404103 nested as a JSON string inside envelope 1 (the real service)', () => {
  const inner = JSON.stringify({ errorCode: 404103, trackingId: 't', message: 'device is not online', timestampUtc: 'x' });
  const err = sdkError(404, JSON.stringify({ Message: inner, ExceptionMessage: '' }));
  assert.equal(toHubFailure(err).errorCode, 404103);
});

test('envelope 1 names: DeviceNotFound, ThrottlingException', () => {
  const notFound = sdkError(404, JSON.stringify({ Message: 'ErrorCode:DeviceNotFound;Device x not registered', ExceptionMessage: 'Tracking ID:1' }));
  assert.equal(notFound.constructor.name, 'DeviceNotFoundError');
  assert.equal(toHubFailure(notFound).errorCode, 404001);
  const throttled = sdkError(429, JSON.stringify({ Message: 'ErrorCode:ThrottlingException;slow down', ExceptionMessage: '' }));
  assert.equal(toHubFailure(throttled).errorCode, 429001);
});

test('the iothub-errorcode header alone (name or number) is enough', () => {
  assert.equal(toHubFailure(sdkError(404, '', { 'iothub-errorcode': 'DeviceNotOnline' })).errorCode, 404103);
  assert.equal(toHubFailure(sdkError(504, 'gateway', { 'iothub-errorcode': '504101' })).errorCode, 504101);
  assert.equal(toHubFailure(sdkError(500, 'oops')).errorCode, undefined);
  assert.equal(toHubFailure(sdkError(404, '', { 'iothub-errorcode': 'constructor' })).errorCode, undefined, 'not an Object.prototype member');
});

test('504101: GatewayTimeoutError from the SDK, code from the body', () => {
  const err = sdkError(504, JSON.stringify({ errorCode: 504101, message: 'Timed out waiting for the response from device.' }));
  assert.equal(err.constructor.name, 'GatewayTimeoutError');
  assert.equal(classifyMethodFailure(toHubFailure(err)), 'maybeDelivered');
  assert.equal(classifyHubFailure(toHubFailure(err)), 'transient');
});

test('network errors carry the Node error code, no HTTP status', () => {
  const err = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
  assert.deepEqual(toHubFailure(err), { networkCode: 'ECONNREFUSED', message: 'no answer from IoT Hub' });
  assert.deepEqual(toHubFailure('weird'), { networkCode: undefined, message: 'no answer from IoT Hub' });
});

test('hub time from the Date header', () => {
  assert.equal(hubTimeFromHeaders({ date: 'Tue, 04 Mar 2025 10:00:05 GMT' }), '2025-03-04T10:00:05.000Z');
  assert.equal(hubTimeFromHeaders({}), null);
  assert.equal(hubTimeFromHeaders({ date: 'yesterday' }), null);
});
