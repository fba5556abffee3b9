// The stack's clock (see stackClock.ts): real by default, virtual to skip idle time, manual for tests that
// move time themselves.
import { createRealClock } from './realClock';
import type { ClockMode, StackClock } from './stackClock';
import { createVirtualClock } from './virtualClock';

export type { ClockMode, ClockParticipant, ClockTimer, StackClock } from './stackClock';

export function createStackClock(mode: ClockMode = 'real'): StackClock {
  return mode === 'real' ? createRealClock() : createVirtualClock(mode);
}
