// The DeviceOperations table on Azure Table storage (@azure/data-tables): one entity per operation,
// PartitionKey = encoded device id, RowKey = inverted request time + instance id (newest first).
import { TableClient, odata, type TableEntityResult } from '@azure/data-tables';
import { DefaultAzureCredential } from '@azure/identity';
import { capJson } from '../../domain/jsonSize';
import type { OperationRecord } from '../../domain/operationRecord';
import { partitionKeyFor, rowKeyFor } from '../../domain/operationRecord';
import type { OperationsPage, OperationsStore } from '../../domain/ports';
import { invalid } from '../../domain/requestError';
import type { OperationPhase, Outcome } from '../../domain/outcomes';

/** Table string properties hold up to 64 KiB (32 K UTF-16 characters); stay well inside. */
const MAX_METHOD_RESPONSE_BYTES = 24 * 1024;
const MAX_LAST_REPORTED_BYTES = 16 * 1024;
const MAX_ERROR_MESSAGE_LENGTH = 1024;

export type OperationsStoreConnection =
  | { kind: 'connectionString'; connectionString: string; tableName: string }
  | { kind: 'managedIdentity'; endpoint: string; tableName: string };

interface OperationEntity {
  partitionKey: string;
  rowKey: string;
  deviceId: string;
  instanceId: string;
  operation: string;
  phase: string;
  outcome?: string;
  requestedAt: string;
  acceptedAt?: string;
  completedAt?: string;
  durationMs?: number;
  deadline: string;
  polls: number;
  methodStatus?: number;
  methodResponse?: string;
  lastReported?: string;
  errorCode?: string;
  errorMessage?: string;
  updatedAt: string;
}

export function createTableClient(connection: OperationsStoreConnection): TableClient {
  if (connection.kind === 'connectionString') {
    const insecure = /DefaultEndpointsProtocol=http;/i.test(connection.connectionString) || /TableEndpoint=http:\/\//i.test(connection.connectionString);
    return TableClient.fromConnectionString(connection.connectionString, connection.tableName, { allowInsecureConnection: insecure });
  }
  return new TableClient(connection.endpoint, connection.tableName, new DefaultAzureCredential(),
    { allowInsecureConnection: connection.endpoint.startsWith('http://') });
}

export class TableOperationsStore implements OperationsStore {
  private tableReady: Promise<void> | undefined;

  constructor(private readonly table: TableClient) {}

  static fromConnection(connection: OperationsStoreConnection): TableOperationsStore {
    return new TableOperationsStore(createTableClient(connection));
  }

  async save(record: OperationRecord): Promise<void> {
    await this.ensureTable();
    // Replace, not merge: every save carries the whole record, and absent (null) fields must disappear.
    await this.table.upsertEntity(toEntity(record), 'Replace');
  }

  async latest(deviceId: string): Promise<OperationRecord | null> {
    const page = await this.list(deviceId, { pageSize: 1 });
    return page.records[0] ?? null;
  }

  async list(deviceId: string, options: { pageSize: number; continuationToken?: string }): Promise<OperationsPage> {
    const partitionKey = partitionKeyFor(deviceId);
    if (options.continuationToken !== undefined) checkContinuationToken(options.continuationToken);
    await this.ensureTable();
    const pages = this.table
      .listEntities<OperationEntity>({ queryOptions: { filter: odata`PartitionKey eq ${partitionKey}` } })
      .byPage({ maxPageSize: options.pageSize, continuationToken: options.continuationToken });
    const first = await pages.next();
    if (first.done === true || first.value === undefined) return { records: [], continuationToken: null };
    return {
      records: first.value.map(fromEntity),
      continuationToken: first.value.continuationToken ?? null,
    };
  }

  private ensureTable(): Promise<void> {
    // createTable treats "already exists" as success; retry on the next call if it failed.
    this.tableReady ??= this.table.createTable().catch((err: unknown) => {
      this.tableReady = undefined;
      throw err;
    });
    return this.tableReady;
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
    requestedAt: record.requestedAt,
    deadline: record.deadline,
    polls: record.polls,
    updatedAt: record.updatedAt,
  };
  if (record.outcome !== null) entity.outcome = record.outcome;
  if (record.acceptedAt !== null) entity.acceptedAt = record.acceptedAt;
  if (record.completedAt !== null) entity.completedAt = record.completedAt;
  if (record.durationMs !== null) entity.durationMs = record.durationMs;
  if (record.methodResponse !== null) {
    entity.methodStatus = record.methodResponse.status;
    entity.methodResponse = JSON.stringify({ status: record.methodResponse.status, payload: capJson(record.methodResponse.payload, MAX_METHOD_RESPONSE_BYTES) });
  }
  if (record.lastReported !== null) {
    const { reboot, lastUpdated } = record.lastReported;
    entity.lastReported = JSON.stringify({
      ...record.lastReported,
      reboot: capJson(reboot, MAX_LAST_REPORTED_BYTES / 2),
      lastUpdated: capJson(lastUpdated, MAX_LAST_REPORTED_BYTES / 2),
    });
  }
  if (record.error !== null) {
    entity.errorCode = record.error.code;
    entity.errorMessage = record.error.message.slice(0, MAX_ERROR_MESSAGE_LENGTH);
  }
  return entity;
}

function fromEntity(entity: TableEntityResult<OperationEntity>): OperationRecord {
  return {
    deviceId: entity.deviceId,
    instanceId: entity.instanceId,
    operation: 'reboot',
    phase: entity.phase as OperationPhase,
    outcome: (entity.outcome ?? null) as Outcome | null,
    requestedAt: entity.requestedAt,
    acceptedAt: entity.acceptedAt ?? null,
    completedAt: entity.completedAt ?? null,
    durationMs: entity.durationMs ?? null,
    deadline: entity.deadline,
    polls: entity.polls,
    methodResponse: entity.methodResponse === undefined ? null : (JSON.parse(entity.methodResponse) as OperationRecord['methodResponse']),
    lastReported: entity.lastReported === undefined ? null : (JSON.parse(entity.lastReported) as OperationRecord['lastReported']),
    error: entity.errorCode === undefined ? null : { code: entity.errorCode, message: entity.errorMessage ?? '' },
    updatedAt: entity.updatedAt,
  };
}

/**
 * Continuation tokens are base64 JSON `{ nextPartitionKey, nextRowKey }` (@azure/data-tables utils/continuationToken)
 * whose values the service encodes opaquely. Check the shape so garbage is the caller's 400, not a 500; a token
 * taken from another device cannot leak rows because the query always filters on this device's partition.
 */
function checkContinuationToken(token: string): void {
  const bad = invalid('continuationToken', 'continuationToken is not a token this API returned for this device.');
  if (token.length > 4096 || !/^[A-Za-z0-9+/=_-]+$/.test(token)) throw bad;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
  } catch {
    throw bad;
  }
  const next = decoded as { nextPartitionKey?: unknown; nextRowKey?: unknown } | null;
  if (next === null || typeof next !== 'object' || Array.isArray(next) || typeof next.nextPartitionKey !== 'string'
    || (next.nextRowKey !== undefined && typeof next.nextRowKey !== 'string')) {
    throw bad;
  }
}
