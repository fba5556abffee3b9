// Twin change events on the local stack (issue 14): the emulator routes every reported-property change to its
// built-in Event Hubs-compatible endpoint, the local host's Event Hubs trigger hands the batches to the app's
// twinChangeEvents function, which wakes the device's running operation. With the poll interval at 60 s, an
// operation that ends within seconds ended on the event; with events off, polling alone still ends it.
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { FUNCTION } from '../../src/functionNames';
import { TWIN_CHANGED_EVENT } from '../../src/orchestrations/deviceOperation';
import { OperationsApi } from './support/operationsApi';

const REBOOT_MS = 1500;
const SLOW_POLL = { pollIntervalSeconds: 60, timeoutSeconds: 120 };

describe('twin change events wake operations', () => {
  let stack: LocalStack;
  let api: OperationsApi;
  before(async () => {
    stack = await startLocalStack({
      deviceIds: ['ev-1', 'ev-dup', 'ev-burst'], rebootDurationMs: REBOOT_MS,
      // A reset that is back almost at once: its two reports come in a burst.
      deviceTimings: { factoryResetDurationMs: 0 }, log: 'silent',
    });
    api = new OperationsApi(stack);
  });
  after(() => stack.stop());

  /** Raises TwinChanged on an instance through the Durable HTTP API, as a stray or repeated event would arrive. */
  const raise = async (instanceId: string, reportedVersion: number | null): Promise<void> => {
    const url = `${stack.baseUrl}/runtime/webhooks/durabletask/instances/${encodeURIComponent(instanceId)}/raiseEvent/${TWIN_CHANGED_EVENT}?code=${stack.host.systemKey}`;
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reportedVersion }) });
    assert.equal(response.status, 202);
  };

  test('an operation completes on the event, long before its 60 s poll; the caller is told to come back in 1 s', async () => {
    const { response, body } = await api.accepted('reboot', 'ev-1', SLOW_POLL);
    assert.equal(response.headers.get('retry-after'), '1');
    const result = await api.follow(body.statusUrl);
    assert.equal(result.outcome, 'Succeeded');
    assert.ok(result.durationMs < 20_000, `took ${result.durationMs} ms`);
    // The "rebooting" report is progress only: it wakes no read; the completion report wakes the one read.
    assert.equal(result.polls, 1, `${result.polls} twin reads`);
  });

  test('early and duplicated events change nothing: the old completion in the twin does not count', async () => {
    // A first reboot leaves `completed` in the twin; the second operation must not end on it.
    assert.equal((await api.run('reboot', 'ev-dup', SLOW_POLL)).outcome, 'Succeeded');
    const { body } = await api.accepted('reboot', 'ev-dup', SLOW_POLL);
    await raise(body.instanceId, null);
    await raise(body.instanceId, 0);
    await raise(body.instanceId, 0);
    const result = await api.follow(body.statusUrl);
    assert.equal(result.outcome, 'Succeeded');
    assert.ok(result.durationMs >= REBOOT_MS, `ended after ${result.durationMs} ms, before the device came back`);
    assert.ok(result.durationMs < 20_000, `took ${result.durationMs} ms`);
    assert.ok(result.polls <= 4, `${result.polls} twin reads`);
    // After the end, an event is harmless.
    await raise(body.instanceId, 99).catch(() => undefined);
  });

  test('a device reporting twice in a burst is judged on the twin', async () => {
    const result = await api.run('factoryReset', 'ev-burst', SLOW_POLL);
    assert.equal(result.outcome, 'Succeeded');
    assert.equal(result.step, 'completed');
    assert.ok(result.durationMs < 20_000, `took ${result.durationMs} ms`);
  });
});

describe('events off: polling alone', () => {
  let stack: LocalStack;
  before(async () => {
    // The status route holds requests as on Azure (OPERATION_STATUS_HOLD_SECONDS default 10 s).
    stack = await startLocalStack({ deviceIds: ['poll-1'], rebootDurationMs: 800, twinEvents: false, statusHold: true, log: 'silent' });
  });
  after(() => stack.stop());

  test('no trigger is registered, and the poll timer finds the completion; one held status request sees it', async () => {
    assert.ok(!stack.host.functions.some((f) => f.name === FUNCTION.twinChangeEvents));
    const api = new OperationsApi(stack);
    const { response, body } = await api.accepted('reboot', 'poll-1', { pollIntervalSeconds: 2, timeoutSeconds: 60 });
    assert.equal(response.headers.get('retry-after'), '2');
    // The next timed read is due within the hold: the first status request waits for the outcome instead of a 202.
    const held = await fetch(body.statusUrl);
    assert.equal(held.status, 200);
    const result = await api.follow(body.statusUrl);
    assert.equal(result.outcome, 'Succeeded');
    assert.ok(result.polls >= 1);
  });
});
