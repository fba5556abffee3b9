// Persistence of a task hub: instance rows, per-instance history, per-instance inbox messages
// (timers are inbox messages that become visible at their fire time) and activity work items.
// Two implementations: memoryStore (unit tests) and tableStore (Azure Tables / Azurite).
import type { HistoryEvent } from '../durable/history';

export type RuntimeStatus = 'Pending' | 'Running' | 'Completed' | 'ContinuedAsNew' | 'Failed' | 'Canceled' | 'Terminated' | 'Suspended';

export const TERMINAL_STATUSES: ReadonlySet<RuntimeStatus> = new Set(['Completed', 'Failed', 'Canceled', 'Terminated']);

export interface ParentRef {
  instanceId: string;
  executionId: string;
  name: string;
  taskScheduledId: number;
}

export interface InstanceRecord {
  instanceId: string;
  name: string;
  version: string;
  executionId: string;
  runtimeStatus: RuntimeStatus;
  /** Epoch milliseconds. */
  createdTime: number;
  lastUpdatedTime: number;
  /** JSON text, as stored in ExecutionStarted.Input / ExecutionCompleted.Result. */
  input: string | null;
  output: string | null;
  customStatus: string | null;
  parent: ParentRef | null;
  /** Number of committed history events; rows beyond it are leftovers of an interrupted episode. */
  historyLength: number;
  /** Engine bookkeeping (ids, pending work, retries): JSON text owned by durable/engine.ts. */
  engineState: string;
  /** Inbox message ids consumed by the last committed episode (deleted right after commit). */
  lastConsumed: string[];
}

export interface InboxMessage {
  /** Sortable unique id; arrival order. */
  id: string;
  instanceId: string;
  /** The execution a completion belongs to; absent for instance-addressed messages (raise event, terminate...). */
  executionId?: string;
  /** Epoch ms before which the message is not delivered (durable timers). */
  visibleAt: number;
  event: HistoryEvent;
}

export interface WorkItem {
  /** `${executionId}:${taskScheduledId}`: the same schedule always maps to the same item. */
  key: string;
  instanceId: string;
  executionId: string;
  taskScheduledId: number;
  name: string;
  /** The action's `input` field, JSON text (research §4: strings arrive already JSON-encoded). */
  input: string | null;
}

export interface InstanceQuery {
  createdTimeFrom?: number;
  createdTimeTo?: number;
  runtimeStatus?: RuntimeStatus[];
  instanceIdPrefix?: string;
  pageSize?: number;
  continuationToken?: string;
}

export interface InstancePage {
  instances: InstanceRecord[];
  continuationToken?: string;
}

export class ConcurrencyError extends Error {
  constructor(instanceId: string) {
    super(`Instance "${instanceId}" was changed by someone else (optimistic concurrency check failed).`);
    this.name = 'ConcurrencyError';
  }
}

/**
 * Where an Event Hubs trigger's consumer group is on one partition: the last event handed to the function.
 * The Functions extension keeps these in blob storage (azure-webjobs-eventhub); this host keeps them in its store.
 */
export interface EventHubCheckpoint {
  /** `<namespace>/<event hub>/<consumer group>`, lower-cased as the SDK's blob checkpoint store does. */
  scope: string;
  partitionId: string;
  offset: string;
  sequenceNumber: number;
}

/**
 * A timer trigger's schedule status, epoch ms (the Functions host keeps it in the blob
 * `azure-webjobs-hosts/timers/<host id>/<function>/status`): the last occurrence run (null: never), the next
 * expected one, and when the record was written. A restarted host compares `next` with now to pass isPastDue.
 */
export interface TimerScheduleStatus {
  last: number | null;
  next: number;
  lastUpdated: number;
}

/** The host's keys as kept in storage (the Functions host keeps them in azure-webjobs-secrets). */
export interface StoredHostKeys {
  masterKey: string;
  functionKey: string;
  systemKey: string;
}

/** What an episode commits for its own instance. */
export interface EpisodeWrite {
  /** The row as it is after the episode (historyLength counts `events`). */
  record: InstanceRecord;
  /** The row's version as last read or written: a different one fails with ConcurrencyError. */
  expectedVersion: string | undefined;
  /** History events appended at positions fromIndex.. */
  fromIndex: number;
  events: HistoryEvent[];
  /** New messages to the instance itself (durable timers, its next execution's start). */
  messages: InboxMessage[];
  /** New activity work items of the instance. */
  workItems: WorkItem[];
  /** Ids of the inbox messages the episode consumed. */
  consumed: string[];
}

export interface Store {
  readonly kind: 'memory' | 'table';
  init(): Promise<void>;
  close(): Promise<void>;

  getInstance(instanceId: string): Promise<InstanceRecord | undefined>;
  /** Writes the row; `expectedVersion` (from the last read/write) guards against concurrent writers. */
  putInstance(record: InstanceRecord, expectedVersion?: string): Promise<string>;
  /** Version token of the row as last read or written by this store object. */
  versionOf(instanceId: string): string | undefined;
  queryInstances(query: InstanceQuery): Promise<InstancePage>;
  /** Deletes the instance row, its history, inbox and work items. Returns whether a row existed. */
  purgeInstance(instanceId: string): Promise<boolean>;

  readHistory(instanceId: string, length: number): Promise<HistoryEvent[]>;
  /** Upserts events at positions fromIndex.. (one row each). */
  writeHistory(instanceId: string, fromIndex: number, events: HistoryEvent[]): Promise<void>;
  /**
   * An episode's commit point, one atomic write where the store can (the Table store: one entity-group
   * transaction on the instance's partition). Returns the row's new version.
   */
  writeEpisode(write: EpisodeWrite): Promise<string>;
  /** Writes a new instance's row and its start message, atomically where the store can. Returns the row's version. */
  createInstance(record: InstanceRecord, start: InboxMessage): Promise<string>;
  /** Puts an activity's outcome in its instance's inbox and retires the work item, atomically where the store can. */
  completeWorkItem(item: WorkItem, outcome: InboxMessage): Promise<void>;

  putMessage(message: InboxMessage): Promise<void>;
  deleteMessages(instanceId: string, ids: string[]): Promise<void>;
  /** Every inbox message of every instance (recovery after a restart). */
  listMessages(): Promise<InboxMessage[]>;

  /** The host keys saved by an earlier start, if any. */
  readHostKeys(): Promise<StoredHostKeys | undefined>;
  /** Saves the host keys (replacing any saved ones). */
  writeHostKeys(keys: StoredHostKeys): Promise<void>;

  /** The checkpoints of one consumer group of one Event Hub, one per partition. */
  listCheckpoints(scope: string): Promise<EventHubCheckpoint[]>;
  /** Replaces the checkpoint of the checkpoint's scope and partition. */
  putCheckpoint(checkpoint: EventHubCheckpoint): Promise<void>;

  /** The schedule status of a timer trigger function, if one was saved. */
  readTimerStatus(functionName: string): Promise<TimerScheduleStatus | undefined>;
  /** Replaces the schedule status of a timer trigger function. */
  writeTimerStatus(functionName: string, status: TimerScheduleStatus): Promise<void>;
  deleteWorkItem(instanceId: string, key: string): Promise<void>;
  listWorkItems(): Promise<WorkItem[]>;
}
