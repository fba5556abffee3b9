// Wakes the running operation of each device whose twin changed: the device's lease names it (one point read by
// device id, never a scan), and a TwinChanged event is raised to that orchestration instance when the change could
// end it (the kind's mayEnd). A device with no running operation costs that one read; an unrelated change (another
// section), a progress-only report or an instance that is over is ignored. The orchestration reads the twin itself, so a wrong or late wake can cost a read but never an outcome.
import type { DeviceLeaseStore } from '../domain/ports';
import { operationDefinition } from '../domain/operations/registry';
import type { TwinChangedSignal } from '../orchestrations/deviceOperation';
import { sectionReports, type TwinChange } from './twinChangeBatch';

export interface WakeDependencies {
  leases: Pick<DeviceLeaseStore, 'read'>;
  /** Raises TwinChanged on the instance; 'gone' when no such instance exists (purged or never started). */
  raise(instanceId: string, signal: TwinChangedSignal): Promise<'raised' | 'gone'>;
  warn(message: string): void;
}

export interface WakeSummary {
  woken: number;
  /** No operation holds the device, or it has not claimed it yet (nothing sent, nothing to watch). */
  idle: number;
  /** The change is in a section the running operation does not watch. */
  unrelated: number;
  /** The change only reported progress in the watched section: nothing it says can end the operation. */
  progress: number;
  gone: number;
  failed: number;
}

/** Lease reads and raises in flight at once for one batch. */
const CONCURRENCY = 16;

export async function wakeOperations(changes: readonly TwinChange[], deps: WakeDependencies): Promise<WakeSummary> {
  const summary: WakeSummary = { woken: 0, idle: 0, unrelated: 0, progress: 0, gone: 0, failed: 0 };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < changes.length) {
      const change = changes[next++]!;
      try {
        summary[await wake(change, deps)] += 1;
      } catch (err) {
        // Polling is the safety net: a failed wake only delays what the next timed read sees.
        summary.failed += 1;
        deps.warn(`Could not wake the operation of device '${change.deviceId}': ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, changes.length) }, worker));
  return summary;
}

async function wake(change: TwinChange, deps: WakeDependencies): Promise<'woken' | 'idle' | 'unrelated' | 'progress' | 'gone'> {
  const lease = await deps.leases.read(change.deviceId);
  if (lease === null || lease.state !== 'running') return 'idle';
  const definition = operationDefinition(lease.operation);
  const reports = sectionReports(change, definition.section);
  if (reports !== 'all' && reports.length === 0) return 'unrelated';
  // Any report in the batch that could end it wakes it (coalesced progress and completion still wake).
  if (reports !== 'all' && !reports.some((patch) => definition.mayEnd(patch))) return 'progress';
  const raised = await deps.raise(lease.instanceId, { reportedVersion: change.reportedVersion });
  return raised === 'raised' ? 'woken' : 'gone';
}
