// One operation per device, atomically, on nothing but conditional writes to the device's lease row (ETag):
// of two writers that read the same lease, exactly one replaces it. No read-then-start race is left:
//  - a start request acquires the lease (state `starting`) before it starts the orchestration;
//  - the orchestration claims it (`running`) before it may send anything, so an instance that lost its lease
//    (taken over while it sat Pending) acts on nothing;
//  - every method attempt is journaled on the lease before it is sent, so a re-executed activity never sends twice;
//  - the orchestration releases it (`free`) with its final record.
// A lease whose holder is over (or never got past Pending within the start grace) is taken over, so no crash can
// lock a device out.
import type { DeviceLease, LeaseWrite } from './deviceLease';
import type { OperationKind } from './operations/operationKind';
import { parseInstanceId } from './operationIds';
import type { DeviceLeaseStore, OperationsStore } from './ports';

/** What the Durable client says about a lease holder. */
export type HolderState = 'active' | 'pending' | 'terminal' | 'missing';

export type AcquireResult =
  | { kind: 'acquired'; lease: DeviceLease; takenOver: { lease: DeviceLease; state: HolderState } | null }
  | { kind: 'busy'; holder: DeviceLease };

export type ClaimResult = { kind: 'claimed' } | { kind: 'lost'; holder: string | null };

export type JournalResult =
  | { kind: 'send'; sentAt: string }
  /** An earlier execution of this attempt journaled it: it may have sent the method. */
  | { kind: 'replayed'; sentAt: string }
  | { kind: 'lost'; holder: string | null };

/** Conditional writes that lose a race are re-read and retried; contention beyond this is a storage problem. */
const MAX_ROUNDS = 16;

export class LeaseContentionError extends Error {
  constructor(deviceId: string) {
    super(`the lease of device '${deviceId}' kept changing under ${MAX_ROUNDS} conditional writes`);
    this.name = 'LeaseContentionError';
  }
}

export interface AcquireRequest {
  deviceId: string;
  operation: OperationKind;
  requestedAt: string;
  /** Instance id for a sequence number (allocated from the lease's counter). */
  instanceIdFor(sequence: number): string;
  /** The newest sequence number used before this device had a lease (from the history table); 0 when none. */
  sequenceHint(): Promise<number>;
  /** The Durable state of a holder. */
  holderState(instanceId: string): Promise<HolderState>;
}

export class DeviceGuard {
  constructor(private readonly leases: DeviceLeaseStore, private readonly startGraceMs: number) {}

  async acquire(request: AcquireRequest): Promise<AcquireResult> {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const current = await this.leases.read(request.deviceId);
      let takenOver: { lease: DeviceLease; state: HolderState } | null = null;
      if (current !== null && current.state !== 'free') {
        const state = await request.holderState(current.instanceId);
        if (!this.isStale(current, state, request.requestedAt)) return { kind: 'busy', holder: current };
        takenOver = { lease: current, state };
      }
      const sequence = current === null ? (await request.sequenceHint()) + 1 : current.sequence + 1;
      const next: LeaseWrite = {
        deviceId: request.deviceId, instanceId: request.instanceIdFor(sequence), operation: request.operation, state: 'starting',
        sequence, acquiredAt: request.requestedAt, methodAttempt: 0, methodSentAt: null,
      };
      const written = current === null ? await this.leases.create(next) : await this.leases.replace(next, current.etag);
      if (written !== 'conflict') return { kind: 'acquired', lease: written, takenOver };
    }
    throw new LeaseContentionError(request.deviceId);
  }

  /** The orchestration's first step: only the holder of a `starting` (or its own `running`) lease may go on. */
  async claim(deviceId: string, instanceId: string): Promise<ClaimResult> {
    return this.update(deviceId, instanceId, (lease) => (lease.state === 'running' ? 'done' : { ...lease, state: 'running' }),
      () => ({ kind: 'claimed' }));
  }

  /** Journals method attempt `attempt` before it is sent; a second execution of the same attempt is told so. */
  async journalAttempt(deviceId: string, instanceId: string, attempt: number, now: string): Promise<JournalResult> {
    let replayedAt: string | null = null;
    const result = await this.update(deviceId, instanceId, (lease) => {
      if (lease.state !== 'running') return 'lost';
      if (lease.methodAttempt >= attempt) {
        replayedAt = lease.methodSentAt ?? now;
        return 'done';
      }
      return { ...lease, methodAttempt: attempt, methodSentAt: now };
    }, () => ({ kind: 'send' as const, sentAt: now }));
    if (result.kind === 'send' && replayedAt !== null) return { kind: 'replayed', sentAt: replayedAt };
    return result;
  }

  /** Frees the device if `instanceId` still holds it; a no-op otherwise (safe to repeat). */
  async release(deviceId: string, instanceId: string): Promise<void> {
    await this.update(deviceId, instanceId, (lease) => (lease.state === 'free' ? 'done' : { ...lease, state: 'free' }), () => ({ kind: 'claimed' }));
  }

  /**
   * A holder is over when its instance is terminal, or missing/Pending while the lease was never claimed and the
   * start grace has passed (a crash between acquiring and starting, or a start message that never ran), or
   * missing while it ran (purged).
   */
  private isStale(lease: DeviceLease, state: HolderState, now: string): boolean {
    if (state === 'terminal') return true;
    if (state === 'active') return false;
    if (state === 'missing' && lease.state === 'running') return true;
    return lease.state === 'starting' && Date.parse(now) - Date.parse(lease.acquiredAt) > this.startGraceMs;
  }

  /** Read → decide → conditional replace, until it sticks. `decide` answers 'done' (nothing to write) or 'lost'. */
  private async update<T extends { kind: string }>(deviceId: string, instanceId: string,
    decide: (lease: DeviceLease) => LeaseWrite | 'done' | 'lost', onSuccess: () => T): Promise<T | { kind: 'lost'; holder: string | null }> {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const lease = await this.leases.read(deviceId);
      if (lease === null || lease.instanceId !== instanceId) return { kind: 'lost', holder: lease?.instanceId ?? null };
      const next = decide(lease);
      if (next === 'lost') return { kind: 'lost', holder: lease.instanceId };
      if (next === 'done') return onSuccess();
      if ((await this.leases.replace(next, lease.etag)) !== 'conflict') return onSuccess();
    }
    throw new LeaseContentionError(deviceId);
  }
}

/**
 * The newest sequence number in a device's history, for a device that gets its first lease (rows written before
 * leases existed). When the table cannot be read, 0: ids then start over, which the extension's NonRunningStates
 * rule keeps from touching a running instance.
 */
export async function historySequenceHint(operations: Pick<OperationsStore, 'latest'>, deviceId: string): Promise<number> {
  const newest = await operations.latest(deviceId).catch(() => null);
  return newest === null ? 0 : parseInstanceId(newest.instanceId)?.sequence ?? 0;
}
