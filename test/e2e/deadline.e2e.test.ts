// The deadline bounds everything (issue 8 §5): retries of an undelivered method stop at it, the outcome is known by
// deadline + one poll interval + a few seconds, and an acceptance that comes late but within the deadline is
// monitored to its end, not TimedOut. Hub faults come from the IoT Hub emulator's admin API.
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { methodsReceived, OperationsApi } from './support/operationsApi';

const THROTTLED = 'throttled-01';
const LATE = 'late-01';
const FLAKY_READS = 'flaky-01';
/** What "a few seconds" may add: one twin read with its retries, and a loaded machine. */
const SLACK_MS = 6_000;

let stack: LocalStack;
let api: OperationsApi;

describe('the deadline bounds every operation', () => {
  before(async () => {
    stack = await startLocalStack({
      deviceIds: [THROTTLED, LATE, FLAKY_READS],
      behaviours: { [LATE]: { kind: 'slow', answerDelayMs: 8_000 } },
      rebootDurationMs: 500,
      // Retries start at 1 s so several happen inside a 10 s deadline.
      env: { METHOD_INVOKE_FIRST_RETRY_MS: '1000', METHOD_INVOKE_MAX_ATTEMPTS: '20' },
      log: 'silent',
    });
    api = new OperationsApi(stack);
  });
  after(async () => {
    await stack?.stop();
  });

  test('a hub that throttles every call: retries stop at the deadline, nothing reaches the device, delivery is notDelivered', async () => {
    const { body } = await api.accepted('reboot', THROTTLED, { timeoutSeconds: 10 });
    stack.iothub.admin.setHubFault({ kind: 'throttle', count: 1_000_000 });
    try {
      const result = await api.follow(body.statusUrl);
      assert.equal(result.outcome, 'TimedOut', JSON.stringify(result));
      assert.equal(result.delivery, 'notDelivered');
      assert.equal(result.error?.code, 'MethodNotDelivered');
      const elapsed = Date.parse(result.completedAt) - Date.parse(result.requestedAt);
      assert.ok(elapsed <= 10_000 + 1_000 + SLACK_MS, `ended ${elapsed} ms after the request`);
      assert.equal(stack.devices.device(THROTTLED).methodCount(), 0);
    } finally {
      stack.iothub.admin.setHubFault(null);
    }
    assert.equal((await api.run('reboot', THROTTLED)).outcome, 'Succeeded', 'the device is free again');
  });

  test('an acceptance 8 s into a 10 s deadline is monitored to Succeeded', async () => {
    const result = await api.run('reboot', LATE, { timeoutSeconds: 10, responseTimeoutInSeconds: 30 });
    assert.equal(result.outcome, 'Succeeded', JSON.stringify(result));
    // acceptedAt is the hub's Date header, one-second resolution: the 8 s answer delay shows as 7–8 s or more.
    assert.ok(Date.parse(result.acceptedAt!) - Date.parse(result.requestedAt) >= 7_000, `accepted at ${result.acceptedAt}, requested ${result.requestedAt}`);
    const elapsed = Date.parse(result.completedAt) - Date.parse(result.requestedAt);
    assert.ok(elapsed <= 10_000 + 1_000 + SLACK_MS, `ended ${elapsed} ms after the request`);
  });

  test('twin reads failing with 503 while the device reboots do not turn its success into TimedOut', async () => {
    const { body } = await api.accepted('reboot', FLAKY_READS, { timeoutSeconds: 12 });
    await methodsReceived(stack.devices.device(FLAKY_READS), 1);
    // Consumed one per hub request: the next reads (and their retries) fail for a while.
    stack.iothub.admin.setHubFault({ kind: 'serverError', status: 503, count: 6 });
    const result = await api.follow(body.statusUrl);
    stack.iothub.admin.setHubFault(null);
    assert.equal(result.outcome, 'Succeeded', JSON.stringify(result));
    const elapsed = Date.parse(result.completedAt) - Date.parse(result.requestedAt);
    assert.ok(elapsed <= 12_000 + 1_000 + SLACK_MS, `ended ${elapsed} ms after the request: ${JSON.stringify(result)}`);
    assert.equal(stack.devices.device(FLAKY_READS).methodCount(), 1);
  });
});
