// The stack clock: virtual time skips only when nothing is in flight, waits fire in due order, the manual
// clock moves only when told, the real clock is wall time.
import assert from 'node:assert/strict';
import { once, EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { createStackClock, type StackClock } from '../../../local/clock';

const MINUTE = 60_000;

/** Resolves when `emitter` emits `name` (a wall-time event the clock knows nothing about). */
function realEvent(emitter: EventEmitter, name: string): Promise<unknown> {
  return once(emitter, name);
}

/**
 * A negative check, not a wait for something: 30 ms of wall time gives the clock (2 ms settle delay) many chances
 * to skip when it must not; the assertion after it fails if it did.
 */
function noSkipWindow(): Promise<void> {
  return new Promise<void>((resolve) => setTimeout(resolve, 30));
}

function withClock(mode: 'virtual' | 'manual', test: (clock: StackClock) => Promise<void>): () => Promise<void> {
  return async () => {
    const clock = createStackClock(mode);
    try {
      await test(clock);
    } finally {
      clock.dispose();
    }
  };
}

describe('stack clock: virtual', () => {
  it('skips a 10-minute sleep when nothing is in flight', withClock('virtual', async (clock) => {
    const wall = Date.now();
    const start = clock.now();
    await clock.sleep(10 * MINUTE);
    assert.ok(clock.now() - start >= 10 * MINUTE);
    assert.ok(Date.now() - wall < 1000, `took ${Date.now() - wall} ms of wall time`);
    assert.equal(clock.skipped.jumps, 1);
  }));

  it('holds time while work is in flight and skips once it ends', withClock('virtual', async (clock) => {
    const start = clock.now();
    const gate = new EventEmitter();
    let firedAt: number | undefined;
    clock.setTimer(() => (firedAt = clock.now()), MINUTE);
    const work = clock.run('a message in flight', () => realEvent(gate, 'delivered'));
    await noSkipWindow();
    assert.equal(firedAt, undefined);
    assert.deepEqual(clock.inFlight(), ['a message in flight']);
    gate.emit('delivered');
    await work;
    await clock.sleep(2 * MINUTE);
    assert.ok(firedAt !== undefined && firedAt - start >= MINUTE, 'the minute fired after the work ended');
  }));

  it('lets time skip while work in flight sleeps on the clock, and holds it again after', withClock('virtual', async (clock) => {
    const gate = new EventEmitter();
    const steps: string[] = [];
    clock.setTimer(() => steps.push('other minute'), MINUTE);
    const device = clock.run('device reboot', async () => {
      await clock.sleep(3000); // the device is down: nothing in flight
      steps.push('back');
      gate.emit('back');
      await realEvent(gate, 'acknowledged'); // reporting: in flight again
      steps.push('reported');
    });
    await realEvent(gate, 'back');
    await noSkipWindow();
    assert.deepEqual(steps, ['back'], 'the minute waits for the report');
    gate.emit('acknowledged');
    await device;
    await clock.sleep(2 * MINUTE);
    assert.deepEqual(steps, ['back', 'reported', 'other minute']);
  }));

  it('does not skip while a participant is busy, and skips to its own next wake-up', withClock('virtual', async (clock) => {
    let idle = false;
    const start = clock.now();
    const due = start + 5 * MINUTE;
    const leave = clock.join({ name: 'engine', isIdle: () => idle, nextDue: () => due });
    const advanced: number[] = [];
    clock.onAdvance(() => advanced.push(clock.now()));
    await noSkipWindow();
    assert.deepEqual(advanced, [], 'a busy participant holds time');
    assert.deepEqual(clock.inFlight(), ['engine']);
    idle = true;
    clock.settle();
    await new Promise<void>((resolve) => clock.onAdvance(resolve));
    assert.ok(advanced[0]! >= due && advanced[0]! < due + 1000, 'jumped to the participant\'s wake-up, not beyond');
    leave();
  }));

  it('fires timers in due order and never a cancelled one', withClock('virtual', async (clock) => {
    const fired: string[] = [];
    clock.setTimer(() => fired.push('3 min'), 3 * MINUTE);
    clock.setTimer(() => fired.push('1 min'), MINUTE);
    clock.setTimer(() => fired.push('2 min'), 2 * MINUTE).cancel();
    await clock.sleep(4 * MINUTE);
    assert.deepEqual(fired, ['1 min', '3 min']);
  }));

  it('pauses the enclosing work while it waits on another component (idleWhile)', withClock('virtual', async (clock) => {
    const start = clock.now();
    const connected = new Promise<void>((resolve) => clock.setTimer(resolve, 30_000));
    await clock.run('a request waiting for a device to connect', () => clock.idleWhile(connected));
    assert.ok(clock.now() - start >= 30_000);
  }));
});

describe('stack clock: manual and real', () => {
  it('manual: moves only when advanced, and fires what became due', withClock('manual', async (clock) => {
    const fired: string[] = [];
    clock.setTimer(() => fired.push('1 min'), MINUTE);
    await noSkipWindow();
    assert.deepEqual(fired, []);
    clock.advance(MINUTE);
    assert.deepEqual(fired, ['1 min']);
  }));

  it('real: wall time, and advance is refused', async () => {
    const clock = createStackClock();
    assert.ok(Math.abs(clock.now() - Date.now()) < 50);
    assert.throws(() => clock.advance(1), /virtual or manual/);
    const wall = Date.now();
    await clock.sleep(20);
    assert.ok(Date.now() - wall >= 15);
    assert.equal(await clock.run('work', async () => 42), 42);
  });
});
