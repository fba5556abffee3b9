// The app's callback sweeper (`sweepCallbacks`, an every-minute timer function) on the local host: a terminated
// operation's callback goes out when the sweeper's next occurrence comes, with nobody reading its status. The
// stack runs on the manual clock, so "the next minute" is one advance() rather than a minute of waiting.
import * as assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { LogicAppStandIn } from './support/logicAppStandIn';
import { OperationsApi } from './support/operationsApi';

const DEVICE = 'sweep-terminated';

describe('callback sweeper timer on the local host', () => {
  let stack: LocalStack;
  let api: OperationsApi;
  const logicApp = new LogicAppStandIn();
  const sweeps: string[] = [];
  before(async () => {
    await logicApp.start();
    stack = await startLocalStack({
      clock: 'manual',
      deviceIds: [DEVICE],
      behaviours: { [DEVICE]: { kind: 'neverReturn' } },
      log: (entry) => {
        if (entry.functionName === 'sweepCallbacks' && entry.level !== 'error') sweeps.push(entry.message);
      },
    });
    api = new OperationsApi(stack);
  });
  after(async () => {
    await stack?.stop();
    await logicApp.stop();
  });

  test('a terminated operation is called back by the sweeper\'s next run, without a status read', { timeout: 60_000 }, async () => {
    const callbackUrl = logicApp.callbackUrl('swept');
    const { body: accepted } = await api.accepted('reboot', DEVICE, { callbackUrl, timeoutSeconds: 600 });
    const terminate = await fetch(`${stack.baseUrl}/runtime/webhooks/durabletask/instances/${encodeURIComponent(accepted.instanceId)}/terminate?reason=operator&code=${stack.host.systemKey}`, { method: 'POST' });
    assert.equal(terminate.status, 202);
    await terminate.body?.cancel();
    await stack.host.whenIdle();
    assert.equal(logicApp.requestsFor(callbackUrl).length, 0, 'nothing is sent before the sweeper runs');

    const delivered = logicApp.waitFor(callbackUrl, 1);
    stack.clock.advance(60_000);
    await delivered;
    const [callback, ...more] = logicApp.requestsFor(callbackUrl);
    assert.equal(more.length, 0);
    const body = callback!.body as { status: string; outcome: string; runtimeStatus: string; instanceId: string };
    assert.deepEqual([body.instanceId, body.status, body.outcome, body.runtimeStatus], [accepted.instanceId, 'Canceled', 'Canceled', 'Terminated']);
    assert.ok(sweeps.some((line) => /Callback sweep: 1 delivery/.test(line)), `the sweeper's own log line: ${JSON.stringify(sweeps)}`);

    // The next run finds nothing left to send.
    await stack.host.whenIdle();
    stack.clock.advance(60_000);
    await stack.host.whenIdle();
    assert.equal(logicApp.requestsFor(callbackUrl).length, 1, 'once');
  });
});
