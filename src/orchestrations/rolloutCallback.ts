// The rollout orchestration's final step when its start gave a callbackUrl: read the closed rollout's status
// (rolloutFinalStatus) and deliver it through the shared completion-callback step (bounded retries, backoff).
import type { OrchestrationContext, Task } from 'durable-functions';
import { ROLLOUT_FINAL_STATUS } from '../activities/rolloutFinalStatus';
import { deliverCallback, type CallbackDelivery, type CallbackSubscription } from './completionCallback';
import { retryOptions } from './deviceOperation';

export function* rolloutCallback(context: OrchestrationContext, rolloutId: string,
  callback: CallbackSubscription): Generator<Task, CallbackDelivery | null, unknown> {
  const ctx = context.df;
  const final = ROLLOUT_FINAL_STATUS.decode(yield ctx.callActivityWithRetry(ROLLOUT_FINAL_STATUS.name, retryOptions(callback.retry), { rolloutId }));
  if (final.kind !== 'closed') return null;
  const delivery = yield* deliverCallback(context, rolloutId, callback, final.body);
  if (!ctx.isReplaying) context.info(`rollout ${rolloutId} callback: ${delivery.result} after ${delivery.attempts} attempt(s)`);
  return delivery;
}
