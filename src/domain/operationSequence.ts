// Finds where a device's next reboot operation goes in its sequence 1, 2, 3… (instance ids reboot-<key>-<n>),
// or the operation that is still running. Operations are allocated in order and only the newest can be running,
// so the sequence reads [finished…][running?][free…]: a gallop from the hint, then a binary search, needs
// O(log n) status probes even when the hint is missing (usually two: the hint, then hint + 1).
import { MAX_OPERATION_SEQUENCE } from './operationIds';

export type SlotState = 'free' | 'running' | 'finished';
export type SlotProbe = (sequence: number) => Promise<SlotState>;
export type Slot = { kind: 'free'; sequence: number } | { kind: 'running'; sequence: number };

/** `hint`: the newest sequence number known (from the operations table), 0 when none. */
export async function findOperationSlot(probe: SlotProbe, hint: number): Promise<Slot> {
  let finished = 0;
  if (hint >= 1) {
    const state = await probe(hint);
    if (state === 'running') return { kind: 'running', sequence: hint };
    // The newest known operation's instance is gone (purged): its number is free again.
    if (state === 'free') return { kind: 'free', sequence: hint };
    finished = hint;
  }
  let step = 1;
  let free = 0;
  while (free === 0) {
    const candidate = Math.min(finished + step, MAX_OPERATION_SEQUENCE);
    const state = await probe(candidate);
    if (state === 'running') return { kind: 'running', sequence: candidate };
    if (state === 'free') {
      free = candidate;
    } else {
      if (candidate === MAX_OPERATION_SEQUENCE) throw new RangeError('no free operation sequence number left for this device');
      finished = candidate;
      step *= 2;
    }
  }
  while (free - finished > 1) {
    const middle = Math.floor((finished + free) / 2);
    const state = await probe(middle);
    if (state === 'running') return { kind: 'running', sequence: middle };
    if (state === 'free') free = middle;
    else finished = middle;
  }
  return { kind: 'free', sequence: free };
}
