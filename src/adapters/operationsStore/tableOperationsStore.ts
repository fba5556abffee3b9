// The DeviceOperations table on Azure Table storage (@azure/data-tables): one entity per operation,
// PartitionKey = encoded device id, RowKey = inverted request time + instance id (newest first).
import { odata, type TableClient, type TableEntityResult } from '@azure/data-tables';
import { capJson } from '../../domain/jsonSize';
import type { OperationRecord } from '../../domain/operationRecord';
import { partitionKeyFor, rowKeyFor } from '../../domain/operationRecord';
import { isOperationKind } from '../../domain/operations/operationKind';
import { DELIVERIES, OUTCOMES, type Delivery, type OperationPhase, type Outcome } from '../../domain/outcomes';
import type { OperationsStore, Page } from '../../domain/ports';
import { firstPage } from '../tables/firstPage';
import { createTableClient, TableReady, tableStatus, type TableConnection } from '../tables/tableClient';

/** Table string properties hold up to 64 KiB (32 K UTF-16 characters); stay well inside. */
const MAX_METHOD_RESPONSE_BYTES = 24 * 1024;
const MAX_LAST_REPORTED_BYTES = 16 * 1024;
const MAX_ERROR_MESSAGE_LENGTH = 1024;

interface OperationEntity {
  partitionKey: string;
  rowKey: string;
  deviceId: string;
  instanceId: string;
  operation: string;
  phase: string;
  outcome?: string;
  delivery: string;
  requestedAt: string;
  acceptedAt?: string;
  completedAt?: string;
  durationMs?: number;
  deadline: string;
  polls: number;
  step?: string;
  firmwareVersion?: string;
  methodStatus?: number;
  methodResponse?: string;
  lastReported?: string;
  deviceActivity?: string;
  errorCode?: string;
  errorMessage?: string;
  updatedAt: string;
}

export class TableOperationsStore implements OperationsStore {
  private readonly ready: TableReady;

  constructor(private readonly table: TableClient) {
    this.ready = new TableReady(table);
  }

  static fromConnection(connection: TableConnection): TableOperationsStore {
    return new TableOperationsStore(createTableClient(connection));
  }

  async save(record: OperationRecord): Promise<void> {
    await this.ready.ensure();
    // Replace, not merge: every save carries the whole record, and absent (null) fields must disappear.
    await this.table.upsertEntity(toEntity(record), 'Replace');
  }

  async find(deviceId: string, requestedAt: string, instanceId: string): Promise<OperationRecord | null> {
    await this.ready.ensure();
    try {
      return fromEntity(await this.table.getEntity<OperationEntity>(partitionKeyFor(deviceId), rowKeyFor(requestedAt, instanceId)));
    } catch (err) {
      if (tableStatus(err) === 404) return null;
      throw err;
    }
  }

  async latest(deviceId: string): Promise<OperationRecord | null> {
    const page = await this.list(deviceId, { pageSize: 1 });
    return page.items[0] ?? null;
  }

  async list(deviceId: string, options: { pageSize: number; continuationToken?: string }): Promise<Page<OperationRecord>> {
    await this.ready.ensure();
    return firstPage(this.table, odata`PartitionKey eq ${partitionKeyFor(deviceId)}`, options, fromEntity);
  }
}

function toEntity(record: OperationRecord): OperationEntity {
  const entity: OperationEntity = {
    partitionKey: partitionKeyFor(record.deviceId),
    rowKey: rowKeyFor(record.requestedAt, record.instanceId),
    deviceId: record.deviceId,
    instanceId: record.instanceId,
    operation: record.operation,
    phase: record.phase,
    delivery: record.delivery,
    requestedAt: record.requestedAt,
    deadline: record.deadline,
    polls: record.polls,
    updatedAt: record.updatedAt,
  };
  if (record.outcome !== null) entity.outcome = record.outcome;
  if (record.acceptedAt !== null) entity.acceptedAt = record.acceptedAt;
  if (record.completedAt !== null) entity.completedAt = record.completedAt;
  if (record.durationMs !== null) entity.durationMs = record.durationMs;
  if (record.step !== null) entity.step = record.step.slice(0, 256);
  if (record.firmwareVersion !== null) entity.firmwareVersion = record.firmwareVersion;
  if (record.methodResponse !== null) {
    entity.methodStatus = record.methodResponse.status;
    entity.methodResponse = JSON.stringify({ status: record.methodResponse.status, payload: capJson(record.methodResponse.payload, MAX_METHOD_RESPONSE_BYTES) });
  }
  if (record.lastReported !== null) {
    const { values, lastUpdated } = record.lastReported;
    entity.lastReported = JSON.stringify({
      ...record.lastReported,
      values: capJson(values, MAX_LAST_REPORTED_BYTES / 2),
      lastUpdated: capJson(lastUpdated, MAX_LAST_REPORTED_BYTES / 2),
    });
  }
  if (record.deviceActivity !== null) entity.deviceActivity = JSON.stringify(record.deviceActivity);
  if (record.error !== null) {
    entity.errorCode = record.error.code;
    entity.errorMessage = record.error.message.slice(0, MAX_ERROR_MESSAGE_LENGTH);
  }
  return entity;
}

function fromEntity(entity: TableEntityResult<OperationEntity>): OperationRecord {
  const json = <T>(text: string | undefined): T | null => (text === undefined ? null : (JSON.parse(text) as T));
  return {
    deviceId: entity.deviceId,
    instanceId: entity.instanceId,
    operation: isOperationKind(entity.operation) ? entity.operation : 'reboot',
    phase: entity.phase as OperationPhase,
    outcome: (OUTCOMES as readonly string[]).includes(entity.outcome ?? '') ? (entity.outcome as Outcome) : null,
    delivery: (DELIVERIES as readonly string[]).includes(entity.delivery) ? (entity.delivery as Delivery) : 'unknown',
    requestedAt: entity.requestedAt,
    acceptedAt: entity.acceptedAt ?? null,
    completedAt: entity.completedAt ?? null,
    durationMs: entity.durationMs ?? null,
    deadline: entity.deadline,
    polls: entity.polls,
    step: entity.step ?? null,
    firmwareVersion: entity.firmwareVersion ?? null,
    methodResponse: json(entity.methodResponse),
    lastReported: json(entity.lastReported),
    deviceActivity: json(entity.deviceActivity),
    error: entity.errorCode === undefined ? null : { code: entity.errorCode, message: entity.errorMessage ?? '' },
    updatedAt: entity.updatedAt,
  };
}
