// The rollout orchestration's activities: resolve a query target into device rows, acquire a batch of devices,
// record a batch's outcomes, close the rollout. Each is safe to run again with the same input.
import type { TargetResolution, RolloutTargetSource } from '../adapters/iothub/rolloutTargets';
import { stateOfOutcome } from '../domain/rollouts/rolloutCounters';
import { isHubRefusal } from '../domain/rollouts/rolloutRetries';
import type { OperationsStore } from '../domain/ports';
import { acquireForRollout, type RolloutAcquireDependencies } from '../domain/rollouts/rolloutDeviceAcquire';
import { afterAcquire } from '../domain/rollouts/rolloutProgress';
import type { RolloutDevice, RolloutStore } from '../domain/rollouts/rolloutStore';
import { targetRows } from '../domain/rollouts/rolloutTargetRows';
import type { OperationKind } from '../domain/operations/operationKind';
import type {
  AcquireBatchInput, AcquireBatchResult, AcquireRetriesInput, AcquireRetriesResult, BatchDevice, CloseRolloutInput,
  CollectedOutcome, CollectOutcomesInput, CollectOutcomesResult, RecordBatchInput, ResolveTargetsInput, ResolveTargetsResult,
} from './rolloutContracts';

/** Leases acquired at once within a batch (each is a few Table round trips). */
const ACQUIRE_CONCURRENCY = 8;
/** Operation records read at once when collecting outcomes (one point read each). */
const COLLECT_CONCURRENCY = 16;

export async function resolveRolloutTargets(input: ResolveTargetsInput,
  deps: { store: RolloutStore; targets: RolloutTargetSource }): Promise<ResolveTargetsResult> {
  const resolution: TargetResolution = await deps.targets.resolve(input.query, input.limit);
  if (resolution.kind === 'tooMany') return resolution;
  // Sorted and deduplicated, so a re-run against the same fleet writes the same rows; the orchestration only
  // ever reads ordinals below the total this run returns.
  await deps.store.saveDevices(input.rolloutId, targetRows(resolution.deviceIds, input.waves, input.at));
  await deps.store.update(input.rolloutId, { total: resolution.deviceIds.length, updatedAt: input.at });
  return { kind: 'resolved', total: resolution.deviceIds.length };
}

export async function acquireRolloutBatch(input: AcquireBatchInput,
  deps: RolloutAcquireDependencies & { store: RolloutStore }): Promise<AcquireBatchResult> {
  const summary = await deps.store.read(input.rolloutId);
  if (summary === null) throw new Error(`rollout ${input.rolloutId} has no summary row`);
  if (summary.cancelRequested) return { kind: 'canceled' };
  if (summary.pauseRequested) return { kind: 'paused' };
  const rows = await deps.store.devicesBetween(input.rolloutId, input.from, input.to);
  if (rows.length !== input.to - input.from) throw new Error(`rollout ${input.rolloutId} is missing device rows in [${input.from}, ${input.to})`);

  // Mark the rows before acquiring: a re-run of this activity then knows a lease taken at requestedAt may be its own.
  const fresh = rows.filter((row) => row.state === 'queued' && row.attemptAt !== input.requestedAt);
  await deps.store.saveDevices(input.rolloutId, fresh.map((row) => ({ ...row, attemptAt: input.requestedAt, updatedAt: input.requestedAt })));

  const devices = await acquireRows(input.rolloutId, input.operation, input.requestedAt, rows, (row) => row.state === 'queued', deps);
  if (await stoppedMeanwhile(input.rolloutId, rows, devices, deps, false)) return { kind: 'canceled' };
  await deps.store.update(input.rolloutId, {
    // A scheduled rollout is running from its first batch on.
    state: 'running', counters: afterAcquire(input.counters, devices), currentWave: input.currentWave, currentRate: input.currentRate,
    updatedAt: input.requestedAt,
  });
  return { kind: 'acquired', devices };
}

/**
 * Acquires the devices of a batch again for another attempt (their previous operation is over and freed the
 * lease). Rows stay inProgress; their attempt count and instance id change. Nothing is acquired once a cancel or
 * pause is requested: those devices keep their last outcome.
 */
export async function acquireRolloutRetries(input: AcquireRetriesInput,
  deps: RolloutAcquireDependencies & { store: RolloutStore }): Promise<AcquireRetriesResult> {
  const summary = await deps.store.read(input.rolloutId);
  if (summary === null) throw new Error(`rollout ${input.rolloutId} has no summary row`);
  if (summary.cancelRequested || summary.pauseRequested) return { kind: 'stopped' };
  const ordinals = input.devices.map((d) => d.ordinal);
  const wanted = new Map(input.devices.map((d) => [d.ordinal, d]));
  const rows = (await deps.store.devicesBetween(input.rolloutId, Math.min(...ordinals), Math.max(...ordinals) + 1))
    .filter((row) => wanted.has(row.ordinal));
  // Due: still on the previous attempt (not yet marked by an earlier run of this activity).
  const due = (row: RolloutDevice): boolean => row.instanceId === wanted.get(row.ordinal)!.previousInstanceId;
  await deps.store.saveDevices(input.rolloutId, rows.filter((row) => due(row) && row.attemptAt !== input.requestedAt)
    .map((row) => ({ ...row, attemptAt: input.requestedAt, updatedAt: input.requestedAt })));
  const devices = await acquireRows(input.rolloutId, input.operation, input.requestedAt, rows, due, deps,
    (row) => wanted.get(row.ordinal)!.attempts);
  if (await stoppedMeanwhile(input.rolloutId, rows, devices, deps, true)) return { kind: 'stopped' };
  return { kind: 'acquired', devices };
}

