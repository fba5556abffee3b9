// In-memory Store for fast tests: same contract as the Table store, including version checks.
import type { HistoryEvent } from '../durable/history';
import { ConcurrencyError, type EpisodeWrite, type EventHubCheckpoint, type InboxMessage, type InstancePage, type InstanceQuery, type InstanceRecord, type Store, type StoredHostKeys, type TimerScheduleStatus, type WorkItem } from './store';

const clone = <T>(value: T): T => structuredClone(value);

export class MemoryStore implements Store {
  readonly kind = 'memory';
  #instances = new Map<string, { record: InstanceRecord; version: number }>();
  #history = new Map<string, HistoryEvent[]>();
  #messages = new Map<string, Map<string, InboxMessage>>();
  #workItems = new Map<string, Map<string, WorkItem>>();
  #hostKeys: StoredHostKeys | undefined;
  #checkpoints = new Map<string, Map<string, EventHubCheckpoint>>();
  #timerStatus = new Map<string, TimerScheduleStatus>();

  async init(): Promise<void> {}
  async close(): Promise<void> {}

  async getInstance(instanceId: string): Promise<InstanceRecord | undefined> {
    const row = this.#instances.get(instanceId);
    return row ? clone(row.record) : undefined;
  }

  versionOf(instanceId: string): string | undefined {
    const row = this.#instances.get(instanceId);
    return row ? String(row.version) : undefined;
  }

  async putInstance(record: InstanceRecord, expectedVersion?: string): Promise<string> {
    const row = this.#instances.get(record.instanceId);
    if (expectedVersion !== undefined && (!row || String(row.version) !== expectedVersion)) throw new ConcurrencyError(record.instanceId);
    const version = (row?.version ?? 0) + 1;
    this.#instances.set(record.instanceId, { record: clone(record), version });
    return String(version);
  }

  async queryInstances(query: InstanceQuery): Promise<InstancePage> {
    const all = [...this.#instances.values()]
      .map((r) => r.record)
      .filter((r) => matchesQuery(r, query))
      .sort((a, b) => (a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0));
    const start = query.continuationToken ? Number(Buffer.from(query.continuationToken, 'base64url').toString()) : 0;
    const size = query.pageSize && query.pageSize > 0 ? query.pageSize : all.length || 1;
    const page = all.slice(start, start + size);
    const next = start + size < all.length ? Buffer.from(String(start + size)).toString('base64url') : undefined;
    return { instances: page.map(clone), continuationToken: next };
  }

  async purgeInstance(instanceId: string): Promise<boolean> {
    const existed = this.#instances.delete(instanceId);
    this.#history.delete(instanceId);
    this.#messages.delete(instanceId);
    this.#workItems.delete(instanceId);
    return existed;
  }

  async readHistory(instanceId: string, length: number): Promise<HistoryEvent[]> {
    return clone((this.#history.get(instanceId) ?? []).slice(0, length));
  }

  async writeHistory(instanceId: string, fromIndex: number, events: HistoryEvent[]): Promise<void> {
    const list = this.#history.get(instanceId) ?? [];
    events.forEach((event, i) => {
      list[fromIndex + i] = clone(event);
    });
    this.#history.set(instanceId, list);
  }

  async writeEpisode(write: EpisodeWrite): Promise<string> {
    const { record, expectedVersion } = write;
    const row = this.#instances.get(record.instanceId);
    if (expectedVersion !== undefined && (!row || String(row.version) !== expectedVersion)) throw new ConcurrencyError(record.instanceId);
    await this.writeHistory(record.instanceId, write.fromIndex, write.events);
    for (const message of write.messages) await this.putMessage(message);
    for (const item of write.workItems) this.#putWorkItem(item);
    await this.deleteMessages(record.instanceId, write.consumed);
    return this.putInstance(record, expectedVersion);
  }

  async createInstance(record: InstanceRecord, start: InboxMessage): Promise<string> {
    await this.putMessage(start);
    return this.putInstance(record);
  }

  async completeWorkItem(item: WorkItem, outcome: InboxMessage): Promise<void> {
    await this.putMessage(outcome);
    await this.deleteWorkItem(item.instanceId, item.key);
  }

  async putMessage(message: InboxMessage): Promise<void> {
    const box = this.#messages.get(message.instanceId) ?? new Map<string, InboxMessage>();
    box.set(message.id, clone(message));
    this.#messages.set(message.instanceId, box);
  }

  async deleteMessages(instanceId: string, ids: string[]): Promise<void> {
    const box = this.#messages.get(instanceId);
    for (const id of ids) box?.delete(id);
  }

  async listMessages(): Promise<InboxMessage[]> {
    return [...this.#messages.values()].flatMap((box) => [...box.values()]).map(clone);
  }

  async readHostKeys(): Promise<StoredHostKeys | undefined> {
    return this.#hostKeys ? clone(this.#hostKeys) : undefined;
  }

  async writeHostKeys(keys: StoredHostKeys): Promise<void> {
    this.#hostKeys = clone(keys);
  }

  async listCheckpoints(scope: string): Promise<EventHubCheckpoint[]> {
    return [...(this.#checkpoints.get(scope)?.values() ?? [])].map(clone);
  }

  async readTimerStatus(functionName: string): Promise<TimerScheduleStatus | undefined> {
    const status = this.#timerStatus.get(functionName);
    return status ? clone(status) : undefined;
  }

  async writeTimerStatus(functionName: string, status: TimerScheduleStatus): Promise<void> {
    this.#timerStatus.set(functionName, clone(status));
  }

  async putCheckpoint(checkpoint: EventHubCheckpoint): Promise<void> {
    const partitions = this.#checkpoints.get(checkpoint.scope) ?? new Map<string, EventHubCheckpoint>();
    partitions.set(checkpoint.partitionId, clone(checkpoint));
    this.#checkpoints.set(checkpoint.scope, partitions);
  }

  #putWorkItem(item: WorkItem): void {
    const items = this.#workItems.get(item.instanceId) ?? new Map<string, WorkItem>();
    items.set(item.key, clone(item));
    this.#workItems.set(item.instanceId, items);
  }

  async deleteWorkItem(instanceId: string, key: string): Promise<void> {
    this.#workItems.get(instanceId)?.delete(key);
  }

  async listWorkItems(): Promise<WorkItem[]> {
    return [...this.#workItems.values()].flatMap((items) => [...items.values()]).map(clone);
  }
}

export function matchesQuery(record: InstanceRecord, query: InstanceQuery): boolean {
  if (query.createdTimeFrom !== undefined && record.createdTime < query.createdTimeFrom) return false;
  if (query.createdTimeTo !== undefined && record.createdTime > query.createdTimeTo) return false;
  if (query.runtimeStatus && query.runtimeStatus.length > 0 && !query.runtimeStatus.includes(record.runtimeStatus)) return false;
  if (query.instanceIdPrefix !== undefined && !record.instanceId.startsWith(query.instanceIdPrefix)) return false;
  return true;
}
