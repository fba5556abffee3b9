// Delivers one partition to one consumer link: from its start position on, as far as the link's credit allows,
// and again whenever credit arrives or an event is appended. Each event carries the Event Hubs annotations
// (x-opt-sequence-number, x-opt-offset, x-opt-enqueued-time) beside the hub's own.
import { message as amqpMessage, types, type Message, type Sender } from 'rhea';
import type { PartitionLog, StoredEvent } from './partitionLog';

const BATCH = 100;

/** The receiver capability asking for the partition's last enqueued event on every delivery (trackLastEnqueuedEventProperties). */
export const RUNTIME_METRIC_CAPABILITY = 'com.microsoft:enable-receiver-runtime-metric';

function runtimeInfo(log: PartitionLog): Record<string, unknown> {
  const newest = log.newest;
  return {
    last_enqueued_sequence_number: types.wrap_long(newest?.sequenceNumber ?? -1),
    last_enqueued_offset: newest === undefined ? '-1' : String(newest.offset),
    last_enqueued_time_utc: new Date(newest?.enqueuedAtMs ?? 0),
    runtime_info_retrieval_time_utc: new Date(),
  };
}

export function amqpMessageOf(event: StoredEvent): Message {
  const { user_id: userId, ...properties } = event.properties;
  return {
    ...properties,
    // AMQP's user-id is binary (rhea's typing says string).
    ...(userId === undefined ? {} : { user_id: Buffer.from(userId, 'utf8') as unknown as string }),
    body: amqpMessage.data_section(event.body),
    message_annotations: {
      ...event.annotations,
      'x-opt-sequence-number': types.wrap_long(event.sequenceNumber),
      'x-opt-offset': String(event.offset),
      'x-opt-enqueued-time': new Date(event.enqueuedAtMs),
    },
    application_properties: event.applicationProperties,
  };
}

export class PartitionReader {
  private nextSequenceNumber: number;
  private readonly stopListening: () => void;

  constructor(
    private readonly sender: Sender,
    private readonly log: PartitionLog,
    startSequenceNumber: number,
    private readonly withRuntimeInfo = false,
  ) {
    this.nextSequenceNumber = startSequenceNumber;
    this.stopListening = log.onAppend(() => this.pump());
  }

  pump(): void {
    while (this.sender.sendable()) {
      const events = this.log.fromSequenceNumber(this.nextSequenceNumber, BATCH);
      if (events.length === 0) return;
      for (const event of events) {
        if (!this.sender.sendable()) return;
        const message = amqpMessageOf(event);
        if (this.withRuntimeInfo) message.delivery_annotations = runtimeInfo(this.log);
        this.sender.send(message);
        this.nextSequenceNumber = event.sequenceNumber + 1;
      }
    }
  }

  close(): void {
    this.stopListening();
  }
}
