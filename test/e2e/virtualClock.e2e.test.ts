// One clock for the whole stack (issue 9 §5): with `clock: 'virtual'` the host, the IoT Hub emulator and the
// devices share a clock that skips ahead only when nothing is in flight, so a 3 s device reboot under a 10-minute
// deadline ends Succeeded in well under a second of wall time, a device that never comes back reaches the
// 10-minute deadline TimedOut in seconds, and both outcomes are those of a real-time run (the never-returning
// device's real-time twin is in operations.e2e.test.ts, with a 10 s deadline).
// Completion is awaited on the app's structured `completed` event (a host log line), never by polling with sleeps.
// Wall-time bounds are generous (a loaded 2-core machine); the sharp check is the device's downtime: between its
// `rebooting` and `completed` reports less wall time passes than the reboot lasts, while the clock moves by it.
import * as assert from 'node:assert/strict';
import { EventEmitter, once } from 'node:events';
import { after, describe, test } from 'node:test';
import { parseOperationEvent } from '../../local/cli/operationEventParser';
import type { ClockMode } from '../../local/clock';
import { startLocalStack, type LocalStack } from '../../local/stack';
import type { OperationEvent } from '../../src/telemetry/operationEvent';
import { deviceActivityOf, NEVER_RETURNED, OperationsApi, type OperationResult } from './support/operationsApi';

const OK = 'vclock-ok';
const GONE = 'vclock-gone';
const REBOOT_MS = 3_000;
const DEADLINE_S = 600;
const POLL_S = 30;

interface ClockedStack {
  stack: LocalStack;
  api: OperationsApi;
  /** Emits `completed:<instanceId>` with the app's operation event. */
  events: EventEmitter;
}

async function startClockedStack(clock: ClockMode): Promise<ClockedStack> {
  const events = new EventEmitter();
  const stack = await startLocalStack({
    clock,
    // The task hub in the host's memory: with Azurite each episode waits on several table requests (tens of ms
    // each on a loaded machine), which is most of the wall time; the clock, not storage, is the subject here.
    hostStorage: 'memory',
    deviceIds: [OK, GONE],
    behaviours: { [GONE]: { kind: 'neverReturn' } },
    rebootDurationMs: REBOOT_MS,
    log: (entry) => {
      const event = parseOperationEvent(entry.message);
      if (event?.transition === 'completed') events.emit(`completed:${event.instanceId}`, event);
    },
  });
  return { stack, api: new OperationsApi(stack), events };
}

interface Timed {
  result: OperationResult;
  wallMs: number;
  clockMs: number;
  /** Wall time and device time of each reported iothubDM.reboot.status, in order. */
  reports: { status: string; wall: number; at: number }[];
}

/** Starts a reboot and resolves with its final status body and the wall and stack-clock time it took. */
async function reboot(s: ClockedStack, deviceId: string, body: Record<string, unknown>): Promise<Timed> {
  const reports: Timed['reports'] = [];
  const device = s.stack.devices.device(deviceId);
  const onReport = (record: { at: string; patch: Record<string, unknown> }): void => {
    const status = (record.patch.iothubDM as { reboot?: { status?: unknown } } | undefined)?.reboot?.status;
    if (typeof status === 'string') reports.push({ status, wall: Date.now(), at: Date.parse(record.at) });
  };
  device.on('report', onReport);
  const wallStart = Date.now();
  const clockStart = s.stack.clock.now();
  const { body: accepted } = await s.api.accepted('reboot', deviceId, body);
  const [event] = (await once(s.events, `completed:${accepted.instanceId}`)) as [OperationEvent];
  const wallMs = Date.now() - wallStart;
  const clockMs = s.stack.clock.now() - clockStart;
  device.off('report', onReport);
  assert.ok(event.outcome !== undefined);
  // The event is logged just before the orchestration returns: its status is final once the host is idle.
  await s.stack.host.whenIdle();
  const response = await fetch(accepted.statusUrl);
  assert.equal(response.status, 200, await response.clone().text());
  return { result: (await response.json()) as OperationResult, wallMs, clockMs, reports };
}

