// The host's notion of "now" for history timestamps and durable timers: the stack's clock (local/clock). The
// virtual clock runs at real speed plus an offset that jumps forward when the whole stack is idle, so a
// 10-minute durable timer can fire at once while OrchestratorStarted timestamps stay monotonic and plausible.
// Activity code (the worker process) always runs on wall time.
import { createStackClock, type ClockMode, type StackClock } from '../clock';

export type { ClockMode };

/** What the durable engine needs of the clock. */
export type Clock = Pick<StackClock, 'mode' | 'now' | 'advance' | 'onAdvance' | 'settle'>;

export function createClock(mode: ClockMode): StackClock {
  return createStackClock(mode);
}
