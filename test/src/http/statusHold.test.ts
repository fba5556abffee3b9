// The status route's bounded hold (src/http/statusHold.ts): held while a change is expected within the hold,
// answered 200 at the first re-read that finds the operation over, else 202 when the hold runs out. The clock is
// the test's: each wait moves it, so the waits cost no real time.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { HttpRequest } from '@azure/functions';
import { operationInstanceId } from '../../../src/domain/operationIds';
import { getOperationStatus } from '../../../src/http/getOperationStatus';
import { REPORT_SOON_WINDOW_MS } from '../../../src/http/retryAfter';
import { HOLD_INTERVAL_MS, type StatusHold } from '../../../src/http/statusHold';
import type { OperationCustomStatus } from '../../../src/orchestrations/deviceOperation';
import { FakeDurableClient } from '../../support/fakeDurableClient';
import { BASE, body, context, headers } from './httpTestSupport';

const START = Date.parse('2025-01-01T00:05:00.000Z');
const id = operationInstanceId('reboot', 'dev-1', 1);
const at = (ms: number): string => new Date(START + ms).toISOString();
const watching = (sentAgoMs: number, nextInMs: number): Partial<OperationCustomStatus> =>
  ({ phase: 'awaiting-report', delivery: 'delivered', step: null, polls: 0, lastReported: null, deadline: at(600_000), sentAt: at(-sentAgoMs), nextCheckAt: at(nextInMs) });
const OUTPUT = { deviceId: 'dev-1', operation: 'reboot', outcome: 'Succeeded', polls: 1 };

interface Case {
  name: string;
  holdMs: number;
  events: boolean;
  pollIntervalSeconds: number;
  status: Partial<OperationCustomStatus>;
  /** The re-read (1 = the first after a wait) at which the instance is over; null: it keeps running. */
  endsAtRead: number | null;
  expect: { status: number; waitedMs: number; retryAfter?: string };
}

const CASES: Case[] = [
  { name: 'events on, report expected: 200 at the first re-read that sees it over', holdMs: 10_000, events: true, pollIntervalSeconds: 30,
    status: watching(2_000, 28_000), endsAtRead: 3, expect: { status: 200, waitedMs: 3 * HOLD_INTERVAL_MS } },
  { name: 'events on, still running when the hold runs out: 202, Retry-After 1', holdMs: 2_000, events: true, pollIntervalSeconds: 30,
    status: watching(2_000, 28_000), endsAtRead: null, expect: { status: 202, waitedMs: 2_000, retryAfter: '1' } },
  { name: 'events on, before the watch (invoking): held', holdMs: 1_000, events: true, pollIntervalSeconds: 30,
    status: { phase: 'invoking' }, endsAtRead: 1, expect: { status: 200, waitedMs: HOLD_INTERVAL_MS } },
  { name: 'hold 0: answers at once', holdMs: 0, events: true, pollIntervalSeconds: 30,
    status: watching(2_000, 28_000), endsAtRead: 1, expect: { status: 202, waitedMs: 0, retryAfter: '1' } },
  { name: 'events on, the device is late and the next read is past the hold: answers at once', holdMs: 10_000, events: true, pollIntervalSeconds: 30,
    status: watching(REPORT_SOON_WINDOW_MS + 1, 20_000), endsAtRead: 1, expect: { status: 202, waitedMs: 0, retryAfter: '21' } },
  { name: 'events off, the next timed read is within the hold: held until it shows the outcome', holdMs: 10_000, events: false, pollIntervalSeconds: 5,
    status: watching(2_000, 3_000), endsAtRead: 16, expect: { status: 200, waitedMs: 16 * HOLD_INTERVAL_MS } },
  { name: 'events off, the next timed read is past the hold: answers at once', holdMs: 5_000, events: false, pollIntervalSeconds: 30,
    status: watching(2_000, 20_000), endsAtRead: 1, expect: { status: 202, waitedMs: 0, retryAfter: '21' } },
  { name: 'events off, the outcome decided and being recorded: held', holdMs: 10_000, events: false, pollIntervalSeconds: 5,
    status: { phase: 'completed', nextCheckAt: null }, endsAtRead: 1, expect: { status: 200, waitedMs: HOLD_INTERVAL_MS } },
  { name: 'events off, Pending: held (the method goes out next)', holdMs: 10_000, events: false, pollIntervalSeconds: 5,
    status: {}, endsAtRead: 2, expect: { status: 200, waitedMs: 2 * HOLD_INTERVAL_MS } },
  { name: 'events off, invoking, still so when the hold runs out: 202 with the poll interval', holdMs: 1_000, events: false, pollIntervalSeconds: 5,
    status: { phase: 'invoking' }, endsAtRead: null, expect: { status: 202, waitedMs: 1_000, retryAfter: '5' } },
];

test('the hold, case by case', async (t) => {
  for (const c of CASES) {
    await t.test(c.name, async () => {
      let clock = START;
      const client = new FakeDurableClient();
      client.put(id, {
        runtimeStatus: c.status.phase === undefined ? 'Pending' : 'Running', customStatus: c.status.phase === undefined ? null : c.status,
        input: { deviceId: 'dev-1', operation: 'reboot', request: { pollIntervalSeconds: c.pollIntervalSeconds }, wakeOnTwinChange: c.events },
      });
      const hold: StatusHold = {
        maxMs: c.holdMs, now: () => clock,
        wait: async (ms) => {
          assert.ok(ms > 0 && ms <= HOLD_INTERVAL_MS, `waits one interval at most, not ${ms} ms`);
          clock += ms;
          // The instance ends just before the re-read numbered endsAtRead.
          if (client.statusQueries.length === c.endsAtRead) client.put(id, { ...client.instances.get(id)!, runtimeStatus: 'Completed', output: OUTPUT });
        },
      };
      const response = await getOperationStatus(new HttpRequest({ method: 'GET', url: `${BASE}/operations/${id}?code=k` }), client, context(), undefined, () => clock, hold);
      assert.equal(response.status, c.expect.status);
      assert.equal(clock - START, c.expect.waitedMs);
      if (c.expect.status === 200) assert.equal(body(response).outcome, 'Succeeded');
      else assert.equal(headers(response)['Retry-After'], c.expect.retryAfter);
    });
  }
});

test('an instance purged during the hold: the last status seen answers', async () => {
  let clock = START;
  const client = new FakeDurableClient();
  client.put(id, { runtimeStatus: 'Running', customStatus: watching(1_000, 29_000),
    input: { deviceId: 'dev-1', operation: 'reboot', request: { pollIntervalSeconds: 30 }, wakeOnTwinChange: true } });
  const hold: StatusHold = { maxMs: 5_000, now: () => clock, wait: async (ms) => { clock += ms; client.instances.delete(id); } };
  const response = await getOperationStatus(new HttpRequest({ method: 'GET', url: `${BASE}/operations/${id}?code=k` }), client, context(), undefined, () => clock, hold);
  assert.equal(response.status, 202);
  assert.equal(clock - START, HOLD_INTERVAL_MS);
});
