// The one clock of the local stack: the Functions host, the IoT Hub emulator and the simulated devices read
// `now()` and schedule their waits on it, so a virtual run moves all three together. Components report work in
// flight (`run`) and wait on the clock (`sleep`, `setTimer`); the virtual clock jumps to the earliest wait only
// when nothing is in flight anywhere.

export type ClockMode = 'real' | 'virtual' | 'manual';

/** A scheduled callback; cancel() is safe after it fired. */
export interface ClockTimer {
  cancel(): void;
}

/**
 * A component whose idleness is a state rather than a count of work items (the durable engine: episodes,
 * activities, visible messages), with waits of its own the clock does not schedule (durable timers).
 */
export interface ClockParticipant {
  readonly name: string;
  isIdle(): boolean;
  /** Its earliest pending wake-up on this clock, if any. */
  nextDue(): number | undefined;
}

export interface StackClock {
  readonly mode: ClockMode;
  /** Milliseconds since the epoch on this clock. */
  now(): number;
  /** Moves virtual or manual time forward and fires what became due (the real clock refuses). */
  advance(ms: number): void;
  /** Called after each jump, so waits scheduled outside the clock can be re-armed. */
  onAdvance(listener: () => void): void;
  /**
   * Calls `callback` once `ms` of this clock's time has passed. A `passive` wait (a timer trigger's schedule)
   * fires when time reaches it but is never a reason for the virtual clock to jump: a schedule that recurs
   * forever would otherwise drive an idle stack's time on without end.
   */
  setTimer(callback: () => void, ms: number, options?: { passive?: boolean }): ClockTimer;
  /** Resolves after `ms` of this clock's time; the caller's work in flight (see run) is paused meanwhile. */
  sleep(ms: number): Promise<void>;
  /**
   * Runs `work` as work in flight: virtual time stands still until it settles, except while it waits on the
   * clock (sleep) or on something another component will do (idleWhile).
   */
  run<T>(reason: string, work: () => Promise<T>): Promise<T>;
  /** Waiting for `event` is not work in flight: the enclosing run() is paused until it settles. */
  idleWhile<T>(event: Promise<T>): Promise<T>;
  /** Registers a component with a state-based idleness; returns its leave function. */
  join(participant: ClockParticipant): () => void;
  /** Something became idle: look again whether time can skip ahead. */
  settle(): void;
  /** Reasons of the work in flight now (diagnostics and tests). */
  inFlight(): string[];
  /** Number of jumps so far and the total virtual time skipped (diagnostics and tests). */
  readonly skipped: { jumps: number; ms: number };
  /** Cancels the clock's own housekeeping timers. */
  dispose(): void;
}
