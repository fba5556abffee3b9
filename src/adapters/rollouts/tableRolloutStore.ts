// The DeviceRollouts table: PartitionKey 'rollout' + RowKey rolloutId for summaries; PartitionKey rolloutId +
// RowKey 'd' + zero-padded ordinal for the target devices (so a range of ordinals is one key-range query and
// up to 100 rows are written in one transaction).
import { odata, type TableClient, type TableEntityResult, type TransactionAction } from '@azure/data-tables';
import { isOperationKind } from '../../domain/operations/operationKind';
import { OUTCOMES, type Outcome } from '../../domain/outcomes';
import type { Page } from '../../domain/ports';
import type { HubBudget } from '../../domain/rollouts/hubBudget';
import type { ExponentialRate } from '../../domain/rollouts/rolloutRamp';
import { initialCounters, isRolloutDeviceState, ROLLOUT_DEVICE_STATES, type RolloutCounters, type RolloutDeviceState } from '../../domain/rollouts/rolloutCounters';
import { ROLLOUT_STATES, type RolloutDevice, type RolloutProgressUpdate, type RolloutState, type RolloutStore, type RolloutSummary } from '../../domain/rollouts/rolloutStore';
import { firstPage } from '../tables/firstPage';
import { createTableClient, TableReady, type TableConnection } from '../tables/tableClient';

const SUMMARY_PARTITION = 'rollout';
const TRANSACTION_SIZE = 100;

interface SummaryEntity {
  partitionKey: string;
  rowKey: string;
  operation: string;
  state: string;
  targetKind: string;
  total?: number;
  counters: string;
  waves: string;
  currentWave: number;
  maxPerMinute?: number;
  /** JSON of rate.exponential. */
  exponential?: string;
  /** JSON of the hub budget. */
  budget?: string;
  currentRate?: number;
  eta?: string;
  startAt?: string;
  retryAfterSeconds: number;
  cancelRequested?: boolean;
  forceCancel?: boolean;
  pauseRequested?: boolean;
  reason?: string;
  createdAt: string;
  updatedAt: string;
  completedAt?: string;
}

type DeviceEntity = {
  partitionKey: string;
  rowKey: string;
  ordinal: number;
  deviceId: string;
  wave: number;
  state: string;
  instanceId?: string;
  outcome?: string;
  attempts?: number;
  attemptAt?: string;
  updatedAt: string;
};

export function deviceRowKey(ordinal: number): string {
  return `d${String(ordinal).padStart(6, '0')}`;
}

export class TableRolloutStore implements RolloutStore {
  private readonly ready: TableReady;

  constructor(private readonly table: TableClient) {
    this.ready = new TableReady(table);
  }

  static fromConnection(connection: TableConnection): TableRolloutStore {
    return new TableRolloutStore(createTableClient(connection));
  }

  async create(summary: RolloutSummary): Promise<void> {
    await this.ready.ensure();
    await this.table.createEntity(toSummaryEntity(summary));
  }

  async read(rolloutId: string): Promise<RolloutSummary | null> {
    await this.ready.ensure();
    const page = await firstPage(this.table, odata`PartitionKey eq ${SUMMARY_PARTITION} and RowKey eq ${rolloutId}`, { pageSize: 1 }, fromSummaryEntity);
    return page.items[0] ?? null;
  }

  async update(rolloutId: string, update: RolloutProgressUpdate): Promise<void> {
    await this.ready.ensure();
    const entity: Record<string, unknown> = { partitionKey: SUMMARY_PARTITION, rowKey: rolloutId, updatedAt: update.updatedAt };
    if (update.state !== undefined) entity.state = update.state;
    if (update.total !== undefined && update.total !== null) entity.total = update.total;
    if (update.counters !== undefined) entity.counters = JSON.stringify(update.counters);
    if (update.currentWave !== undefined) entity.currentWave = update.currentWave;
    if (update.reason !== undefined && update.reason !== null) entity.reason = update.reason;
    if (update.completedAt !== undefined && update.completedAt !== null) entity.completedAt = update.completedAt;
    if (update.currentRate !== undefined && update.currentRate !== null) entity.currentRate = update.currentRate;
    // An empty string clears the ETA (Merge cannot remove a property).
    if (update.eta !== undefined) entity.eta = update.eta ?? '';
    await this.table.updateEntity(entity as { partitionKey: string; rowKey: string }, 'Merge');
  }

  async requestCancel(rolloutId: string, at: string, force = false): Promise<void> {
    await this.ready.ensure();
    await this.table.updateEntity({ partitionKey: SUMMARY_PARTITION, rowKey: rolloutId, cancelRequested: true, cancelRequestedAt: at,
      ...(force ? { forceCancel: true } : {}) }, 'Merge');
  }

  async setPaused(rolloutId: string, paused: boolean, at: string): Promise<void> {
    await this.ready.ensure();
    await this.table.updateEntity({ partitionKey: SUMMARY_PARTITION, rowKey: rolloutId, pauseRequested: paused, pauseChangedAt: at }, 'Merge');
  }

  async list(options: { pageSize: number; continuationToken?: string }): Promise<Page<RolloutSummary>> {
    await this.ready.ensure();
    return firstPage(this.table, odata`PartitionKey eq ${SUMMARY_PARTITION}`, options, fromSummaryEntity);
  }

