// The determinism check of an episode: the replay must emit every recorded action again, identically and in
// the same position (DTFx's NonDeterministicOrchestrationException cases). A timer the replay now marks canceled
// (TimerTask.cancel(), e.g. the loser of a Task.any) is no longer owed: its pending entry goes and its message is
// deleted after the commit.
import { ActionType, replayMismatch, type ActionJson } from './actions';
import type { EpisodeContext } from './actionTranslation';

/** Returns where and how the replay differs from the record, or undefined when it matches. */
export function checkReplay(ctx: EpisodeContext, actions: ActionJson[]): string | undefined {
  const { engine } = ctx;
  for (const [i, recorded] of engine.actions.entries()) {
    const replayed = actions[i];
    const mismatch = replayed ? replayMismatch(recorded, replayed) : `the replay emitted only ${actions.length} of the ${engine.actions.length} recorded actions`;
    if (mismatch || !replayed) return `at action ${i}: ${mismatch}`;
    if (replayed.actionType === ActionType.CreateTimer && replayed.isCanceled && engine.pending[String(recorded.id)]?.kind === 'timer') {
      delete engine.pending[String(recorded.id)];
      ctx.outbound.push({ type: 'cancelTimer', timerId: recorded.id });
    }
  }
  return undefined;
}