/**
 * A cancel (or, for retries, a pause) that came while the leases were being acquired: the cancel request may have
 * listed the in-flight devices before these rows said so, so nothing acquired here may start. The leases are freed
 * (nothing was sent) and the rows written back as they were.
 */
async function stoppedMeanwhile(rolloutId: string, before: readonly RolloutDevice[], devices: readonly BatchDevice[],
  deps: RolloutAcquireDependencies & { store: RolloutStore }, pauseStops: boolean): Promise<boolean> {
  const summary = await deps.store.read(rolloutId);
  if (summary === null || !(summary.cancelRequested || (pauseStops && summary.pauseRequested))) return false;
  const previous = new Map(before.map((row) => [row.ordinal, row]));
  const taken = devices.filter((d) => d.instanceId !== null && d.instanceId !== previous.get(d.ordinal)?.instanceId);
  await Promise.all(taken.map((d) => deps.guard.release(d.deviceId, d.instanceId!)));
  await deps.store.saveDevices(rolloutId, before.filter((row) => taken.some((d) => d.ordinal === row.ordinal)));
  return true;
}

/**
 * Acquires each `pending` row's device (ACQUIRE_CONCURRENCY at a time) and writes the rows: acquired → inProgress with
 * the new instance id; busy → busy (first attempts) or left for the caller (retries: busy → null, keeps its outcome).
 * Rows that are not pending were decided by an earlier run: their decision is answered again.
 */
async function acquireRows(rolloutId: string, operation: OperationKind, requestedAt: string, rows: readonly RolloutDevice[],
  pending: (row: RolloutDevice) => boolean, deps: RolloutAcquireDependencies & { store: RolloutStore },
  previousAttempts?: (row: RolloutDevice) => number): Promise<BatchDevice[]> {
  const devices: BatchDevice[] = new Array<BatchDevice>(rows.length);
  const updated: RolloutDevice[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < rows.length) {
      const index = next++;
      const row = rows[index]!;
      if (!pending(row)) {
        // A re-run after the rows were written: answer what was decided then.
        devices[index] = { ordinal: row.ordinal, deviceId: row.deviceId, instanceId: row.state === 'busy' ? null : row.instanceId };
        continue;
      }
      const retried = row.attemptAt === requestedAt;
      const result = await acquireForRollout(row.deviceId, operation, requestedAt, retried, deps);
      devices[index] = { ordinal: row.ordinal, deviceId: row.deviceId, instanceId: result.kind === 'acquired' ? result.instanceId : null };
      if (result.kind === 'acquired') {
        updated.push({ ...row, state: 'inProgress', instanceId: result.instanceId, attempts: (previousAttempts?.(row) ?? 0) + 1,
          attemptAt: requestedAt, updatedAt: requestedAt });
      } else if (previousAttempts === undefined) {
        updated.push({ ...row, state: 'busy', instanceId: result.holder, attemptAt: requestedAt, updatedAt: requestedAt });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(ACQUIRE_CONCURRENCY, rows.length) }, worker));
  await deps.store.saveDevices(rolloutId, updated.sort((a, b) => a.ordinal - b.ordinal));
  return devices;
}

export async function recordRolloutBatch(input: RecordBatchInput, deps: { store: RolloutStore }): Promise<null> {
  const rows = input.results.length === 0 ? [] : await deps.store.devicesBetween(input.rolloutId,
    Math.min(...input.results.map((r) => r.ordinal)), Math.max(...input.results.map((r) => r.ordinal)) + 1);
  const byOrdinal = new Map(rows.map((row) => [row.ordinal, row]));
  const updated = input.results.flatMap((result): RolloutDevice[] => {
    const row = byOrdinal.get(result.ordinal);
    if (row === undefined) return [];
    return [{ ...row, state: stateOfOutcome(result.outcome), instanceId: result.instanceId, outcome: result.outcome, updatedAt: input.at }];
  });
  await deps.store.saveDevices(input.rolloutId, updated);
  await deps.store.update(input.rolloutId, {
    counters: input.counters, currentWave: input.currentWave, currentRate: input.currentRate, eta: input.eta, updatedAt: input.at,
  });
  return null;
}

export async function closeRollout(input: CloseRolloutInput, deps: { store: RolloutStore }): Promise<null> {
  if (input.from < input.total) {
    const rows = await deps.store.devicesBetween(input.rolloutId, input.from, input.total);
    await deps.store.saveDevices(input.rolloutId, rows.filter((row) => row.state === 'queued')
      .map((row) => ({ ...row, state: 'canceled', updatedAt: input.at })));
  }
  await deps.store.update(input.rolloutId, {
    state: input.state, counters: input.counters, currentWave: input.currentWave, reason: input.reason, completedAt: input.at, eta: null,
    updatedAt: input.at,
  });
  return null;
}

/**
 * Outcomes of devices an earlier execution started: their records in the operations table are the source of truth
 * (a sub-orchestration's completion goes to the execution that started it, which continued as new). Running
 * operations (no record yet, or no outcome) are left out.
 */
export async function collectRolloutOutcomes(input: CollectOutcomesInput,
  deps: { operations: Pick<OperationsStore, 'find'> }): Promise<CollectOutcomesResult> {
  const ended: CollectedOutcome[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < input.devices.length) {
      const device = input.devices[next++]!;
      const record = await deps.operations.find(device.deviceId, device.requestedAt, device.instanceId);
      if (record === null || record.outcome === null) continue;
      ended.push({
        ordinal: device.ordinal, outcome: record.outcome, durationMs: record.durationMs,
        hubRefused: isHubRefusal({ outcome: record.outcome, delivery: record.delivery, error: record.error }),
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(COLLECT_CONCURRENCY, input.devices.length) }, worker));
  return { ended: ended.sort((a, b) => a.ordinal - b.ordinal) };
}
