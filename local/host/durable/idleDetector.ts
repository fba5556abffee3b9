// Idle detection: the engine is idle when no episode or activity runs, no HTTP invocation is in flight and no
// inbox message is runnable. whenIdle() waiters are answered a short real delay after the last piece of work
// settles (in-flight callbacks settle first); then the clock is told, and a virtual stack clock skips to the
// earliest wait of the whole stack (the engine's next durable timer among them) once every part of it is idle. "Quiet" (nothing running, runnable messages allowed) is what stop() waits for.
import type { Clock } from '../clock';

export interface EngineWork {
  episodes: number;
  activities: number;
  /** Whether some instance has a message it can process now. */
  runnable: boolean;
}

export interface IdleDetectorOptions {
  work: () => EngineWork;
  clock: Clock;
  /** Activity invocations waiting for virtual time (the test environment): not busy. */
  waitingOnClock?: () => number;
  /** Real delay before the idle state is acted upon (default 5 ms). */
  settleMs?: number;
}

export class IdleDetector {
  #external = 0;
  #check: NodeJS.Timeout | undefined;
  #stopped = false;
  #idleWaiters: (() => void)[] = [];
  #quietWaiters: (() => void)[] = [];

  constructor(private readonly options: IdleDetectorOptions) {}

  /** HTTP invocations in flight count as activity for the virtual clock. */
  beginExternalWork(): void {
    this.#external++;
  }

  endExternalWork(): void {
    this.#external--;
    this.schedule();
  }

  get isIdle(): boolean {
    const work = this.options.work();
    const activities = work.activities - (this.options.waitingOnClock?.() ?? 0);
    return work.episodes === 0 && activities <= 0 && this.#external === 0 && !work.runnable;
  }

  /** Resolves the next time nothing is runnable (timers may still be pending). */
  whenIdle(): Promise<void> {
    if (this.isIdle) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Resolves when no episode or activity runs. */
  whenQuiet(): Promise<void> {
    if (this.#quiet()) return Promise.resolve();
    return new Promise((resolve) => this.#quietWaiters.push(resolve));
  }

  /** Called whenever a piece of work settles: answers quiet waiters now and idle waiters after the settle delay. */
  settled(): void {
    this.schedule();
    if (!this.#quiet()) return;
    for (const resolve of this.#quietWaiters.splice(0)) resolve();
  }

  /** Looks at the idle state after the settle delay. */
  schedule(): void {
    if (this.#stopped || this.#check) return;
    this.#check = setTimeout(() => {
      this.#check = undefined;
      if (!this.isIdle) return;
      for (const resolve of this.#idleWaiters.splice(0)) resolve();
      this.#skipToNextTimer();
    }, this.options.settleMs ?? 5);
  }

  stop(): void {
    this.#stopped = true;
    if (this.#check) clearTimeout(this.#check);
    this.#check = undefined;
  }

  #quiet(): boolean {
    const work = this.options.work();
    return work.episodes === 0 && work.activities === 0;
  }

  /** The clock decides whether time skips ahead: with the stack's clock, the emulator and the devices may still be busy. */
  #skipToNextTimer(): void {
    this.options.clock.settle();
  }
}
