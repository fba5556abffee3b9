// The completion-callback step every orchestration ends with when its start asked for one (device operations,
// rollouts, and the callback-delivery orchestration the sweeper starts for ended instances): one notifyCallback
// attempt after another, bounded, with backoff on durable timers. Whatever the receiver does, the caller's own
// outcome stands; the step only reports how the callback went.
import type { OrchestrationContext, Task } from 'durable-functions';
import { ACTIVITY, type NotifyResult } from '../activities/contracts';
import { backoff } from './backoff';
import type { RetrySpec } from './deviceOperationInput';

/** Where the callback goes (the URL's lookup key; the URL itself stays in the callback store) and how often to try. */
export interface CallbackSubscription { key: string; retry: RetrySpec }

export interface CallbackDelivery { result: NotifyResult['kind']; attempts: number }

export function* deliverCallback(context: OrchestrationContext, instanceId: string, callback: CallbackSubscription,
  body: unknown): Generator<Task, CallbackDelivery, unknown> {
  const ctx = context.df;
  for (let attempt = 1; ; attempt += 1) {
    const lastAttempt = attempt >= callback.retry.maxAttempts;
    let result: NotifyResult;
    try {
      result = ACTIVITY.notifyCallback.decode(yield ctx.callActivity(ACTIVITY.notifyCallback.name,
        { instanceId, key: callback.key, body, attempt, lastAttempt }));
    } catch (err) {
      result = { kind: 'retry', reason: err instanceof Error ? err.message.split('\n')[0]! : String(err) };
    }
    if (result.kind !== 'retry' || lastAttempt) return { result: result.kind, attempts: attempt };
    yield ctx.createTimer(new Date(ctx.currentUtcDateTime.getTime() + backoff(callback.retry, attempt)));
  }
}

