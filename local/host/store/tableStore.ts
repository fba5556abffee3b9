// Store on Azure Table storage (Azurite locally) through @azure/data-tables. Tables are named after the
// task hub: <hub>Instances, <hub>History, <hub>Inbox, <hub>WorkItems, <hub>Large (overflow chunks),
// <hub>Secrets (the host keys) and <hub>Checkpoints (Event Hubs trigger checkpoints).
// Azure limits (64 KiB per property, 1 MiB per entity) are respected by storing payloads as UTF-8 in
// binary (Edm.Binary) chunks of 60,000 bytes, inline when small and in <hub>Large rows when big.
// Binary rather than string chunks also keeps multi-byte characters intact: Azurite 3.35 corrupts
// non-ASCII text in large request bodies (a character split at a ~64 KB boundary comes back as U+FFFD).
import { odata, RestError, TableClient, type TableEntity, type TableEntityResult, type TransactionAction } from '@azure/data-tables';
import type { HistoryEvent } from '../durable/history';
import { ConcurrencyError, type EventHubCheckpoint, type InboxMessage, type InstancePage, type InstanceQuery, type InstanceRecord, type RuntimeStatus, type Store, type StoredHostKeys, type WorkItem } from './store';

type Entity = TableEntity<Record<string, unknown>>;

/** Bytes per chunk, under the 64 KiB property limit. */
const CHUNK = 60_000;
/** Printable-ASCII values up to this length are stored as one string property (32K UTF-16 units = 64 KiB). */
const ASCII_INLINE = 30_000;
/** Up to this many chunks stay in the entity itself; longer values move to the Large table. */
const INLINE_CHUNKS = 2;
/** Chunks per Large row: 10 x 60 KB (800 KB as base64 on the wire, which Azurite measures) stays under 1 MiB. */
const CHUNKS_PER_LARGE_ROW = 10;

/** Table keys forbid / \ # ? and control characters; '%' is escaped too so the encoding is reversible and prefix-preserving. */
export function encodeKey(value: string): string {
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0) as number;
    if (ch === '%' || ch === '/' || ch === '\\' || ch === '#' || ch === '?' || code < 0x20 || (code >= 0x7f && code <= 0x9f)) {
      out += `%${code.toString(16).toUpperCase().padStart(2, '0')}`;
    } else out += ch;
  }
  return out;
}

function isStatus(err: unknown, status: number): boolean {
  return err instanceof RestError && err.statusCode === status;
}

function chunks(value: string): Uint8Array[] {
  const bytes = Buffer.from(value, 'utf8');
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += CHUNK) out.push(new Uint8Array(bytes.subarray(i, i + CHUNK)));
  return out.length === 0 ? [new Uint8Array(0)] : out;
}

function bytesOf(value: unknown): Buffer {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (typeof value === 'string') return Buffer.from(value, 'base64');
  return Buffer.alloc(0);
}

/** Submits actions on one partition as entity-group transactions of at most 100 actions. */
async function inTransactions(table: TableClient, actions: TransactionAction[]): Promise<void> {
  const [only, ...more] = actions;
  if (only !== undefined && more.length === 0) {
    const [kind, entity, mode] = only;
    if (kind === 'upsert') await table.upsertEntity(entity, mode);
    else if (kind === 'delete') await table.deleteEntity(entity.partitionKey, entity.rowKey);
    else throw new Error(`unexpected single ${kind} action`);
    return;
  }
  for (let i = 0; i < actions.length; i += 100) await table.submitTransaction(actions.slice(i, i + 100));
}

export class TableStore implements Store {
  readonly kind = 'table';
  readonly #instances: TableClient;
  readonly #history: TableClient;
  readonly #inbox: TableClient;
  readonly #workItems: TableClient;
  readonly #large: TableClient;
  readonly #secrets: TableClient;
  readonly #checkpoints: TableClient;
  readonly #etags = new Map<string, string>();

