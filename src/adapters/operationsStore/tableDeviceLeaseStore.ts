// Device leases on Azure Table storage: one entity per device (PartitionKey = encoded device id, RowKey 'lease'),
// written only with insert (fails 409 when it exists) or replace with If-Match (fails 412 when it changed), which
// Table storage makes atomic per entity (Azure Storage docs: "Managing concurrency in Table storage").
import { odata, type TableClient, type TableEntityResult } from '@azure/data-tables';
import type { DeviceLease, LeaseState, LeaseWrite } from '../../domain/deviceLease';
import { isOperationKind } from '../../domain/operations/operationKind';
import type { DeviceLeaseStore, Page } from '../../domain/ports';
import { partitionKeyFor } from '../../domain/operationRecord';
import { firstPage } from '../tables/firstPage';
import { createTableClient, TableReady, tableStatus, type TableConnection } from '../tables/tableClient';

const ROW_KEY = 'lease';

interface LeaseEntity {
  partitionKey: string;
  rowKey: string;
  deviceId: string;
  instanceId: string;
  operation: string;
  state: string;
  sequence: number;
  acquiredAt: string;
  methodAttempt: number;
  methodSentAt?: string;
}

export class TableDeviceLeaseStore implements DeviceLeaseStore {
  private readonly ready: TableReady;

  constructor(private readonly table: TableClient) {
    this.ready = new TableReady(table);
  }

  static fromConnection(connection: TableConnection): TableDeviceLeaseStore {
    return new TableDeviceLeaseStore(createTableClient(connection));
  }

  async read(deviceId: string): Promise<DeviceLease | null> {
    await this.ready.ensure();
    try {
      return fromEntity(await this.table.getEntity<LeaseEntity>(partitionKeyFor(deviceId), ROW_KEY));
    } catch (err) {
      if (tableStatus(err) === 404) return null;
      throw err;
    }
  }

  async create(lease: LeaseWrite): Promise<DeviceLease | 'conflict'> {
    await this.ready.ensure();
    try {
      const { etag } = await this.table.createEntity(toEntity(lease));
      return { ...pick(lease), etag: etag ?? '' };
    } catch (err) {
      if (tableStatus(err) === 409) return 'conflict';
      throw err;
    }
  }

  async replace(lease: LeaseWrite, etag: string): Promise<DeviceLease | 'conflict'> {
    await this.ready.ensure();
    try {
      const result = await this.table.updateEntity(toEntity(lease), 'Replace', { etag });
      return { ...pick(lease), etag: result.etag ?? '' };
    } catch (err) {
      const status = tableStatus(err);
      if (status === 412 || status === 404) return 'conflict';
      throw err;
    }
  }

  async listHeld(options: { pageSize: number; continuationToken?: string }): Promise<Page<DeviceLease>> {
    await this.ready.ensure();
    return firstPage(this.table, odata`state ne ${'free'}`, options, fromEntity);
  }
}

/** Only the lease's own fields, whatever else the caller's object carries. */
function pick(lease: LeaseWrite): LeaseWrite {
  const { deviceId, instanceId, operation, state, sequence, acquiredAt, methodAttempt, methodSentAt } = lease;
  return { deviceId, instanceId, operation, state, sequence, acquiredAt, methodAttempt, methodSentAt };
}

function toEntity(lease: LeaseWrite): LeaseEntity {
  const entity: LeaseEntity = {
    partitionKey: partitionKeyFor(lease.deviceId), rowKey: ROW_KEY,
    deviceId: lease.deviceId, instanceId: lease.instanceId, operation: lease.operation, state: lease.state,
    sequence: lease.sequence, acquiredAt: lease.acquiredAt, methodAttempt: lease.methodAttempt,
  };
  if (lease.methodSentAt !== null) entity.methodSentAt = lease.methodSentAt;
  return entity;
}

const STATES: readonly LeaseState[] = ['starting', 'running', 'free'];

function fromEntity(entity: TableEntityResult<LeaseEntity>): DeviceLease {
  return {
    deviceId: entity.deviceId,
    instanceId: entity.instanceId,
    operation: isOperationKind(entity.operation) ? entity.operation : 'reboot',
    state: STATES.find((s) => s === entity.state) ?? 'running',
    sequence: entity.sequence,
    acquiredAt: entity.acquiredAt,
    methodAttempt: entity.methodAttempt,
    methodSentAt: entity.methodSentAt ?? null,
    etag: entity.etag,
  };
}
