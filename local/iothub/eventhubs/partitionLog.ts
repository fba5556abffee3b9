// One partition of the built-in endpoint: an append-only, in-memory log. Sequence numbers start at 0 and grow by
// one; the offset is the byte position of the event in the partition's stream (as in Event Hubs, an opaque
// increasing string to clients). Retention is by count: past `capacity` events the oldest go first, so a long
// benchmark cannot grow memory without limit (the real hub retains by time, 1–7 days).
import type { RoutedEvent } from './routedEvent';

export interface StoredEvent extends RoutedEvent {
  partitionId: string;
  sequenceNumber: number;
  offset: number;
}

export const DEFAULT_PARTITION_CAPACITY = 10_000;

export class PartitionLog {
  private events: StoredEvent[] = [];
  private nextSequenceNumber = 0;
  private nextOffset = 0;
  private readonly listeners = new Set<() => void>();

  constructor(readonly partitionId: string, private readonly capacity = DEFAULT_PARTITION_CAPACITY) {}

  append(event: RoutedEvent): StoredEvent {
    const stored: StoredEvent = { ...event, partitionId: this.partitionId, sequenceNumber: this.nextSequenceNumber, offset: this.nextOffset };
    this.nextSequenceNumber += 1;
    // Leave room between events, as a byte stream would, so offsets are never mistaken for sequence numbers.
    this.nextOffset += Math.max(event.body.length, 1) + 64;
    this.events.push(stored);
    if (this.events.length > this.capacity) this.events.splice(0, this.events.length - this.capacity);
    for (const listener of this.listeners) listener();
    return stored;
  }

  /** Index of the first retained event accepted by `matches`, or the end of the log. */
  firstIndexWhere(matches: (event: StoredEvent) => boolean): number {
    const index = this.events.findIndex(matches);
    return index < 0 ? this.events.length : index;
  }

  /** The sequence number of the retained event at `index`, or the next one to be written past the end. */
  sequenceNumberAt(index: number): number {
    return this.events[index]?.sequenceNumber ?? this.nextSequenceNumber;
  }

  /** Events from the one with the given sequence number on (or from the oldest retained, if it is gone). */
  fromSequenceNumber(sequenceNumber: number, max: number): StoredEvent[] {
    const first = this.events[0];
    if (!first) return [];
    const start = Math.max(0, sequenceNumber - first.sequenceNumber);
    return this.events.slice(start, start + max);
  }

  /** The sequence number the next appended event gets. */
  get endSequenceNumber(): number {
    return this.nextSequenceNumber;
  }

  get oldest(): StoredEvent | undefined {
    return this.events[0];
  }

  get newest(): StoredEvent | undefined {
    return this.events[this.events.length - 1];
  }

  /** Calls `listener` after each append until the returned function is called. */
  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  clear(): void {
    this.events = [];
  }
}
