// Where a consumer starts reading: the selector filter the Event Hubs SDK puts on its receiver link
// (`amqp.annotation.x-opt-offset > '<offset>'`, `… x-opt-sequence-number >= '<n>'`, `… x-opt-enqueued-time > '<ms>'`;
// earliest is offset '-1', latest is offset '@latest'; @azure/event-hubs eventPosition.ts). Resolved once, at attach,
// to the sequence number of the first event to deliver.
import type { PartitionLog, StoredEvent } from './partitionLog';

/** The selector filter's descriptor name (its code is 0x0000468C:0x00000004). */
export const SELECTOR_FILTER_NAME = 'apache.org:selector-filter:string';

const SELECTOR = /^amqp\.annotation\.x-opt-(offset|sequence-number|enqueued-time)\s*(>=|>)\s*'([^']*)'$/;

export interface EventPosition {
  field: 'offset' | 'sequence-number' | 'enqueued-time';
  inclusive: boolean;
  /** '-1', '@latest' or a decimal number. */
  value: string;
}

/** Undefined when the filter is not one the SDK writes. */
export function parseSelector(selector: string): EventPosition | undefined {
  const [, field, operator, value] = SELECTOR.exec(selector.trim()) ?? [];
  if (value === undefined) return undefined;
  if (value !== '@latest' && !/^-?\d+$/.test(value)) return undefined;
  if (value === '@latest' && field !== 'offset') return undefined;
  return { field: field as EventPosition['field'], inclusive: operator === '>=', value };
}

/** The sequence number of the first event a consumer at this position receives (may be one not yet written). */
export function startSequenceNumber(position: EventPosition | undefined, log: PartitionLog): number {
  if (position === undefined) return log.endSequenceNumber;
  if (position.value === '@latest') return log.endSequenceNumber;
  const bound = Number(position.value);
  const key = (event: StoredEvent): number =>
    position.field === 'offset' ? event.offset : position.field === 'sequence-number' ? event.sequenceNumber : event.enqueuedAtMs;
  const index = log.firstIndexWhere((event) => (position.inclusive ? key(event) >= bound : key(event) > bound));
  return log.sequenceNumberAt(index);
}
