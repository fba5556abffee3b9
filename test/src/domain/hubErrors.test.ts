import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { classifyHubFailure, describeHubFailure } from '../../../src/domain/hubErrors';

test('classification by the hub error code first, then by HTTP status', () => {
  assert.equal(classifyHubFailure({ httpStatus: 404, errorCode: 404001, message: '' }), 'deviceNotFound');
  assert.equal(classifyHubFailure({ httpStatus: 404, errorCode: 404103, message: '' }), 'deviceOffline');
  assert.equal(classifyHubFailure({ httpStatus: 504, errorCode: 504101, message: '' }), 'outcomeUnknown');
  for (const code of [429001, 429002, 429003, 429004, 429005]) {
    assert.equal(classifyHubFailure({ httpStatus: 429, errorCode: code, message: '' }), 'transient');
  }
  assert.equal(classifyHubFailure({ httpStatus: 429, message: '' }), 'transient');
  assert.equal(classifyHubFailure({ httpStatus: 500, errorCode: 500001, message: '' }), 'transient');
  assert.equal(classifyHubFailure({ httpStatus: 503, message: '' }), 'transient');
  assert.equal(classifyHubFailure({ httpStatus: 504, message: '' }), 'transient', 'a bare 504 is not the method gateway');
  assert.equal(classifyHubFailure({ networkCode: 'ECONNREFUSED', message: '' }), 'transient');
  assert.equal(classifyHubFailure({ networkCode: 'ECONNRESET', message: '' }), 'transient');
  assert.equal(classifyHubFailure({ networkCode: 'SELF_SIGNED_CERT_IN_CHAIN', message: '' }), 'permanent', 'a missing CA does not heal by retrying');
  assert.equal(classifyHubFailure({ networkCode: 'ERR_TLS_CERT_ALTNAME_INVALID', message: '' }), 'permanent');
  assert.equal(classifyHubFailure({ httpStatus: 401, errorCode: 401002, message: '' }), 'permanent');
  assert.equal(classifyHubFailure({ httpStatus: 400, errorCode: 400004, message: '' }), 'permanent');
  assert.equal(classifyHubFailure({ httpStatus: 404, message: '' }), 'permanent', 'a 404 without a code (e.g. wrong hub) is not a device outcome');
});

test('descriptions carry status, code and network code only', () => {
  assert.equal(describeHubFailure({ httpStatus: 429, errorCode: 429001, message: 'IoT Hub answered HTTP 429' }), 'IoT Hub answered HTTP 429 (HTTP 429, error 429001)');
  assert.equal(describeHubFailure({ networkCode: 'ECONNRESET', message: 'no answer from IoT Hub' }), 'no answer from IoT Hub (ECONNRESET)');
});