  async saveDevices(rolloutId: string, devices: readonly RolloutDevice[]): Promise<void> {
    await this.ready.ensure();
    for (let i = 0; i < devices.length; i += TRANSACTION_SIZE) {
      const actions: TransactionAction[] = devices.slice(i, i + TRANSACTION_SIZE)
        .map((d) => ['upsert', toDeviceEntity(rolloutId, d), 'Replace']);
      await this.table.submitTransaction(actions);
    }
  }

  async devicesBetween(rolloutId: string, from: number, to: number): Promise<RolloutDevice[]> {
    await this.ready.ensure();
    const devices: RolloutDevice[] = [];
    const filter = odata`PartitionKey eq ${rolloutId} and RowKey ge ${deviceRowKey(from)} and RowKey lt ${deviceRowKey(to)}`;
    for await (const entity of this.table.listEntities<DeviceEntity>({ queryOptions: { filter } })) devices.push(fromDeviceEntity(entity));
    return devices.sort((a, b) => a.ordinal - b.ordinal);
  }

  async listDevices(rolloutId: string, state: RolloutDeviceState | null,
    options: { pageSize: number; continuationToken?: string }): Promise<Page<RolloutDevice>> {
    await this.ready.ensure();
    const filter = state === null
      ? odata`PartitionKey eq ${rolloutId} and RowKey ge 'd'`
      : odata`PartitionKey eq ${rolloutId} and RowKey ge 'd' and state eq ${state}`;
    return firstPage(this.table, filter, options, fromDeviceEntity);
  }
}

function toSummaryEntity(s: RolloutSummary): SummaryEntity {
  return {
    partitionKey: SUMMARY_PARTITION, rowKey: s.rolloutId, operation: s.operation, state: s.state, targetKind: s.targetKind,
    ...(s.total !== null ? { total: s.total } : {}), counters: JSON.stringify(s.counters), waves: JSON.stringify(s.waves),
    currentWave: s.currentWave, ...(s.rate !== null ? { maxPerMinute: s.rate.maxPerMinute } : {}),
    ...(s.rate?.exponential !== undefined ? { exponential: JSON.stringify(s.rate.exponential) } : {}),
    ...(s.budget !== null ? { budget: JSON.stringify(s.budget) } : {}), ...(s.currentRate !== null ? { currentRate: s.currentRate } : {}),
    ...(s.eta !== null ? { eta: s.eta } : {}), ...(s.startAt !== null ? { startAt: s.startAt } : {}), retryAfterSeconds: s.retryAfterSeconds,
    cancelRequested: s.cancelRequested, forceCancel: s.forceCancel, pauseRequested: s.pauseRequested, ...(s.reason !== null ? { reason: s.reason } : {}), createdAt: s.createdAt, updatedAt: s.updatedAt,
    ...(s.completedAt !== null ? { completedAt: s.completedAt } : {}),
  };
}

function fromSummaryEntity(e: TableEntityResult<SummaryEntity>): RolloutSummary {
  if (!isOperationKind(e.operation)) throw new Error(`rollout ${e.rowKey} has an unknown operation`);
  const parsed = JSON.parse(e.counters) as Partial<RolloutCounters>;
  const counters = initialCounters(0);
  for (const state of ROLLOUT_DEVICE_STATES) counters[state] = typeof parsed[state] === 'number' ? parsed[state] : 0;
  return {
    rolloutId: e.rowKey, operation: e.operation,
    state: (ROLLOUT_STATES as readonly string[]).includes(e.state) ? e.state as RolloutState : 'failed',
    targetKind: e.targetKind === 'query' ? 'query' : 'deviceIds', total: e.total ?? null, counters,
    waves: JSON.parse(e.waves) as number[], currentWave: e.currentWave,
    rate: e.maxPerMinute === undefined ? null
      : { maxPerMinute: e.maxPerMinute, ...(e.exponential !== undefined ? { exponential: JSON.parse(e.exponential) as ExponentialRate } : {}) },
    budget: e.budget === undefined ? null : JSON.parse(e.budget) as HubBudget, currentRate: e.currentRate ?? null,
    eta: e.eta === undefined || e.eta === '' ? null : e.eta, startAt: e.startAt ?? null,
    retryAfterSeconds: e.retryAfterSeconds, cancelRequested: e.cancelRequested === true, forceCancel: e.forceCancel === true,
    pauseRequested: e.pauseRequested === true, reason: e.reason ?? null,
    createdAt: e.createdAt, updatedAt: e.updatedAt, completedAt: e.completedAt ?? null,
  };
}

function toDeviceEntity(rolloutId: string, d: RolloutDevice): DeviceEntity {
  return {
    partitionKey: rolloutId, rowKey: deviceRowKey(d.ordinal), ordinal: d.ordinal, deviceId: d.deviceId, wave: d.wave, state: d.state,
    ...(d.instanceId !== null ? { instanceId: d.instanceId } : {}), ...(d.outcome !== null ? { outcome: d.outcome } : {}),
    attempts: d.attempts, ...(d.attemptAt !== null ? { attemptAt: d.attemptAt } : {}), updatedAt: d.updatedAt,
  };
}

function fromDeviceEntity(e: TableEntityResult<DeviceEntity>): RolloutDevice {
  return {
    ordinal: e.ordinal, deviceId: e.deviceId, wave: e.wave, state: isRolloutDeviceState(e.state) ? e.state : 'queued',
    instanceId: e.instanceId ?? null,
    outcome: e.outcome !== undefined && (OUTCOMES as readonly string[]).includes(e.outcome) ? e.outcome as Outcome : null,
    attempts: e.attempts ?? 0, attemptAt: e.attemptAt ?? null, updatedAt: e.updatedAt,
  };
}
