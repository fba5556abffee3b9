// Store on Azure Table storage (Azurite locally) through @azure/data-tables. Tables are named after the
// task hub: <hub>Instances, <hub>Large (overflow chunks), <hub>Secrets (the host keys), <hub>Checkpoints
// (Event Hubs trigger checkpoints) and <hub>Timers (timer trigger status). Everything of one instance lives in its
// partition of <hub>Instances: the instance row (empty row key), history rows ("h<index>"), inbox messages ("m<id>") and activity work items
// ("w<key>"). So an episode's commit (events, own messages and work items, consumed messages, the row) is one
// entity-group transaction: one request, all or nothing, as are a start (row + start message) and an activity's
// completion (outcome message + work item retired). Consumed messages and retired work items become tombstones
// in a transaction (an upsert cannot fail on a row already gone, a delete would fail the whole transaction).
// Azure limits (64 KiB per property, 1 MiB per entity) are respected by storing payloads as UTF-8 in
// binary (Edm.Binary) chunks of 60,000 bytes, inline when small and in <hub>Large rows when big.
// Binary rather than string chunks also keeps multi-byte characters intact: Azurite 3.35 corrupts
// non-ASCII text in large request bodies (a character split at a ~64 KB boundary comes back as U+FFFD).
import { odata, RestError, TableClient, type TableEntity, type TableEntityResult, type TransactionAction } from '@azure/data-tables';
import type { HistoryEvent } from '../durable/history';
import { ConcurrencyError, type EpisodeWrite, type EventHubCheckpoint, type InboxMessage, type InstancePage, type InstanceQuery, type InstanceRecord, type RuntimeStatus, type Store, type StoredHostKeys, type TimerScheduleStatus, type WorkItem } from './store';

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

/** Entity-group transactions hold at most 100 actions and 4 MiB: a margin for the multipart framing and base64. */
const TRANSACTION_ACTIONS = 100;
const TRANSACTION_BYTES = 2_500_000;

/** Rough wire size of an entity: binary chunks go as base64, text as UTF-8 (at most 3 bytes per UTF-16 unit). */
function wireBytes(entity: TableEntity): number {
  let n = 200;
  for (const value of Object.values(entity)) n += value instanceof Uint8Array ? Math.ceil(value.byteLength / 3) * 4 : typeof value === 'string' ? value.length * 3 : 32;
  return n;
}

