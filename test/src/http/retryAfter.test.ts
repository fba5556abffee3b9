// Retry-After of a running operation follows what the orchestration can know next (src/http/retryAfter.ts).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { HttpRequest } from '@azure/functions';
import { operationInstanceId } from '../../../src/domain/operationIds';
import { getOperationStatus } from '../../../src/http/getOperationStatus';
import { operationRetryAfter, REPORT_SOON_WINDOW_MS } from '../../../src/http/retryAfter';
import type { OperationCustomStatus } from '../../../src/orchestrations/deviceOperation';
import { FakeDurableClient } from '../../support/fakeDurableClient';
import { BASE, context, headers } from './httpTestSupport';

const NOW = Date.parse('2025-01-01T00:05:00.000Z');
const at = (offsetMs: number): string => new Date(NOW + offsetMs).toISOString();
const watching = (sentAgoMs: number, nextInMs: number): Partial<OperationCustomStatus> =>
  ({ phase: 'awaiting-report', sentAt: at(-sentAgoMs), nextCheckAt: at(nextInMs) });

test('the rule, case by case', async (t) => {
  const cases: [string, number, boolean, Partial<OperationCustomStatus> | null, number][] = [
    ['events off, no status yet (Pending): the poll interval', 5, false, null, 5],
    ['events off, invoking: the poll interval', 5, false, { phase: 'invoking' }, 5],
    ['events off, watching: until the next timed read + 1 s', 30, false, watching(10_000, 7_200), 9],
    ['events off, the timer is due: 1 s', 30, false, watching(10_000, -500), 1],
    ['events off, timer far ahead (another clock): capped at the interval', 30, false, watching(10_000, 3_600_000), 30],
    ['events on, starting or invoking: 1 s', 30, true, { phase: 'invoking' }, 1],
    ['events off, the outcome decided and being recorded: 1 s', 30, false, { phase: 'completed', nextCheckAt: null }, 1],
    ['events on, no status yet: 1 s', 30, true, null, 1],
    ['events on, report expected soon after the send: 1 s', 30, true, watching(5_000, 25_000), 1],
    ['events on, the device is late: until the safety-net read', 30, true, watching(REPORT_SOON_WINDOW_MS + 1, 20_000), 21],
    ['events on, late and no timer known: the poll interval', 30, true, { phase: 'awaiting-report', sentAt: at(-REPORT_SOON_WINDOW_MS - 1) }, 30],
  ];
  for (const [name, poll, events, status, expected] of cases) {
    await t.test(name, () => assert.equal(operationRetryAfter(poll, events, status, NOW), expected));
  }
});

test('the status route sends it: 1 s while an event-woken operation waits for the report', async () => {
  const id = operationInstanceId('reboot', 'dev-1', 1);
  const client = new FakeDurableClient();
  client.put(id, {
    runtimeStatus: 'Running', input: { deviceId: 'dev-1', operation: 'reboot', request: { pollIntervalSeconds: 30 }, wakeOnTwinChange: true },
    customStatus: { ...watching(3_000, 27_000), delivery: 'delivered', step: null, polls: 0, lastReported: null, deadline: at(600_000), wakesOnTwinChange: true },
  });
  const request = new HttpRequest({ method: 'GET', url: `${BASE}/operations/${id}?code=key-1` });
  const response = await getOperationStatus(request, client, context(), undefined, () => NOW);
  assert.equal(response.status, 202);
  assert.equal(headers(response)['Retry-After'], '1');
  const late = await getOperationStatus(request, client, context(), undefined, () => NOW + REPORT_SOON_WINDOW_MS);
  assert.equal(headers(late)['Retry-After'], '1', 'timer due: at most 1 s');
});