/** What must not depend on the clock mode. */
function outcomeOf(result: OperationResult): unknown {
  return { outcome: result.outcome, delivery: result.delivery, methodStatus: result.methodResponse?.status ?? null, step: result.step, error: result.error?.code ?? null };
}

describe('one clock for the stack', () => {
  const running: ClockedStack[] = [];
  after(async () => {
    await Promise.all(running.map((s) => s.stack.stop()));
  });

  const outcomes = new Map<ClockMode, unknown>();
  for (const mode of ['real', 'virtual'] as const) {
    test(`${mode} clock: a 3 s device reboot under a 10-minute deadline ends Succeeded`, async (t) => {
      const s = await startClockedStack(mode);
      running.push(s);
      const { result, wallMs, clockMs, reports } = await reboot(s, OK, { timeoutSeconds: DEADLINE_S, pollIntervalSeconds: 1 });
      assert.equal(result.outcome, 'Succeeded', JSON.stringify(result));
      assert.ok(result.durationMs >= REBOOT_MS, `the operation took ${result.durationMs} ms of orchestration time`);
      assert.ok(clockMs >= REBOOT_MS, `the stack clock moved ${clockMs} ms`);
      assert.deepEqual(reports.map((r) => r.status), ['rebooting', 'completed']);
      const [down, up] = reports as [Timed['reports'][number], Timed['reports'][number]];
      assert.ok(up.at - down.at >= REBOOT_MS, `device time across the reboot: ${up.at - down.at} ms`);
      const downWall = up.wall - down.wall;
      t.diagnostic(`wall ${wallMs} ms (device down ${downWall} ms), clock ${clockMs} ms, orchestration ${result.durationMs} ms`);
      if (mode === 'virtual') {
        assert.ok(downWall < REBOOT_MS, `the ${REBOOT_MS} ms reboot took ${downWall} ms of wall time`);
        // Typically about a second on an idle machine; generous for a loaded 2-core one.
        assert.ok(wallMs < 10_000, `took ${wallMs} ms of wall time`);
      } else {
        assert.ok(downWall >= REBOOT_MS, `the reboot took ${downWall} ms of wall time`);
      }
      outcomes.set(mode, outcomeOf(result));
      if (outcomes.size === 2) assert.deepEqual(outcomes.get('virtual'), outcomes.get('real'), 'the same outcome on both clocks');
    });
  }

  test('virtual clock: a device that never comes back reaches its 10-minute deadline TimedOut in seconds', async (t) => {
    const s = running.find((r) => r.stack.clock.mode === 'virtual') ?? (await startClockedStack('virtual'));
    if (!running.includes(s)) running.push(s);
    // A 30 s poll interval: 20 polls (each a durable timer, two episodes and a twin read over HTTPS) keep the
    // wall time to seconds even on a loaded machine; the default 5 s makes 120.
    const { result, wallMs } = await reboot(s, GONE, { timeoutSeconds: DEADLINE_S, pollIntervalSeconds: POLL_S });
    assert.equal(result.outcome, 'TimedOut', JSON.stringify(result));
    assert.equal(result.delivery, 'delivered');
    // Deadline + at most one poll interval, as in real time.
    assert.ok(result.durationMs >= DEADLINE_S * 1000 && result.durationMs <= (DEADLINE_S + POLL_S + 1) * 1000, `ended after ${result.durationMs} ms`);
    assert.ok(result.polls >= DEADLINE_S / POLL_S - 1, `${result.polls} polls`);
    assert.deepEqual(deviceActivityOf(result), NEVER_RETURNED);
    t.diagnostic(`wall ${wallMs} ms, orchestration ${result.durationMs} ms, ${result.polls} polls`);
    // "A few seconds" on an idle machine; generous for a loaded one.
    assert.ok(wallMs < 30_000, `took ${wallMs} ms of wall time`);
  });
});