/** Splits actions on one partition into entity-group transactions that respect the count and size limits. */
function transactions(actions: TransactionAction[]): TransactionAction[][] {
  const out: TransactionAction[][] = [];
  let current: TransactionAction[] = [];
  let bytes = 0;
  for (const action of actions) {
    const size = wireBytes(action[1]);
    if (current.length > 0 && (current.length === TRANSACTION_ACTIONS || bytes + size > TRANSACTION_BYTES)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(action);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** Submits actions on one partition as entity-group transactions (a lone action as a plain request). */
async function inTransactions(table: TableClient, actions: TransactionAction[]): Promise<void> {
  const [only] = actions;
  if (actions.length === 1 && only) {
    const [kind, entity, mode] = only;
    if (kind === 'upsert') await table.upsertEntity(entity, mode);
    else if (kind === 'delete') await table.deleteEntity(entity.partitionKey, entity.rowKey);
    else throw new Error(`unexpected single ${kind} action`);
    return;
  }
  for (const batch of transactions(actions)) await table.submitTransaction(batch);
}

/** Row keys in an instance's partition: history events, inbox messages and work items (the row's is ""). */
const historyKey = (index: number): string => `h${String(index).padStart(8, '0')}`;
const messageKey = (id: string): string => `m${id}`;
const workItemKey = (key: string): string => `w${key}`;
/** Marks a consumed message or a retired work item (rows with `Done` are skipped when listed). */
const tombstone = (partitionKey: string, rowKey: string): TransactionAction => ['upsert', { partitionKey, rowKey, Done: true }, 'Replace'];

async function deleteTolerant(table: TableClient, pk: string, rowKeys: string[]): Promise<void> {
  await Promise.all(rowKeys.map((rk) => table.deleteEntity(pk, rk).catch((err: unknown) => (isStatus(err, 404) ? undefined : Promise.reject(err)))));
}

export class TableStore implements Store {
  readonly kind = 'table';
  readonly #instances: TableClient;
  readonly #large: TableClient;
  readonly #secrets: TableClient;
  readonly #checkpoints: TableClient;
  readonly #timers: TableClient;
  readonly #etags = new Map<string, string>();

  constructor(connectionString: string, hubName: string) {
    // Short SDK retries: the engine's own recovery loop handles longer outages (storageRecovery.ts).
    const retryOptions = { maxRetries: 2, retryDelayInMs: 100, maxRetryDelayInMs: 1000 };
    const make = (suffix: string) => TableClient.fromConnectionString(connectionString, `${hubName}${suffix}`, { allowInsecureConnection: true, retryOptions });
    this.#instances = make('Instances');
    this.#large = make('Large');
    this.#secrets = make('Secrets');
    this.#checkpoints = make('Checkpoints');
    this.#timers = make('Timers');
  }

  async init(): Promise<void> {
    for (const table of [this.#instances, this.#large, this.#secrets, this.#checkpoints, this.#timers]) {
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
    // History rows share the partitions: only the instance rows (empty row key) answer.
    const filters: string[] = [`RowKey eq ''`];
    if (query.createdTimeFrom !== undefined) filters.push(odata`CreatedTime ge ${new Date(query.createdTimeFrom)}`);
    if (query.createdTimeTo !== undefined) filters.push(odata`CreatedTime le ${new Date(query.createdTimeTo)}`);
    if (query.runtimeStatus && query.runtimeStatus.length > 0) filters.push(`(${query.runtimeStatus.map((s) => odata`RuntimeStatus eq ${s}`).join(' or ')})`);
    if (query.instanceIdPrefix) {
      const prefix = encodeKey(query.instanceIdPrefix);
      filters.push(odata`PartitionKey ge ${prefix} and PartitionKey lt ${`${prefix}\uffff`}`);
    }
    const iterator = this.#instances
      .listEntities<Record<string, unknown>>({ queryOptions: { filter: filters.join(' and ') } })
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
    await this.#deletePartition(this.#instances, pk); // history, inbox messages, work items
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
    const filter = odata`PartitionKey eq ${pk} and RowKey ge ${historyKey(0)} and RowKey lt ${historyKey(length)}`;
    for await (const e of this.#instances.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) rows.push(e);
    rows.sort((a, b) => (String(a.rowKey) < String(b.rowKey) ? -1 : 1));
    const out: HistoryEvent[] = [];
    for (const row of rows) {
      out.push(JSON.parse((await this.#getValue(row, 'Event', `${instanceId}\u0002h${String(row.rowKey)}`)) ?? 'null') as HistoryEvent);
    }
    return out;
  }

  #historyRows(instanceId: string, fromIndex: number, events: HistoryEvent[]): Promise<TransactionAction[]> {
    const pk = encodeKey(instanceId);
    return Promise.all(
      events.map(async (event, i): Promise<TransactionAction> => {
        const rowKey = historyKey(fromIndex + i);
        const entity: Entity = { partitionKey: pk, rowKey, EventType: event.EventType };
        await this.#putValue(entity, 'Event', JSON.stringify(event), `${instanceId}\u0002h${rowKey}`);
        return ['upsert', entity, 'Replace'];
      }),
    );
  }

  async writeHistory(instanceId: string, fromIndex: number, events: HistoryEvent[]): Promise<void> {
    if (events.length === 0) return;
    await inTransactions(this.#instances, await this.#historyRows(instanceId, fromIndex, events));
  }

  async writeEpisode(write: EpisodeWrite): Promise<string> {
    const { record } = write;
    const pk = encodeKey(record.instanceId);
    const [history, messages, workItems, entity] = await Promise.all([
      this.#historyRows(record.instanceId, write.fromIndex, write.events),
      Promise.all(write.messages.map(async (m): Promise<TransactionAction> => ['upsert', await this.#messageEntity(m), 'Replace'])),
      Promise.all(write.workItems.map(async (w): Promise<TransactionAction> => ['upsert', await this.#workItemEntity(w), 'Replace'])),
      this.#toEntity(record),
    ]);
    const row: TransactionAction = write.expectedVersion === undefined ? ['upsert', entity, 'Replace'] : ['update', entity, 'Replace', { etag: write.expectedVersion }];
    const batches = transactions([...history, ...messages, ...workItems, ...write.consumed.map((id) => tombstone(pk, messageKey(id))), row]);
    // Whatever does not fit the last transaction goes ahead: history rows beyond the committed historyLength
    // are ignored, and messages and work items are idempotent (the same keys when the episode runs again).
    // The last transaction, with the row, is the commit point.
    const last = batches.pop() ?? [row];
    for (const batch of batches) await this.#instances.submitTransaction(batch);
    return this.#commitRow(record.instanceId, last);
  }

  async createInstance(record: InstanceRecord, start: InboxMessage): Promise<string> {
    const [message, entity] = await Promise.all([this.#messageEntity(start), this.#toEntity(record)]);
    return this.#commitRow(record.instanceId, [['upsert', message, 'Replace'], ['upsert', entity, 'Replace']]);
  }

  /** Submits a transaction whose last action writes the instance row; returns the row's new ETag. */
  async #commitRow(instanceId: string, actions: TransactionAction[]): Promise<string> {
    try {
      const result = await this.#instances.submitTransaction(actions);
      const etag = result.subResponses.at(-1)?.etag ?? '';
      this.#etags.set(instanceId, etag);
      return etag;
    } catch (err) {
      if (isStatus(err, 412) || isStatus(err, 404)) throw new ConcurrencyError(instanceId);
      throw err;
    }
  }

  // ------------------------------------------------------------ inbox

  async #messageEntity(message: InboxMessage): Promise<Entity> {
    const entity: Entity = {
      partitionKey: encodeKey(message.instanceId),
      rowKey: messageKey(message.id),
      InstanceId: message.instanceId,
      ExecutionId: message.executionId ?? '',
      VisibleAt: message.visibleAt,
    };
    await this.#putValue(entity, 'Event', JSON.stringify(message.event), `${message.instanceId}\u0003m${message.id}`);
    return entity;
  }

  async putMessage(message: InboxMessage): Promise<void> {
    await this.#instances.upsertEntity(await this.#messageEntity(message), 'Replace');
  }

  async deleteMessages(instanceId: string, ids: string[]): Promise<void> {
    const pk = encodeKey(instanceId);
    const keys = ids.map(messageKey);
    if (keys.length <= 1) return deleteTolerant(this.#instances, pk, keys);
    try {
      await inTransactions(this.#instances, keys.map((rowKey): TransactionAction => ['delete', { partitionKey: pk, rowKey }]));
    } catch (err) {
      // A transaction fails whole when one row is already gone (a crash after an earlier delete): one by one.
      if (!isStatus(err, 404)) throw err;
      await deleteTolerant(this.#instances, pk, keys);
    }
  }

  /** Rows of one kind (row-key prefix) in every instance's partition, tombstones left out (reload only). */
  async *#listKind(prefix: string): AsyncGenerator<Record<string, unknown> & { rowKey?: string }> {
    const filter = odata`RowKey ge ${prefix} and RowKey lt ${String.fromCharCode(prefix.charCodeAt(0) + 1)}`;
    for await (const e of this.#instances.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) if (e.Done !== true) yield e;
  }

  async listMessages(): Promise<InboxMessage[]> {
    const out: InboxMessage[] = [];
    for await (const e of this.#listKind('m')) {
      const instanceId = String(e.InstanceId);
      const id = String(e.rowKey).slice(1);
      out.push({
        id,
        instanceId,
        executionId: e.ExecutionId ? String(e.ExecutionId) : undefined,
        visibleAt: Number(e.VisibleAt ?? 0),
        event: JSON.parse((await this.#getValue(e, 'Event', `${instanceId}\u0003m${id}`)) ?? 'null') as HistoryEvent,
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

  // ------------------------------------------------------------ timer trigger schedule status

  async readTimerStatus(functionName: string): Promise<TimerScheduleStatus | undefined> {
    try {
      const row = await this.#timers.getEntity<Record<string, unknown>>('status', encodeKey(functionName));
      return { last: typeof row.Last === 'number' ? row.Last : null, next: Number(row.Next), lastUpdated: Number(row.LastUpdated) };
    } catch (err) {
      if (isStatus(err, 404)) return undefined;
      throw err;
    }
  }

  async writeTimerStatus(functionName: string, status: TimerScheduleStatus): Promise<void> {
    await this.#timers.upsertEntity({
      partitionKey: 'status', rowKey: encodeKey(functionName),
      ...(status.last === null ? {} : { Last: status.last }), Next: status.next, LastUpdated: status.lastUpdated,
    }, 'Replace');
  }

  // ------------------------------------------------------------ activity work

  async #workItemEntity(item: WorkItem): Promise<Entity> {
    const entity: Entity = {
      partitionKey: encodeKey(item.instanceId),
      rowKey: workItemKey(item.key),
      InstanceId: item.instanceId,
      ExecutionId: item.executionId,
      TaskScheduledId: item.taskScheduledId,
      Name: item.name,
    };
    await this.#putValue(entity, 'Input', item.input, `${item.instanceId}\u0004w${item.key}`);
    return entity;
  }

  async deleteWorkItem(instanceId: string, key: string): Promise<void> {
    await deleteTolerant(this.#instances, encodeKey(instanceId), [workItemKey(key)]);
  }

  async completeWorkItem(item: WorkItem, outcome: InboxMessage): Promise<void> {
    const pk = encodeKey(item.instanceId);
    await this.#instances.submitTransaction([['upsert', await this.#messageEntity(outcome), 'Replace'], tombstone(pk, workItemKey(item.key))]);
  }

  async listWorkItems(): Promise<WorkItem[]> {
    const out: WorkItem[] = [];
    for await (const e of this.#listKind('w')) {
      const instanceId = String(e.InstanceId);
      const key = String(e.rowKey).slice(1);
      out.push({
        key,
        instanceId,
        executionId: String(e.ExecutionId),
        taskScheduledId: Number(e.TaskScheduledId),
        name: String(e.Name),
        input: await this.#getValue(e, 'Input', `${instanceId}\u0004w${key}`),
      });
    }
    return out;
  }
}
