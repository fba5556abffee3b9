import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { findOperationSlot, type SlotState } from '../../../src/domain/operationSequence';

/** Sequences 1..finished are done, then optionally one running; everything above is free. */
function world(finished: number, running = false): { probe: (n: number) => Promise<SlotState>; probes: number[] } {
  const probes: number[] = [];
  return {
    probes,
    probe: async (n: number) => {
      probes.push(n);
      if (n <= finished) return 'finished';
      if (running && n === finished + 1) return 'running';
      return 'free';
    },
  };
}

test('with an accurate hint: two probes (the newest, then the next)', async () => {
  const w = world(7);
  assert.deepEqual(await findOperationSlot(w.probe, 7), { kind: 'free', sequence: 8 });
  assert.deepEqual(w.probes, [7, 8]);
});

test('the newest operation still running is found', async () => {
  const w = world(6, true);
  assert.deepEqual(await findOperationSlot(w.probe, 7), { kind: 'running', sequence: 7 });
  assert.deepEqual(w.probes, [7]);
});

test('a hint one behind (the running operation has not recorded itself yet) still finds it', async () => {
  const w = world(7, true);
  assert.deepEqual(await findOperationSlot(w.probe, 7), { kind: 'running', sequence: 8 });
});

test('no hint: first operation gets 1; a long unknown history is found in O(log n) probes', async () => {
  assert.deepEqual(await findOperationSlot(world(0).probe, 0), { kind: 'free', sequence: 1 });
  const w = world(1000);
  assert.deepEqual(await findOperationSlot(w.probe, 0), { kind: 'free', sequence: 1001 });
  assert.ok(w.probes.length <= 25, `${w.probes.length} probes`);
  const r = world(1000, true);
  assert.deepEqual(await findOperationSlot(r.probe, 0), { kind: 'running', sequence: 1001 });
});

test('a purged newest instance frees its number again', async () => {
  const w = world(4);
  assert.deepEqual(await findOperationSlot(w.probe, 9), { kind: 'free', sequence: 9 });
});
