// The host's notion of "now" for history timestamps and durable timers. The virtual clock runs at
// real speed plus an offset that jumps forward, so a 10-minute durable timer can fire at once while
// OrchestratorStarted timestamps stay monotonic and plausible. Activity code always runs in real time.

export type ClockMode = 'real' | 'virtual' | 'manual';

export interface Clock {
  readonly mode: ClockMode;
  now(): number;
  /** Moves virtual time forward (no effect on the real clock). */
  advance(ms: number): void;
  /** Called after each jump so timers can be re-armed. */
  onAdvance(listener: () => void): void;
}

export function createClock(mode: ClockMode): Clock {
  let offset = 0;
  const listeners: (() => void)[] = [];
  return {
    mode,
    now: () => Date.now() + offset,
    advance(ms: number) {
      if (mode === 'real') throw new Error('advance() needs the virtual or manual clock.');
      if (!(ms > 0)) return;
      offset += ms;
      for (const listener of listeners) listener();
    },
    onAdvance(listener) {
      listeners.push(listener);
    },
  };
}
