// The part of the Durable client the HTTP functions use, and instance-status helpers.
import type { DurableClient, DurableOrchestrationStatus } from 'durable-functions';
import type { HolderState } from '../domain/deviceGuard';

/** Satisfied by durable-functions' DurableClient; tests may pass their own object. */
export type OrchestrationClient = Pick<DurableClient, 'getStatus' | 'startNew' | 'raiseEvent'>;

/** Runtime states in which an instance still does work (extension HttpApiHandler: these answer 202). */
const ACTIVE = new Set<string>(['Running', 'Pending', 'ContinuedAsNew', 'Suspended']);

export function isActive(status: DurableOrchestrationStatus): boolean {
  return ACTIVE.has(String(status.runtimeStatus));
}

/**
 * The instance's status, or null when the instance does not exist. durable-functions' getStatus rejects with a
 * plain Error for the extension's 404 ("…replied with HTTP 404 response…", DurableClient.getStatus).
 */
export async function findInstance(client: Pick<OrchestrationClient, 'getStatus'>, instanceId: string, showInput = false): Promise<DurableOrchestrationStatus | null> {
  try {
    return await client.getStatus(instanceId, { showInput, showHistory: false, showHistoryOutput: false });
  } catch (err) {
    if (err instanceof Error && /\bHTTP 404\b/.test(err.message)) return null;
    throw err;
  }
}

/** What a device lease's holder is doing, for the guard's take-over rule. */
export async function holderState(client: Pick<OrchestrationClient, 'getStatus'>, instanceId: string): Promise<HolderState> {
  const status = await findInstance(client, instanceId);
  if (status === null) return 'missing';
  const runtime = String(status.runtimeStatus);
  if (runtime === 'Pending') return 'pending';
  return ACTIVE.has(runtime) ? 'active' : 'terminal';
}
