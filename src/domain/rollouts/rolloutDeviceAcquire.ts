// Acquiring a device's lease for a rollout, from an activity: the same DeviceGuard.acquire the single-device
// start request uses (one operation per device, across kinds), with two differences:
//  - an activity has no Durable client, so the holder's state comes from its operation record: a final record
//    means over ('terminal'); no record at all means the holder never claimed the lease ('pending': the claim
//    writes the first record), which the guard takes over once the start grace has passed, exactly as a
//    single-device start takes over a holder stuck in Pending (an abandoned lease: a crash between acquiring
//    and starting); any other holder is reported busy — a rollout never double-acts;
//  - a re-executed activity (the host crashed before its result was recorded; the caller knows from the mark it
//    left on the device row before acquiring) finds the lease it acquired itself (same operation, same
//    acquisition time, still `starting`) and reuses it instead of reporting the device busy.
import { historySequenceHint, type DeviceGuard, type HolderState } from '../deviceGuard';
import type { DeviceLease } from '../deviceLease';
import { operationInstanceId } from '../operationIds';
import type { OperationKind } from '../operations/operationKind';
import type { DeviceLeaseStore, OperationsStore } from '../ports';

export type RolloutAcquireResult = { kind: 'acquired'; instanceId: string } | { kind: 'busy'; holder: string };

export interface RolloutAcquireDependencies {
  guard: DeviceGuard;
  leases: Pick<DeviceLeaseStore, 'read'>;
  operations: Pick<OperationsStore, 'latest' | 'find'>;
}

export async function acquireForRollout(deviceId: string, operation: OperationKind, requestedAt: string, retried: boolean,
  deps: RolloutAcquireDependencies): Promise<RolloutAcquireResult> {
  if (retried) {
    const current = await deps.leases.read(deviceId);
    if (current !== null && isOwnAcquisition(current, operation, requestedAt)) return { kind: 'acquired', instanceId: current.instanceId };
  }
  const acquired = await deps.guard.acquire({
    deviceId, operation, requestedAt,
    instanceIdFor: (sequence) => operationInstanceId(operation, deviceId, sequence),
    sequenceHint: () => historySequenceHint(deps.operations, deviceId),
    holderState: async (instanceId): Promise<HolderState> => {
      const lease = await deps.leases.read(deviceId);
      if (lease === null || lease.instanceId !== instanceId) return 'active';
      let record;
      try {
        record = await deps.operations.find(deviceId, lease.acquiredAt, instanceId);
      } catch {
        return 'active'; // unknown: never take over on a failed read
      }
      if (record === null) return 'pending';
      return record.outcome !== null ? 'terminal' : 'active';
    },
  });
  return acquired.kind === 'busy' ? { kind: 'busy', holder: acquired.holder.instanceId } : { kind: 'acquired', instanceId: acquired.lease.instanceId };
}

function isOwnAcquisition(lease: DeviceLease, operation: OperationKind, requestedAt: string): boolean {
  return lease.state === 'starting' && lease.operation === operation && lease.acquiredAt === requestedAt;
}
