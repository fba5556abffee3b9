// The timer trigger listener on a manual (or virtual) clock with a recording worker: occurrences, the singleton
// rule, runOnStartup, the schedule monitor's status and isPastDue after a restart, and the passive schedule that
// never makes an idle virtual clock jump. The real worker and the @azure/functions Timer object are covered in
// timerTriggerHost.test.ts.
import assert from 'node:assert/strict';
import { once, EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { createStackClock, type StackClock } from '../../../../local/clock';
import type { HostLogEntry } from '../../../../local/host/log';
import type { FunctionMetadata, RpcInvocationRequest } from '../../../../local/host/rpc/types';
import { MemoryStore } from '../../../../local/host/store/memoryStore';
import { MAX_TIMER_MS, startTimerTriggers, type TimerTriggers } from '../../../../local/host/timers/timerTriggers';
import type { InvocationOutcome } from '../../../../local/host/worker/invoker';

const MINUTE = 60_000;

interface TimerJson {
  Schedule: { AdjustForDST: boolean };
  ScheduleStatus: { Last: string; Next: string; LastUpdated: string } | null;
  IsPastDue: boolean;
}

function timerFunction(name: string, binding: Record<string, unknown>, extra: FunctionMetadata['bindings'] = {}): FunctionMetadata {
  return { name, bindings: { myTimer: { type: 'timerTrigger', direction: 'in', ...binding }, ...extra } };
}

/** A worker that records invocations and holds each one until released. */
class RecordingWorker extends EventEmitter {
  readonly calls: { request: RpcInvocationRequest; timer: TimerJson; at: number }[] = [];
  #release: (() => void)[] = [];
  running = 0;
  maxRunning = 0;

  constructor(private readonly clock: StackClock, private readonly hold = false) {
    super();
  }

  invoke = async (request: RpcInvocationRequest): Promise<InvocationOutcome> => {
    const timer = JSON.parse(String(request.inputData[0]?.data?.json)) as TimerJson;
    this.calls.push({ request, timer, at: this.clock.now() });
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    this.emit('invoked', request.functionId);
    if (this.hold) await new Promise<void>((resolve) => this.#release.push(resolve));
    this.running--;
    this.emit('done', request.functionId);
    return { response: { invocationId: request.invocationId } };
  };

  release(): void {
    this.#release.shift()?.();
  }
}

interface Harness {
  clock: StackClock;
  store: MemoryStore;
  worker: RecordingWorker;
  logs: HostLogEntry[];
  busy: () => number;
  triggers: TimerTriggers;
}

function start(functions: FunctionMetadata[], options: { clock?: StackClock; store?: MemoryStore; hold?: boolean; env?: NodeJS.ProcessEnv } = {}): Harness {
  const clock = options.clock ?? createStackClock('manual');
  const store = options.store ?? new MemoryStore();
  const worker = new RecordingWorker(clock, options.hold);
  const logs: HostLogEntry[] = [];
  let external = 0;
  const triggers = startTimerTriggers({
    functions, env: options.env ?? {}, store, clock, invoke: worker.invoke, log: (entry) => logs.push(entry),
    durableClientPayload: '{"taskHubName":"hub"}',
    externalWork: { begin: () => external++, end: () => external-- },
  });
  return { clock, store, worker, logs, busy: () => external, triggers };
}

/** Resolves once the listener has read its status and armed its schedule (startup is bracketed as external work). */
async function started(h: Harness): Promise<void> {
  while (h.busy() > 0) await new Promise((resolve) => setImmediate(resolve));
}

/** Moves the manual clock to just past the next whole minute. */
function toNextMinute(clock: StackClock): number {
  const now = clock.now();
  const next = (Math.floor(now / MINUTE) + 1) * MINUTE;
  clock.advance(next - now);
  return next;
}

describe('timer trigger listener', () => {
  it('runs each occurrence on the host clock with the status the extension keeps', async () => {
    const h = start([timerFunction('Sweep', { schedule: '0 * * * * *' })]);
    await started(h);
    assert.equal(h.worker.calls.length, 0, 'nothing runs before the first occurrence');
    const saved = await h.store.readTimerStatus('Sweep');
    assert.ok(saved, 'the monitor saved a status at start');
    assert.equal(saved.last, null);

    const ran = once(h.worker, 'done');
    const first = toNextMinute(h.clock);
    assert.equal(saved.next, first);
    await ran;
    const [call] = h.worker.calls;
    assert.deepEqual(call?.timer, {
      Schedule: { AdjustForDST: true },
      ScheduleStatus: { Last: '0001-01-01T00:00:00', Next: new Date(first).toISOString(), LastUpdated: new Date(saved.lastUpdated).toISOString() },
      IsPastDue: false,
    });
    await started(h);
    const after = await h.store.readTimerStatus('Sweep');
    assert.equal(after?.last, first, 'last is the occurrence that ran');
    assert.equal(after?.next, first + MINUTE);

    const secondRan = once(h.worker, 'done');
    const second = toNextMinute(h.clock);
    await secondRan;
    assert.equal(h.worker.calls[1]?.timer.ScheduleStatus?.Last, new Date(first).toISOString());
    assert.equal(h.worker.calls[1]?.timer.ScheduleStatus?.Next, new Date(second).toISOString());
    h.triggers.stop();
  });

  it('never overlaps itself: occurrences that pass during a run are skipped, the next is armed from when it ended', async () => {
    const h = start([timerFunction('Slow', { schedule: '*/10 * * * * *' })], { hold: true });
    await started(h);
    const firstInvoked = once(h.worker, 'invoked');
    h.clock.advance(10_000);
    await firstInvoked;
    // Three more occurrences pass while the first run is still going.
    h.clock.advance(35_000);
    assert.equal(h.worker.calls.length, 1);
    const ended = h.clock.now();
    const firstDone = once(h.worker, 'done');
    h.worker.release();
    await firstDone;
    await started(h);
    const secondInvoked = once(h.worker, 'invoked');
    h.clock.advance(10_000);
    await secondInvoked;
    const secondDone = once(h.worker, 'done');
    h.worker.release();
    await secondDone;
    assert.equal(h.worker.calls.length, 2);
    assert.equal(h.worker.maxRunning, 1);
    // One occurrence after the run ended, not the backlog of the three that passed during it.
    assert.ok(h.worker.calls[1]!.at > ended);
    assert.equal(h.worker.calls[1]?.timer.ScheduleStatus, null, 'a sub-minute schedule keeps no status');
    assert.equal(await h.store.readTimerStatus('Slow'), undefined);
    h.triggers.stop();
  });

  it('a restarted host that missed an occurrence runs it at once with isPastDue', async () => {
    const store = new MemoryStore();
    const clock = createStackClock('manual');
    const first = start([timerFunction('Sweep', { schedule: '0 */5 * * * *' })], { store, clock });
    await started(first);
    const recorded = await store.readTimerStatus('Sweep');
    first.triggers.stop();
    // The host is down across the recorded next occurrence.
    clock.advance(recorded!.next - clock.now() + 2 * MINUTE);

    const second = start([timerFunction('Sweep', { schedule: '0 */5 * * * *' })], { store, clock });
    await once(second.worker, 'done');
    const [call] = second.worker.calls;
    assert.equal(call?.timer.IsPastDue, true);
    assert.equal(call?.timer.ScheduleStatus?.Next, new Date(recorded!.next).toISOString(), 'the missed occurrence');
    await started(second);
    const after = await store.readTimerStatus('Sweep');
    assert.equal(after?.last, recorded!.next);
    assert.equal(after?.next, recorded!.next + 5 * MINUTE);
    second.triggers.stop();
  });

  it('runOnStartup runs once at start without moving the schedule; useMonitor false keeps no status', async () => {
    const h = start([timerFunction('Warm', { schedule: '0 0 * * * *', runOnStartup: true, useMonitor: false })]);
    await started(h);
    assert.equal(h.worker.calls.length, 1);
    assert.equal(h.worker.calls[0]?.timer.IsPastDue, false);
    assert.equal(h.worker.calls[0]?.timer.ScheduleStatus, null);
    assert.equal(await h.store.readTimerStatus('Warm'), undefined);
    h.triggers.stop();
  });

  it('passes the durableClient binding and refuses bad schedules by name, starting the others', async () => {
    const h = start([
      timerFunction('Bad', { schedule: '0 0 25 * * *' }),
      timerFunction('Unset', { schedule: '%NOT_SET%' }),
      timerFunction('Good', { schedule: '0 * * * * *' }, { starter: { type: 'durableClient', direction: 'in' } }),
    ]);
    await started(h);
    assert.deepEqual(h.triggers.scheduled, ['Good']);
    assert.deepEqual(h.logs.filter((l) => l.level === 'error').map((l) => [l.functionName, l.message]), [
      ['Bad', 'Timer trigger not started: hour field: 25 is outside 0-23.'],
      ['Unset', 'Timer trigger not started: schedule "%NOT_SET%": app setting NOT_SET is not set.'],
    ]);
    const ran = once(h.worker, 'done');
    toNextMinute(h.clock);
    await ran;
    assert.deepEqual(h.worker.calls[0]?.request.inputData[1], { name: 'starter', data: { string: '{"taskHubName":"hub"}' } });
    h.triggers.stop();
  });

  it('is a passive wait on the virtual clock: time jumps to real waits and the schedule fires on the way', async () => {
    const clock = createStackClock('virtual');
    const target = clock.now() + 10 * MINUTE;
    // Another part of the stack, idle, with a durable timer 10 minutes out.
    const leave = clock.join({ name: 'engine', isIdle: () => true, nextDue: () => (clock.now() < target ? target : undefined) });
    const h = start([timerFunction('Sweep', { schedule: '0 * * * * *' })], { clock });
    await once(h.worker, 'done');
    // Had the every-minute schedule been a jump target, the first jump would have stopped at the next minute.
    assert.ok(clock.skipped.ms >= 9 * MINUTE, `the clock jumped ${clock.skipped.ms} ms`);
    assert.equal(clock.skipped.jumps, 1);
    assert.equal(h.worker.calls.length, 1, 'the occurrences passed over run once, not once each');
    h.triggers.stop();
    leave();
    clock.dispose();
  });

  it('waits for a far occurrence in steps setTimeout can take (it fires at once past ~24.8 days)', async () => {
    const delays: number[] = [];
    const now = Date.parse('2026-03-01T00:00:00Z');
    const clock = { mode: 'real' as const, now: () => now, setTimer: (_callback: () => void, ms: number) => (delays.push(ms), { cancel: () => undefined }) };
    const h = start([timerFunction('LeapDay', { schedule: '0 0 0 29 2 *' })], { clock: clock as unknown as StackClock });
    await started(h);
    assert.deepEqual(delays, [MAX_TIMER_MS], 'the first step, not the two years to 29 February 2028');
    assert.equal(h.worker.calls.length, 0);
    h.triggers.stop();
  });
});
