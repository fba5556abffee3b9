// Wall time: timers are node timers, work in flight needs no bookkeeping.
import type { ClockTimer, StackClock } from './stackClock';

export function createRealClock(): StackClock {
  return {
    mode: 'real',
    now: () => Date.now(),
    advance() {
      throw new Error('advance() needs the virtual or manual clock.');
    },
    onAdvance() {
      // Real time never jumps.
    },
    setTimer(callback: () => void, ms: number): ClockTimer {
      const timer = setTimeout(callback, Math.max(0, ms));
      return { cancel: () => clearTimeout(timer) };
    },
    sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms))),
    run: (_reason, work) => work(),
    idleWhile: (event) => event,
    join: () => () => undefined,
    settle() {
      // Nothing to skip.
    },
    inFlight: () => [],
    skipped: { jumps: 0, ms: 0 },
    dispose() {
      // No housekeeping timers.
    },
  };
}
