// The timer trigger of the local host, after the WebJobs TimerListener: each `timerTrigger` function is armed on
// the host's clock for its schedule's next occurrence, runs, and is armed again from the time it finished, so a
// function never overlaps itself (the trigger is a singleton) and occurrences missed while it ran are skipped.
// With the schedule monitor (useMonitor, the default for schedules a minute apart or more) the status lives in
// the host's store: a restarted host that finds the recorded next occurrence already past runs the function at
// once with isPastDue true. `runOnStartup` runs it once when the host starts. On a virtual clock the schedule is a
// passive wait: it fires when time gets there but never makes an idle stack jump (see StackClock.setTimer).
import { randomUUID } from 'node:crypto';
import type { ClockTimer, StackClock } from '../../clock';
import type { HostLog } from '../log';
import { findTrigger, type FunctionMetadata, type RpcInvocationRequest, type RpcParameterBinding } from '../rpc/types';
import type { TimerScheduleStatus } from '../store/store';
import type { InvocationOutcome } from '../worker/invoker';
import { checkPastDue, statusAfterRun, type ScheduleStatusStore } from './scheduleMonitor';
import { parseTimerSchedule, usesMonitor, type TimerSchedule } from './timerSchedule';

export interface TimerTriggerOptions {
  functions: FunctionMetadata[];
  env: NodeJS.ProcessEnv;
  store: ScheduleStatusStore;
  clock: Pick<StackClock, 'now' | 'setTimer'>;
  invoke(request: RpcInvocationRequest): Promise<InvocationOutcome>;
  /** The durableClient input binding payload, for functions that declare one. */
  durableClientPayload: string;
  /** Brackets an invocation so the host's whenIdle waits for it (and a virtual clock does not jump meanwhile). */
  externalWork: { begin(): void; end(): void };
  log: HostLog;
}

export interface TimerTriggers {
  /** Names of the functions whose schedules are armed. */
  scheduled: string[];
  stop(): void;
}

/** setTimeout's longest delay. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** .NET's DateTime.MinValue, which the extension reports as `last` before a first run. */
const NEVER = '0001-01-01T00:00:00';

/** The TimerInfo JSON the extension sends; @azure/functions camel-cases it into the `Timer` object. */
export function timerInfo(schedule: TimerSchedule, status: TimerScheduleStatus | undefined, isPastDue: boolean): string {
  return JSON.stringify({
    Schedule: { AdjustForDST: schedule.adjustForDST },
    ScheduleStatus: status ? {
      Last: status.last === null ? NEVER : new Date(status.last).toISOString(),
      Next: new Date(status.next).toISOString(),
      LastUpdated: new Date(status.lastUpdated).toISOString(),
    } : null,
    IsPastDue: isPastDue,
  });
}

export function startTimerTriggers(options: TimerTriggerOptions): TimerTriggers {
  const listeners: TimerListener[] = [];
  for (const metadata of options.functions) {
    const trigger = findTrigger(metadata);
    if (trigger?.binding.type !== 'timerTrigger') continue;
    let schedule: TimerSchedule;
    try {
      schedule = parseTimerSchedule(String(trigger.binding.schedule ?? ''), options.env);
    } catch (err) {
      // As the Functions host does with a function it cannot index: reported, and the other functions still run.
      options.log({ level: 'error', category: 'host', functionName: metadata.name, message: `Timer trigger not started: ${(err as Error).message}.` });
      continue;
    }
    const listener = new TimerListener(metadata, trigger.name, schedule, options);
    listener.start(trigger.binding.runOnStartup === true, trigger.binding.useMonitor);
    listeners.push(listener);
  }
  return {
    scheduled: listeners.map((l) => l.name),
    stop: () => listeners.forEach((l) => l.stop()),
  };
}

class TimerListener {
  #timer: ClockTimer | undefined;
  #stopped = false;
  /** Kept only with the schedule monitor, as the extension's TimerListener.ScheduleStatus. */
  #status: TimerScheduleStatus | undefined;
  #monitor = false;

  constructor(
    private readonly metadata: FunctionMetadata,
    private readonly triggerName: string,
    private readonly schedule: TimerSchedule,
    private readonly options: TimerTriggerOptions,
  ) {}

  get name(): string {
    return this.metadata.name;
  }

  start(runOnStartup: boolean, useMonitor: unknown): void {
    const { externalWork, clock } = this.options;
    externalWork.begin();
    void (async () => {
      try {
        const now = clock.now();
        this.#monitor = usesMonitor(this.schedule, useMonitor, now);
        let missed: number | undefined;
        if (this.#monitor) {
          const check = await checkPastDue(this.options.store, this.name, this.schedule, now);
          this.#status = check.status;
          missed = check.missed;
        }
        if (missed !== undefined) await this.#run(true, missed);
        else if (runOnStartup) await this.#run(false, undefined);
      } catch (err) {
        this.#warn(`Timer schedule status could not be read: ${(err as Error).message}`);
      } finally {
        this.#arm();
        externalWork.end();
      }
    })();
  }

  stop(): void {
    this.#stopped = true;
    this.#timer?.cancel();
  }

  #arm(): void {
    if (this.#stopped) return;
    const now = this.options.clock.now();
    const next = this.schedule.next(now);
    if (next === undefined) {
      this.#warn('The schedule has no further occurrence; the timer is not armed again.');
      return;
    }
    // The real clock is setTimeout, which fires at once past 2^31-1 ms (~24.8 days): a monthly or yearly schedule
    // waits in steps and looks again.
    if (next - now > MAX_TIMER_MS) this.#timer = this.options.clock.setTimer(() => this.#arm(), MAX_TIMER_MS, { passive: true });
    else this.#timer = this.options.clock.setTimer(() => this.#fire(next), next - now, { passive: true });
  }

  #fire(occurrence: number): void {
    if (this.#stopped) return;
    this.options.externalWork.begin();
    void this.#run(false, occurrence).finally(() => {
      this.#arm();
      this.options.externalWork.end();
    });
  }

  /** One invocation; `occurrence` is the scheduled time it stands for (undefined for runOnStartup). */
  async #run(isPastDue: boolean, occurrence: number | undefined): Promise<void> {
    const inputData: RpcParameterBinding[] = [{ name: this.triggerName, data: { json: timerInfo(this.schedule, this.#status, isPastDue) } }];
    for (const [name, binding] of Object.entries(this.metadata.bindings)) {
      if (binding.direction === 'in' && (binding.type === 'durableClient' || binding.type === 'orchestrationClient')) {
        inputData.push({ name, data: { string: this.options.durableClientPayload } });
      }
    }
    const outcome = await this.options.invoke({
      invocationId: randomUUID(), functionId: this.metadata.functionId ?? this.name, inputData, triggerMetadata: {},
    });
    if (outcome.error) {
      this.options.log({ level: 'error', category: 'host', functionName: this.name, message: `Executed with an error: ${outcome.error.stack ?? outcome.error.message}` });
    }
    if (this.#stopped || !this.#monitor || occurrence === undefined) return;
    // A failed invocation still moves the schedule on, as the extension's TimerListener does.
    this.#status = statusAfterRun(this.schedule, occurrence, this.options.clock.now());
    try {
      await this.options.store.writeTimerStatus(this.name, this.#status);
    } catch (err) {
      this.#warn(`Timer schedule status could not be saved: ${(err as Error).message}`);
    }
  }

  #warn(message: string): void {
    this.options.log({ level: 'warning', category: 'host', functionName: this.name, message });
  }
}