  constructor(connectionString: string, hubName: string) {
    // Short SDK retries: the engine's own recovery loop handles longer outages (storageRecovery.ts).
    const retryOptions = { maxRetries: 2, retryDelayInMs: 100, maxRetryDelayInMs: 1000 };
    const make = (suffix: string) => TableClient.fromConnectionString(connectionString, `${hubName}${suffix}`, { allowInsecureConnection: true, retryOptions });
    this.#instances = make('Instances');
    this.#history = make('History');
    this.#inbox = make('Inbox');
    this.#workItems = make('WorkItems');
    this.#large = make('Large');
    this.#secrets = make('Secrets');
    this.#checkpoints = make('Checkpoints');
  }

  async init(): Promise<void> {
    for (const table of [this.#instances, this.#history, this.#inbox, this.#workItems, this.#large, this.#secrets, this.#checkpoints]) {
      try {
        await table.createTable();
      } catch (err) {
        if (!isStatus(err, 409)) throw err;
      }
    }
  }

  async close(): Promise<void> {}

  // ------------------------------------------------------------ large values

  /** Puts `value` into `entity` under `name`, inline or as Large rows owned by (owner, name). */
  async #putValue(entity: Entity, name: string, value: string | null, owner: string): Promise<void> {
    if (value === null) {
      entity[`${name}Null`] = true;
      return;
    }
    // Short ASCII text stays a plain string property (cheaper, readable in storage explorers).
    if (value.length <= ASCII_INLINE && /^[\x20-\x7e]*$/.test(value)) {
      entity[`${name}Text`] = value;
      return;
    }
    const parts = chunks(value);
    if (parts.length <= INLINE_CHUNKS) {
      entity[`${name}Chunks`] = parts.length;
      parts.forEach((part, i) => (entity[`${name}${i}`] = part));
      return;
    }
    const rows = Math.ceil(parts.length / CHUNKS_PER_LARGE_ROW);
    const partition = encodeKey(owner);
    for (let r = 0; r < rows; r++) {
      const row: Entity = { partitionKey: partition, rowKey: `${name}-${String(r).padStart(5, '0')}` };
      const slice = parts.slice(r * CHUNKS_PER_LARGE_ROW, (r + 1) * CHUNKS_PER_LARGE_ROW);
      row.Chunks = slice.length;
      slice.forEach((part, i) => (row[`C${i}`] = part));
      await this.#large.upsertEntity(row, 'Replace');
    }
    entity[`${name}LargeRows`] = rows;
  }

