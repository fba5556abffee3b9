// Activity: the body of a rollout's completion callback, read from its summary row once the rollout is closed —
// the rollout status route's body (its URLs aside: they carry the caller's key) plus `status`.
import { rolloutCallbackStatus } from '../domain/callbacks/callbackStatus';
import type { RolloutStore } from '../domain/rollouts/rolloutStore';
import { rolloutView } from '../domain/rollouts/rolloutView';
import { contract } from './contracts';

export interface RolloutFinalStatusInput { rolloutId: string }
export type RolloutFinalStatusResult = { kind: 'closed'; body: Record<string, unknown> } | { kind: 'notClosed' };

export const ROLLOUT_FINAL_STATUS = contract<RolloutFinalStatusInput, RolloutFinalStatusResult>('rolloutFinalStatus', ['closed', 'notClosed']);

export async function rolloutFinalStatus(input: RolloutFinalStatusInput, deps: { store: Pick<RolloutStore, 'read'> }): Promise<RolloutFinalStatusResult> {
  const summary = await deps.store.read(input.rolloutId);
  if (summary === null || summary.state === 'running') return { kind: 'notClosed' };
  return { kind: 'closed', body: { ...rolloutView(summary), status: rolloutCallbackStatus(summary.state) } };
}
