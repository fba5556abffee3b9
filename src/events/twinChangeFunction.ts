// The Event Hubs-triggered function body: read the batch, wake the operations, log one line per batch.
import type { InvocationContext } from '@azure/functions';
import type { DurableClient } from 'durable-functions';
import type { DeviceLeaseStore } from '../domain/ports';
import { TWIN_CHANGED_EVENT } from '../orchestrations/deviceOperation';
import { readTwinChangeBatch, type BatchMetadata } from './twinChangeBatch';
import { wakeOperations, type WakeSummary } from './wakeOperations';

export async function handleTwinChangeEvents(messages: unknown, client: Pick<DurableClient, 'raiseEvent'>, context: InvocationContext,
  leases: Pick<DeviceLeaseStore, 'read'>): Promise<WakeSummary> {
  const { changes, skipped } = readTwinChangeBatch(messages, context.triggerMetadata as BatchMetadata | undefined);
  const summary = await wakeOperations(changes, {
    leases,
    async raise(instanceId, signal) {
      try {
        // durable-functions answers 410 (instance over) as success; 404 (no such instance) rejects.
        await client.raiseEvent(instanceId, TWIN_CHANGED_EVENT, signal);
        return 'raised';
      } catch (err) {
        if (err instanceof Error && /^No instance with ID/.test(err.message)) return 'gone';
        throw err;
      }
    },
    warn: (message) => context.warn(message),
  });
  if (changes.length > 0 || skipped > 0) {
    context.info(`Twin change events: ${changes.length} device(s) changed, ${skipped} other event(s); woke ${summary.woken}, `
      + `idle ${summary.idle}, unrelated ${summary.unrelated}, progress only ${summary.progress}, gone ${summary.gone}, failed ${summary.failed}.`);
  }
  return summary;
}
