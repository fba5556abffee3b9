// The callback sweeper: finds completion callbacks still waiting for instances that are over and delivers them
// through the callback-delivery orchestration. It is how callbacks reach Logic Apps when the instance's own
// callback step cannot run: after a Durable terminate (nothing inside a terminated orchestration runs again, so
// terminate is not observable from inside), after an orchestration failure, or for a subscription made while the
// operation was already running (subscribeCallback). It runs
//   • every minute on Azure (the sweepCallbacks timer function), over every waiting callback;
//   • at once for one instance when a subscription arrives for an operation that is already over, and when the
//     status route reads an operation that is over (so a caller who polls sees its callback go out too).
// An instance still active is left alone: its own final step, or a later sweep, handles it. Rollouts are swept
// by the timer only (with the rollout store): a terminated rollout's summary is never closed, so its callback
// reports it `failed`, as its status route does.
import { parseInstanceId } from '../domain/operationIds';
import { callbackStatus, rolloutCallbackStatus } from '../domain/callbacks/callbackStatus';
import type { CallbackStore } from '../domain/callbacks/callbackStore';
import { isRolloutId } from '../domain/rollouts/rolloutIds';
import type { RolloutStore } from '../domain/rollouts/rolloutStore';
import { rolloutView, unclosedAsFailed } from '../domain/rollouts/rolloutView';
import { FUNCTION } from '../functionNames';
import { FUNCTION_ROLLOUT } from '../rolloutFunctionNames';
import { callbackDeliveryInstanceId, type CallbackDeliveryInput } from '../orchestrations/callbackDelivery';
import type { RetrySpec } from '../orchestrations/deviceOperationInput';
import { findInstance, isActive, type OrchestrationClient } from './durableStatus';
import { endedOperationBody, findOperation } from './getOperationStatus';

export interface SweepDependencies {
  callbacks: Pick<CallbackStore, 'forInstance' | 'pending' | 'remove'>;
  retry: RetrySpec;
  /** Rollout summaries: without them, rollouts' callbacks are left to their own final step. */
  rollouts?: Pick<RolloutStore, 'read'>;
}

export type SweepResult = 'delivering' | 'active' | 'gone' | 'notAnOperation';


/** Sweeps every waiting callback; returns how many deliveries it started. */
export async function sweepCallbacks(client: Pick<OrchestrationClient, 'getStatus' | 'startNew'>, deps: SweepDependencies): Promise<number> {
  let started = 0;
  for (const { key, instanceId } of await deps.callbacks.pending()) {
    if (await sweepOne(client, deps, key, instanceId) === 'delivering') started += 1;
  }
  return started;
}

/** Sweeps the callbacks waiting for one instance. */
export async function sweepInstance(client: Pick<OrchestrationClient, 'getStatus' | 'startNew'>, deps: SweepDependencies, instanceId: string): Promise<number> {
  let started = 0;
  for (const key of await deps.callbacks.forInstance(instanceId)) {
    if (await sweepOne(client, deps, key, instanceId) === 'delivering') started += 1;
  }
  return started;
}

async function sweepOne(client: Pick<OrchestrationClient, 'getStatus' | 'startNew'>, deps: SweepDependencies, key: string, instanceId: string): Promise<SweepResult> {
  let body: Record<string, unknown> | null;
  if (parseInstanceId(instanceId) !== undefined) {
    const status = await findOperation(client, instanceId, true);
    if (status !== null && isActive(status)) return 'active';
    const ended = status === null ? null : endedOperationBody(instanceId, status);
    body = ended === null ? null : { ...ended, status: callbackStatus(ended.outcome) };
  } else if (isRolloutId(instanceId) && deps.rollouts !== undefined) {
    const status = await findInstance(client, instanceId);
    if (status !== null && isActive(status)) return 'active';
    const summary = status === null || status.name !== FUNCTION_ROLLOUT.orchestrator ? null : await deps.rollouts.read(instanceId);
    const ended = summary === null ? null : unclosedAsFailed(summary);
    body = ended === null || ended.state === 'running' ? null : { ...rolloutView(ended), status: rolloutCallbackStatus(ended.state) };
  } else {
    return 'notAnOperation';
  }
  if (body === null) {
    // The instance was purged (or never existed): nothing will ever end it, so nothing can be reported.
    await deps.callbacks.remove(key, instanceId);
    return 'gone';
  }
  const deliveryId = callbackDeliveryInstanceId(key, instanceId);
  const previous = await findInstance(client, deliveryId);
  if (previous !== null && isActive(previous)) return 'delivering';
  const input: CallbackDeliveryInput = { instanceId, callback: { key, retry: deps.retry }, body };
  await client.startNew(FUNCTION.callbackDeliveryOrchestrator, { instanceId: deliveryId, input });
  return 'delivering';
}
