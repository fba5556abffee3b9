// The rollout orchestration's activities: resolve a query target into device rows, acquire a batch of devices,
// record a batch's outcomes, close the rollout. Each is safe to run again with the same input.
import type { TargetResolution, RolloutTargetSource } from '../adapters/iothub/rolloutTargets';
import { stateOfOutcome } from '../domain/rollouts/rolloutCounters';
import { acquireForRollout, type RolloutAcquireDependencies } from '../domain/rollouts/rolloutDeviceAcquire';
import { afterAcquire } from '../domain/rollouts/rolloutProgress';
import type { RolloutDevice, RolloutStore } from '../domain/rollouts/rolloutStore';
import { targetRows } from '../domain/rollouts/rolloutTargetRows';
import type {
  AcquireBatchInput, AcquireBatchResult, BatchDevice, CloseRolloutInput, RecordBatchInput, ResolveTargetsInput, ResolveTargetsResult,
} from './rolloutContracts';

/** Leases acquired at once within a batch (each is a few Table round trips). */
const ACQUIRE_CONCURRENCY = 8;

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
  const rows = await deps.store.devicesBetween(input.rolloutId, input.from, input.to);
  if (rows.length !== input.to - input.from) throw new Error(`rollout ${input.rolloutId} is missing device rows in [${input.from}, ${input.to})`);

  // Mark the rows before acquiring: a re-run of this activity then knows a lease taken at requestedAt may be its own.
  const fresh = rows.filter((row) => row.state === 'queued' && row.attemptAt !== input.requestedAt);
  await deps.store.saveDevices(input.rolloutId, fresh.map((row) => ({ ...row, attemptAt: input.requestedAt, updatedAt: input.requestedAt })));

  const devices: BatchDevice[] = new Array<BatchDevice>(rows.length);
  const updated: RolloutDevice[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < rows.length) {
      const index = next++;
      const row = rows[index]!;
      if (row.state !== 'queued') {
        // A re-run after the rows were written: answer what was decided then.
        devices[index] = { ordinal: row.ordinal, deviceId: row.deviceId, instanceId: row.state === 'busy' ? null : row.instanceId };
        continue;
      }
      const retried = row.attemptAt === input.requestedAt;
      const result = await acquireForRollout(row.deviceId, input.operation, input.requestedAt, retried, deps);
      devices[index] = { ordinal: row.ordinal, deviceId: row.deviceId, instanceId: result.kind === 'acquired' ? result.instanceId : null };
      updated.push({
        ...row, state: result.kind === 'acquired' ? 'inProgress' : 'busy',
        instanceId: result.kind === 'acquired' ? result.instanceId : result.holder, attemptAt: input.requestedAt, updatedAt: input.requestedAt,
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(ACQUIRE_CONCURRENCY, rows.length) }, worker));
  await deps.store.saveDevices(input.rolloutId, updated.sort((a, b) => a.ordinal - b.ordinal));
  await deps.store.update(input.rolloutId, {
    counters: afterAcquire(input.counters, devices), currentWave: input.currentWave, updatedAt: input.requestedAt,
  });
  return { kind: 'acquired', devices };
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
  await deps.store.update(input.rolloutId, { counters: input.counters, currentWave: input.currentWave, updatedAt: input.at });
  return null;
}

export async function closeRollout(input: CloseRolloutInput, deps: { store: RolloutStore }): Promise<null> {
  if (input.from < input.total) {
    const rows = await deps.store.devicesBetween(input.rolloutId, input.from, input.total);
    await deps.store.saveDevices(input.rolloutId, rows.filter((row) => row.state === 'queued')
      .map((row) => ({ ...row, state: 'canceled', updatedAt: input.at })));
  }
  await deps.store.update(input.rolloutId, {
    state: input.state, counters: input.counters, currentWave: input.currentWave, reason: input.reason, completedAt: input.at, updatedAt: input.at,
  });
  return null;
}
