// Idle detection on its own: running work, HTTP invocations and runnable messages keep the engine busy; waiters
// are answered once the last piece settles; then the stack clock is told, and skips to the next timer when all is idle.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createClock } from '../../../../local/host/clock';
import { IdleDetector, type EngineWork } from '../../../../local/host/durable/idleDetector';

function detector(mode: 'virtual' | 'manual', waitingOnClock?: () => number) {
  const work: EngineWork = { episodes: 0, activities: 0, runnable: false };
  const clock = createClock(mode);
  const idle = new IdleDetector({ work: () => work, clock, settleMs: 0, waitingOnClock });
  return { work, clock, idle };
}

describe('idle detection', () => {
  it('each kind of work keeps it busy until it settles', async (t) => {
    const kinds: [string, (w: EngineWork) => void][] = [
      ['a running episode', (w) => (w.episodes = 1)],
      ['a running activity', (w) => (w.activities = 1)],
      ['a runnable message', (w) => (w.runnable = true)],
    ];
    for (const [name, busy] of kinds) {
      await t.test(name, async () => {
        const { work, idle } = detector('manual');
        busy(work);
        assert.equal(idle.isIdle, false);
        let answered = false;
        const waiting = idle.whenIdle().then(() => (answered = true));
        idle.settled(); // settles, but the work is still there
        await new Promise<void>((resolve) => setImmediate(resolve));
        assert.equal(answered, false);
        Object.assign(work, { episodes: 0, activities: 0, runnable: false });
        idle.settled();
        await waiting;
        idle.stop();
      });
    }
  });

  it('an HTTP invocation in flight counts as work', async () => {
    const { idle } = detector('manual');
    idle.beginExternalWork();
    assert.equal(idle.isIdle, false);
    const waiting = idle.whenIdle();
    idle.endExternalWork();
    await waiting;
    assert.equal(idle.isIdle, true);
    idle.stop();
  });

  it('activities waiting on the virtual clock do not count', () => {
    const { work, idle } = detector('manual', () => 1);
    work.activities = 1;
    assert.equal(idle.isIdle, true);
    work.activities = 2;
    assert.equal(idle.isIdle, false);
  });

  it('quiet (for stop) needs no running episode or activity, runnable messages allowed', async () => {
    const { work, idle } = detector('manual');
    work.activities = 1;
    work.runnable = true;
    const quiet = idle.whenQuiet();
    work.activities = 0;
    idle.settled();
    await quiet;
    assert.equal(idle.isIdle, false, 'still a runnable message');
    idle.stop();
  });

  it('an idle engine hands the decision to the stack clock: joined to a virtual clock, time jumps to its next timer', async () => {
    const due = Date.now() + 60_000;
    const { work, clock, idle } = detector('virtual');
    // As startLocalHost does: the engine joins the clock with its idleness and its next durable timer.
    const leave = clock.join({ name: 'engine', isIdle: () => idle.isIdle, nextDue: () => due });
    work.runnable = true;
    const jumped = new Promise<void>((resolve) => clock.onAdvance(resolve));
    const waiting = idle.whenIdle();
    work.runnable = false;
    idle.settled();
    await waiting;
    await jumped;
    assert.ok(clock.now() >= due - 5, `the clock reached the timer (${due - clock.now()} ms short)`);
    assert.equal(clock.skipped.jumps, 1);
    leave();
    idle.stop();
    clock.dispose();
  });

});
