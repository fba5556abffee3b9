// The callback sweeper: finds completion callbacks still waiting for instances that are over and delivers them
// through the callback-delivery orchestration. It is how callbacks reach Logic Apps when the instance's own
// callback step cannot run: after a Durable terminate (nothing inside a terminated orchestration runs again, so
// terminate is not observable from inside), after an orchestration failure, or for a subscription made while the
// operation was already running (subscribeCallback). It runs
//   • every minute on Azure (the sweepCallbacks timer function), over every waiting callback;
//   • at once for one instance when a subscription arrives for an operation that is already over, and when the
//     status route reads an operation that is over (so a caller who polls sees its callback go out too).
// An instance still active is left alone: its own final step, or a later sweep, handles it.
import { parseInstanceId } from '../domain/operationIds';
import { callbackStatus } from '../domain/callbacks/callbackStatus';
import type { CallbackStore } from '../domain/callbacks/callbackStore';
import { FUNCTION } from '../functionNames';
import { callbackDeliveryInstanceId, type CallbackDeliveryInput } from '../orchestrations/callbackDelivery';
import type { RetrySpec } from '../orchestrations/deviceOperationInput';
import { findInstance, isActive, type OrchestrationClient } from './durableStatus';
import { endedOperationBody, findOperation } from './getOperationStatus';

export interface SweepDependencies {
  callbacks: Pick<CallbackStore, 'forInstance' | 'pending' | 'remove'>;
  retry: RetrySpec;
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
  // Rollouts end through their own final step; a rollout's row is left to it (see README: rollout callbacks).
  if (parseInstanceId(instanceId) === undefined) return 'notAnOperation';
  const status = await findOperation(client, instanceId, true);
  if (status === null) {
    // The instance was purged (or never existed): nothing will ever end it, so nothing can be reported.
    await deps.callbacks.remove(key, instanceId);
    return 'gone';
  }
  if (isActive(status)) return 'active';
  const deliveryId = callbackDeliveryInstanceId(key, instanceId);
  const previous = await findInstance(client, deliveryId);
  if (previous !== null && isActive(previous)) return 'delivering';
  const body = endedOperationBody(instanceId, status);
  const input: CallbackDeliveryInput = { instanceId, callback: { key, retry: deps.retry }, body: { ...body, status: callbackStatus(body.outcome) } };
  await client.startNew(FUNCTION.callbackDeliveryOrchestrator, { instanceId: deliveryId, input });
  return 'delivering';
}
