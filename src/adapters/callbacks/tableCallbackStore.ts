// Callback URLs on Azure Table storage: PartitionKey = callbackKey(url) (hex SHA-256), RowKey = instance id,
// property `url`. The table is `<OPERATIONS_TABLE_NAME>Hooks`; rows are deleted once used.
import { odata, type TableClient } from '@azure/data-tables';
import type { CallbackStore } from '../../domain/callbacks/callbackStore';
import { createTableClient, TableReady, tableStatus, type TableConnection } from '../tables/tableClient';

interface CallbackEntity { partitionKey: string; rowKey: string; url: string }

export class TableCallbackStore implements CallbackStore {
  private readonly ready: TableReady;

  constructor(private readonly table: TableClient) {
    this.ready = new TableReady(table);
  }

  static fromConnection(connection: TableConnection): TableCallbackStore {
    return new TableCallbackStore(createTableClient(connection));
  }

  async save(key: string, instanceId: string, url: string): Promise<void> {
    await this.ready.ensure();
    await this.table.upsertEntity<CallbackEntity>({ partitionKey: key, rowKey: instanceId, url }, 'Replace');
  }

  async read(key: string, instanceId: string): Promise<string | null> {
    await this.ready.ensure();
    try {
      const entity = await this.table.getEntity<CallbackEntity>(key, instanceId);
      return typeof entity.url === 'string' ? entity.url : null;
    } catch (err) {
      if (tableStatus(err) === 404) return null;
      throw err;
    }
  }

  async remove(key: string, instanceId: string): Promise<void> {
    await this.ready.ensure();
    try {
      await this.table.deleteEntity(key, instanceId);
    } catch (err) {
      if (tableStatus(err) !== 404) throw err;
    }
  }

  async subscribers(key: string): Promise<string[]> {
    await this.ready.ensure();
    const ids: string[] = [];
    const rows = this.table.listEntities<CallbackEntity>({ queryOptions: { filter: odata`PartitionKey eq ${key}`, select: ['RowKey'] } });
    for await (const row of rows) ids.push(row.rowKey);
    return ids;
  }

  async forInstance(instanceId: string): Promise<string[]> {
    await this.ready.ensure();
    const keys: string[] = [];
    const rows = this.table.listEntities<CallbackEntity>({ queryOptions: { filter: odata`RowKey eq ${instanceId}`, select: ['PartitionKey'] } });
    for await (const row of rows) keys.push(row.partitionKey);
    return keys;
  }

  async pending(): Promise<Array<{ key: string; instanceId: string }>> {
    await this.ready.ensure();
    const rows: Array<{ key: string; instanceId: string }> = [];
    for await (const row of this.table.listEntities<CallbackEntity>({ queryOptions: { select: ['PartitionKey', 'RowKey'] } })) {
      rows.push({ key: row.partitionKey, instanceId: row.rowKey });
    }
    return rows;
  }
}