  async #getValue(entity: Record<string, unknown>, name: string, owner: string): Promise<string | null> {
    if (entity[`${name}Null`] === true) return null;
    if (typeof entity[`${name}Text`] === 'string') return entity[`${name}Text`] as string;
    const parts: Buffer[] = [];
    const inline = entity[`${name}Chunks`];
    if (typeof inline === 'number') {
      for (let i = 0; i < inline; i++) parts.push(bytesOf(entity[`${name}${i}`]));
      return Buffer.concat(parts).toString('utf8');
    }
    const rows = entity[`${name}LargeRows`];
    if (typeof rows !== 'number') return null;
    for (let r = 0; r < rows; r++) {
      const row = await this.#large.getEntity<Record<string, unknown>>(encodeKey(owner), `${name}-${String(r).padStart(5, '0')}`);
      for (let i = 0; i < Number(row.Chunks); i++) parts.push(bytesOf(row[`C${i}`]));
    }
    return Buffer.concat(parts).toString('utf8');
  }

  // ------------------------------------------------------------ instances

  async #toEntity(record: InstanceRecord): Promise<Entity> {
    const entity: Entity = {
      partitionKey: encodeKey(record.instanceId),
      rowKey: '',
      InstanceId: record.instanceId,
      Name: record.name,
      Version: record.version,
      ExecutionId: record.executionId,
      RuntimeStatus: record.runtimeStatus,
      CreatedTime: new Date(record.createdTime),
      LastUpdatedTime: new Date(record.lastUpdatedTime),
      HistoryLength: record.historyLength,
      ParentJson: record.parent ? JSON.stringify(record.parent) : '',
      LastConsumedJson: JSON.stringify(record.lastConsumed),
    };
    const owner = `${record.instanceId}`;
    await this.#putValue(entity, 'Input', record.input, `${owner}\u0001i`);
    await this.#putValue(entity, 'Output', record.output, `${owner}\u0001o`);
    await this.#putValue(entity, 'CustomStatus', record.customStatus, `${owner}\u0001c`);
    await this.#putValue(entity, 'EngineState', record.engineState, `${owner}\u0001e`);
    return entity;
  }

  async #fromEntity(entity: Record<string, unknown>): Promise<InstanceRecord> {
    const instanceId = String(entity.InstanceId);
    const time = (v: unknown) => (v instanceof Date ? v.getTime() : Date.parse(String(v)));
    return {
      instanceId,
      name: String(entity.Name),
      version: String(entity.Version ?? ''),
      executionId: String(entity.ExecutionId),
      runtimeStatus: String(entity.RuntimeStatus) as RuntimeStatus,
      createdTime: time(entity.CreatedTime),
      lastUpdatedTime: time(entity.LastUpdatedTime),
      historyLength: Number(entity.HistoryLength ?? 0),
      parent: entity.ParentJson ? (JSON.parse(String(entity.ParentJson)) as InstanceRecord['parent']) : null,
      lastConsumed: JSON.parse(String(entity.LastConsumedJson ?? '[]')) as string[],
      input: await this.#getValue(entity, 'Input', `${instanceId}\u0001i`),
      output: await this.#getValue(entity, 'Output', `${instanceId}\u0001o`),
      customStatus: await this.#getValue(entity, 'CustomStatus', `${instanceId}\u0001c`),
      engineState: (await this.#getValue(entity, 'EngineState', `${instanceId}\u0001e`)) ?? '{}',
    };
  }

  async getInstance(instanceId: string): Promise<InstanceRecord | undefined> {
    try {
      const entity = await this.#instances.getEntity<Record<string, unknown>>(encodeKey(instanceId), '');
      if (entity.etag) this.#etags.set(instanceId, entity.etag);
      return await this.#fromEntity(entity);
    } catch (err) {
      if (isStatus(err, 404)) return undefined;
      throw err;
    }
  }

  versionOf(instanceId: string): string | undefined {
    return this.#etags.get(instanceId);
  }

  async putInstance(record: InstanceRecord, expectedVersion?: string): Promise<string> {
    const entity = await this.#toEntity(record);
    try {
      const result =
        expectedVersion === undefined ? await this.#instances.upsertEntity(entity, 'Replace') : await this.#instances.updateEntity(entity, 'Replace', { etag: expectedVersion });
      const etag = result.etag ?? '';
      this.#etags.set(record.instanceId, etag);
      return etag;
    } catch (err) {
      if (isStatus(err, 412) || isStatus(err, 404)) throw new ConcurrencyError(record.instanceId);
      throw err;
    }
  }

  async queryInstances(query: InstanceQuery): Promise<InstancePage> {
    const filters: string[] = [];
    if (query.createdTimeFrom !== undefined) filters.push(odata`CreatedTime ge ${new Date(query.createdTimeFrom)}`);
    if (query.createdTimeTo !== undefined) filters.push(odata`CreatedTime le ${new Date(query.createdTimeTo)}`);
    if (query.runtimeStatus && query.runtimeStatus.length > 0) filters.push(`(${query.runtimeStatus.map((s) => odata`RuntimeStatus eq ${s}`).join(' or ')})`);
    if (query.instanceIdPrefix) {
      const prefix = encodeKey(query.instanceIdPrefix);
      filters.push(odata`PartitionKey ge ${prefix} and PartitionKey lt ${`${prefix}\uffff`}`);
    }
    const iterator = this.#instances
      .listEntities<Record<string, unknown>>({ queryOptions: filters.length > 0 ? { filter: filters.join(' and ') } : undefined })
      .byPage({ maxPageSize: query.pageSize ?? 100, continuationToken: query.continuationToken ? Buffer.from(query.continuationToken, 'base64url').toString() : undefined });
    const page = await iterator.next();
    if (page.done || !page.value) return { instances: [] };
    const entities = page.value as (TableEntityResult<Record<string, unknown>>[] & { continuationToken?: string });
    const instances = await Promise.all(entities.map((e) => this.#fromEntity(e)));
    const token = entities.continuationToken;
    return { instances, continuationToken: token ? Buffer.from(token).toString('base64url') : undefined };
  }

  async #deletePartition(table: TableClient, partitionKey: string): Promise<void> {
    const keys: string[] = [];
    for await (const e of table.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${partitionKey}`, select: ['RowKey'] } })) keys.push(String(e.rowKey));
    await Promise.all(keys.map((rk) => table.deleteEntity(partitionKey, rk).catch((err: unknown) => (isStatus(err, 404) ? undefined : Promise.reject(err)))));
  }

  async purgeInstance(instanceId: string): Promise<boolean> {
    const pk = encodeKey(instanceId);
    let existed = true;
    try {
      await this.#instances.deleteEntity(pk, '');
    } catch (err) {
      if (!isStatus(err, 404)) throw err;
      existed = false;
    }
    this.#etags.delete(instanceId);
    await this.#deletePartition(this.#history, pk);
    await this.#deletePartition(this.#inbox, pk);
    await this.#deletePartition(this.#workItems, pk);
    // Overflow rows of this instance live in partitions "<pk>%0<n>..." (control-character suffixes,
    // escaped by encodeKey; a literal "%" in an id is escaped as %25, so no other instance shares the prefix).
    const owners = new Set<string>();
    for await (const e of this.#large.listEntities({ queryOptions: { filter: odata`PartitionKey ge ${`${pk}%0`} and PartitionKey lt ${`${pk}%1`}`, select: ['PartitionKey'] } })) {
      owners.add(String(e.partitionKey));
    }
    for (const owner of owners) await this.#deletePartition(this.#large, owner);
    return existed;
  }

  // ------------------------------------------------------------ history

  async readHistory(instanceId: string, length: number): Promise<HistoryEvent[]> {
    if (length === 0) return [];
    const pk = encodeKey(instanceId);
    const rows: Record<string, unknown>[] = [];
    for await (const e of this.#history.listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`PartitionKey eq ${pk} and RowKey lt ${String(length).padStart(8, '0')}` } })) rows.push(e);
    rows.sort((a, b) => (String(a.rowKey) < String(b.rowKey) ? -1 : 1));
    const out: HistoryEvent[] = [];
    for (const row of rows) {
      out.push(JSON.parse((await this.#getValue(row, 'Event', `${instanceId}\u0002h${String(row.rowKey)}`)) ?? 'null') as HistoryEvent);
    }
    return out;
  }

  async writeHistory(instanceId: string, fromIndex: number, events: HistoryEvent[]): Promise<void> {
    const pk = encodeKey(instanceId);
    const entities = await Promise.all(
      events.map(async (event, i) => {
        const rowKey = String(fromIndex + i).padStart(8, '0');
        const entity: Entity = { partitionKey: pk, rowKey, EventType: event.EventType };
        await this.#putValue(entity, 'Event', JSON.stringify(event), `${instanceId}\u0002h${rowKey}`);
        return entity;
      }),
    );
    // One entity-group transaction per 100 rows of the partition: an episode's events in one request.
    await inTransactions(this.#history, entities.map((entity): TransactionAction => ['upsert', entity, 'Replace']));
  }

  // ------------------------------------------------------------ inbox

  async putMessage(message: InboxMessage): Promise<void> {
    const entity: Entity = {
      partitionKey: encodeKey(message.instanceId),
      rowKey: message.id,
      InstanceId: message.instanceId,
      ExecutionId: message.executionId ?? '',
      VisibleAt: message.visibleAt,
    };
    await this.#putValue(entity, 'Event', JSON.stringify(message.event), `${message.instanceId}\u0003m${message.id}`);
    await this.#inbox.upsertEntity(entity, 'Replace');
  }

  async deleteMessages(instanceId: string, ids: string[]): Promise<void> {
    const pk = encodeKey(instanceId);
    const [only, ...more] = ids;
    if (only !== undefined && more.length === 0) {
      await this.#inbox.deleteEntity(pk, only).catch((err: unknown) => (isStatus(err, 404) ? undefined : Promise.reject(err)));
      return;
    }
    try {
      await inTransactions(this.#inbox, ids.map((id): TransactionAction => ['delete', { partitionKey: pk, rowKey: id }]));
    } catch (err) {
      // A transaction fails whole when one row is already gone (a crash after an earlier delete): one by one.
      if (!isStatus(err, 404)) throw err;
      await Promise.all(ids.map((id) => this.#inbox.deleteEntity(pk, id).catch((e: unknown) => (isStatus(e, 404) ? undefined : Promise.reject(e)))));
    }
  }

  async listMessages(): Promise<InboxMessage[]> {
    const out: InboxMessage[] = [];
    for await (const e of this.#inbox.listEntities<Record<string, unknown>>()) {
      const instanceId = String(e.InstanceId);
      out.push({
        id: String(e.rowKey),
        instanceId,
        executionId: e.ExecutionId ? String(e.ExecutionId) : undefined,
        visibleAt: Number(e.VisibleAt ?? 0),
        event: JSON.parse((await this.#getValue(e, 'Event', `${instanceId}\u0003m${String(e.rowKey)}`)) ?? 'null') as HistoryEvent,
      });
    }
    return out;
  }

  // ------------------------------------------------------------ host keys

  async readHostKeys(): Promise<StoredHostKeys | undefined> {
    try {
      const row = await this.#secrets.getEntity<Record<string, unknown>>('host', 'keys');
      return { masterKey: String(row.MasterKey), functionKey: String(row.FunctionKey), systemKey: String(row.SystemKey) };
    } catch (err) {
      if (isStatus(err, 404)) return undefined;
      throw err;
    }
  }

  async writeHostKeys(keys: StoredHostKeys): Promise<void> {
    await this.#secrets.upsertEntity({ partitionKey: 'host', rowKey: 'keys', MasterKey: keys.masterKey, FunctionKey: keys.functionKey, SystemKey: keys.systemKey }, 'Replace');
  }

  // ------------------------------------------------------------ Event Hubs trigger checkpoints

  async listCheckpoints(scope: string): Promise<EventHubCheckpoint[]> {
    const out: EventHubCheckpoint[] = [];
    const filter = odata`PartitionKey eq ${encodeKey(scope)}`;
    for await (const e of this.#checkpoints.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
      out.push({ scope, partitionId: String(e.rowKey), offset: String(e.Offset), sequenceNumber: Number(e.SequenceNumber) });
    }
    return out;
  }

  async putCheckpoint(checkpoint: EventHubCheckpoint): Promise<void> {
    await this.#checkpoints.upsertEntity({
      partitionKey: encodeKey(checkpoint.scope), rowKey: encodeKey(checkpoint.partitionId),
      Offset: checkpoint.offset, SequenceNumber: checkpoint.sequenceNumber,
    }, 'Replace');
  }

  // ------------------------------------------------------------ activity work

  async putWorkItem(item: WorkItem): Promise<void> {
    const entity: Entity = {
      partitionKey: encodeKey(item.instanceId),
      rowKey: item.key,
      InstanceId: item.instanceId,
      ExecutionId: item.executionId,
      TaskScheduledId: item.taskScheduledId,
      Name: item.name,
    };
    await this.#putValue(entity, 'Input', item.input, `${item.instanceId}\u0004w${item.key}`);
    await this.#workItems.upsertEntity(entity, 'Replace');
  }

  async deleteWorkItem(instanceId: string, key: string): Promise<void> {
    try {
      await this.#workItems.deleteEntity(encodeKey(instanceId), key);
    } catch (err) {
      if (!isStatus(err, 404)) throw err;
    }
  }

  async listWorkItems(): Promise<WorkItem[]> {
    const out: WorkItem[] = [];
    for await (const e of this.#workItems.listEntities<Record<string, unknown>>()) {
      const instanceId = String(e.InstanceId);
      out.push({
        key: String(e.rowKey),
        instanceId,
        executionId: String(e.ExecutionId),
        taskScheduledId: Number(e.TaskScheduledId),
        name: String(e.Name),
        input: await this.#getValue(e, 'Input', `${instanceId}\u0004w${String(e.rowKey)}`),
      });
    }
    return out;
  }
}
