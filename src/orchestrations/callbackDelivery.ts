// The callback-delivery orchestration: a completion callback for an instance that is over but did not (or could
// not) make its callback itself — it was terminated (Durable terminate stops an orchestration where it stands, so
// its own callback step never runs), it failed, or the callback was subscribed after it started. Started by the
// callback sweeper (src/http/callbackSweep.ts) with the status route's final body; the same bounded retries.
import type { OrchestrationContext, Task } from 'durable-functions';
import { deliverCallback, type CallbackDelivery, type CallbackSubscription } from './completionCallback';

export interface CallbackDeliveryInput {
  /** The instance the callback is about (the callback store's row key). */
  instanceId: string;
  callback: CallbackSubscription;
  body: unknown;
}

export function* callbackDeliveryOrchestration(context: OrchestrationContext): Generator<Task, CallbackDelivery, unknown> {
  const input = context.df.getInput<CallbackDeliveryInput>();
  const delivery = yield* deliverCallback(context, input.instanceId, input.callback, input.body);
  if (!context.df.isReplaying) context.info(`Callback of ${input.instanceId} (sweeper): ${delivery.result} after ${delivery.attempts} attempt(s).`);
  return delivery;
}

/** One delivery instance per (callback, instance): a second sweep finds it and starts nothing. */
export function callbackDeliveryInstanceId(key: string, instanceId: string): string {
  return `callback-${key.slice(0, 16)}-${instanceId}`;
}
