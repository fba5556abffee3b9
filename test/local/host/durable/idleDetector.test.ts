// Idle detection on its own: running work, HTTP invocations and runnable messages keep the engine busy; waiters
// are answered once the last piece settles; the virtual clock skips to the next timer only when idle.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createClock } from '../../../../local/host/clock';
import { IdleDetector, type EngineWork } from '../../../../local/host/durable/idleDetector';
import { silentLog } from '../../../../local/host/log';

function detector(mode: 'virtual' | 'manual', nextTimerDue?: number, waitingOnClock?: () => number) {
  const work: EngineWork = { episodes: 0, activities: 0, runnable: false };
  const clock = createClock(mode);
  const idle = new IdleDetector({ work: () => work, clock, nextTimerDue: () => nextTimerDue, log: silentLog, settleMs: 0, waitingOnClock });
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
    const { work, idle } = detector('manual', undefined, () => 1);
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

  it('the virtual clock jumps to the next timer when idle; the manual clock never does', async (t) => {
    for (const mode of ['virtual', 'manual'] as const) {
      await t.test(mode, async () => {
        const { work, clock, idle } = detector(mode, Date.now() + 60_000);
        const before = clock.now();
        let advanced = false;
        clock.onAdvance(() => (advanced = true));
        work.runnable = true;
        const waiting = idle.whenIdle();
        work.runnable = false;
        idle.settled();
        // The check answers the waiters, then skips in the same turn: done before this await resumes.
        await waiting;
        assert.equal(advanced, mode === 'virtual');
        if (mode === 'virtual') assert.ok(clock.now() - before >= 59_000);
        idle.stop();
      });
    }
  });
});
