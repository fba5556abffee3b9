// host.json `extensions.eventHubs` as the local host's Event Hubs trigger honours it. Names as the extension reads
// them (Microsoft.Azure.WebJobs.Extensions.EventHubs EventHubOptions; host.json reference, "eventHubs"): 5.x
// `maxEventBatchSize`, `prefetchCount`, `batchCheckpointFrequency`, `initialOffsetOptions`; the 3.x/4.x
// `eventProcessorOptions.maxBatchSize` / `.prefetchCount` too. Every other option is named once in a log line as
// not used here; a value the extension would refuse stops the host with the option and the rule.
import { earliestEventPosition, latestEventPosition, type EventPosition } from '@azure/event-hubs';

export interface EventHubsOptions {
  /** Events per invocation with cardinality many (the extension's default 100). */
  maxBatchSize: number;
  /** Events the consumer asks for ahead of reading; undefined leaves the SDK's default. */
  prefetchCount: number | undefined;
  /** Batches per partition between two checkpoints (default 1: after every batch). */
  batchCheckpointFrequency: number;
  /** Where a partition without a checkpoint starts (default: its first event). */
  startPosition: EventPosition;
  /** Options given that this host does not use, as dotted paths. */
  unused: string[];
}

/** The extension's default maxEventBatchSize (5.x). */
export const DEFAULT_MAX_EVENT_BATCH_SIZE = 100;
const HONOURED = new Set(['maxEventBatchSize', 'prefetchCount', 'batchCheckpointFrequency', 'initialOffsetOptions', 'eventProcessorOptions']);

export function readEventHubsOptions(raw: unknown): EventHubsOptions {
  const options = object(raw, 'extensions.eventHubs');
  const processor = object(options.eventProcessorOptions, 'extensions.eventHubs.eventProcessorOptions');
  const unused = [
    ...Object.keys(options).filter((key) => !HONOURED.has(key)),
    ...Object.keys(processor).filter((key) => key !== 'maxBatchSize' && key !== 'prefetchCount').map((key) => `eventProcessorOptions.${key}`),
  ].map((key) => `extensions.eventHubs.${key}`);
  const batch = options.maxEventBatchSize !== undefined ? ['maxEventBatchSize', options.maxEventBatchSize] as const
    : ['eventProcessorOptions.maxBatchSize', processor.maxBatchSize] as const;
  const prefetch = options.prefetchCount !== undefined ? ['prefetchCount', options.prefetchCount] as const
    : ['eventProcessorOptions.prefetchCount', processor.prefetchCount] as const;
  return {
    maxBatchSize: integer(batch[1], batch[0], 1) ?? DEFAULT_MAX_EVENT_BATCH_SIZE,
    prefetchCount: integer(prefetch[1], prefetch[0], 0),
    batchCheckpointFrequency: integer(options.batchCheckpointFrequency, 'batchCheckpointFrequency', 1) ?? 1,
    startPosition: startPosition(options.initialOffsetOptions),
    unused,
  };
}

/** initialOffsetOptions: { type: fromStart | fromEnd | fromEnqueuedTime, enqueuedTimeUtc } (case-insensitive type). */
function startPosition(raw: unknown): EventPosition {
  const offset = object(raw, 'extensions.eventHubs.initialOffsetOptions');
  const type = offset.type === undefined ? 'fromstart' : typeof offset.type === 'string' ? offset.type.toLowerCase() : '';
  if (type === 'fromstart') return earliestEventPosition;
  if (type === 'fromend') return latestEventPosition;
  if (type === 'fromenqueuedtime') {
    const at = typeof offset.enqueuedTimeUtc === 'string' ? Date.parse(offset.enqueuedTimeUtc) : NaN;
    if (Number.isNaN(at)) throw invalid('initialOffsetOptions.enqueuedTimeUtc', 'must be a UTC date and time when type is fromEnqueuedTime');
    return { enqueuedOn: new Date(at) };
  }
  throw invalid('initialOffsetOptions.type', 'must be fromStart, fromEnd or fromEnqueuedTime');
}

function integer(value: unknown, name: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) throw invalid(name, `must be an integer of at least ${min}`);
  return value;
}

function object(value: unknown, name: string): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`host.json ${name} must be an object.`);
  return value as Record<string, unknown>;
}

function invalid(name: string, rule: string): Error {
  return new Error(`host.json extensions.eventHubs.${name} ${rule}.`);
}
