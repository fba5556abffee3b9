// The part of the Durable client the HTTP functions use, and instance-status helpers.
import type { DurableClient, DurableOrchestrationStatus } from 'durable-functions';

/** Satisfied by durable-functions' DurableClient; tests may pass their own object. */
export type OrchestrationClient = Pick<DurableClient, 'getStatus' | 'startNew' | 'createHttpManagementPayload'>;

/** Runtime states in which an instance still does work (extension HttpApiHandler: these answer 202). */
const ACTIVE = new Set<string>(['Running', 'Pending', 'ContinuedAsNew', 'Suspended']);

export function isActive(status: DurableOrchestrationStatus): boolean {
  return ACTIVE.has(String(status.runtimeStatus));
}

/**
 * The instance's status, or null when the instance does not exist. durable-functions' getStatus rejects with a
 * plain Error for the extension's 404 ("…replied with HTTP 404 response…", DurableClient.getStatus).
 */
export async function findInstance(client: OrchestrationClient, instanceId: string, showInput = false): Promise<DurableOrchestrationStatus | null> {
  try {
    return await client.getStatus(instanceId, { showInput, showHistory: false, showHistoryOutput: false });
  } catch (err) {
    if (err instanceof Error && /\bHTTP 404\b/.test(err.message)) return null;
    throw err;
  }
}
