// The exponential ramp (AWS IoT Jobs' exponentialRate) end to end, on the one-clock virtual stack: a minute-scale
// ramp runs in seconds of wall time, and the device rows' start times show the rate growing with the successes.
// base 6/min, ×2 after every 10 successes, max 60/min, 40 devices, reboot 3 s (each device is done long before the
// next tick): ticks of 6 at 0 s (0 succeeded), 6 at 60 s (6 succeeded: still 6/min), 12 at 120 s (12: 12/min),
// the last 16 at 180 s (24 succeeded: 24/min), each tick n × 60 s / rate after the previous one.
import * as assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { followAsyncOperation } from '../../local/cli/asyncPoller';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { OperationsApi } from './support/operationsApi';

const DEVICES = Array.from({ length: 40 }, (_, i) => `ramp-${String(i + 1).padStart(2, '0')}`);

describe('exponential ramp on the virtual clock', () => {
  let stack: LocalStack;
  let api: OperationsApi;
  before(async () => {
    stack = await startLocalStack({ clock: 'virtual', deviceIds: DEVICES, transport: 'virtual', rebootDurationMs: 3_000, log: 'silent' });
    api = new OperationsApi(stack);
  });
  after(async () => {
    await stack?.stop();
  });

  test('ticks grow with the successes: 6, 6, 12, 16 devices, 60 s apart', async () => {
    const response = await fetch(api.url('rollouts'), {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        operation: 'reboot', parameters: { pollIntervalSeconds: 1, timeoutSeconds: 120 }, target: { deviceIds: DEVICES },
        rate: { maxPerMinute: 60, exponential: { baseRatePerMinute: 6, incrementFactor: 2, afterSucceeded: 10 } },
      }),
    });
    const accepted = (await response.json()) as { statusUrl: string; devicesUrl: string };
    assert.equal(response.status, 202, JSON.stringify(accepted));
    const final = await followAsyncOperation(await fetch(accepted.statusUrl), { timeoutMs: 120_000 });
    const body = final.body as { state: string; counters: Record<string, number>; currentRate: number };
    assert.equal(body.state, 'completed');
    assert.equal(body.counters.succeeded, 40);
    const url = new URL(accepted.devicesUrl);
    url.searchParams.set('pageSize', '100');
    const page = (await (await fetch(url)).json()) as { devices: Array<{ deviceId: string; startedAt: string | null }> };
    const starts = new Map<number, number>();
    for (const row of page.devices) {
      const at = Date.parse(row.startedAt ?? '');
      starts.set(at, (starts.get(at) ?? 0) + 1);
    }
    const ticks = [...starts.entries()].sort(([a], [b]) => a - b);
    assert.deepEqual(ticks.map(([, n]) => n), [6, 6, 12, 16], JSON.stringify(ticks));
    const gaps = ticks.slice(1).map(([at], i) => (at - ticks[i]![0]) / 1000);
    // n × 60 s / rate: 6 at 6/min, 6 at 6/min, 12 at 12/min; a tick never comes early (a timer may fire a little late).
    for (const gap of gaps) assert.ok(gap >= 60 && gap < 62, `ticks ${JSON.stringify(gaps)} s apart`);
    for (const id of DEVICES) assert.equal(stack.devices.device(id).methodCount(), 1, id);
  });
});
