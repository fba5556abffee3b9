// host.json extensions.eventHubs as the local host's Event Hubs trigger reads it (local/host/eventHubs/eventHubsOptions.ts).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { earliestEventPosition, latestEventPosition } from '@azure/event-hubs';
import { DEFAULT_MAX_EVENT_BATCH_SIZE, readEventHubsOptions, type EventHubsOptions } from '../../../local/host/eventHubs/eventHubsOptions';

const DEFAULTS: EventHubsOptions = {
  maxBatchSize: DEFAULT_MAX_EVENT_BATCH_SIZE, prefetchCount: undefined, batchCheckpointFrequency: 1, startPosition: earliestEventPosition, unused: [],
};

test('options that map are read; the others are listed as unused', async (t) => {
  const cases: [string, unknown, Partial<EventHubsOptions>][] = [
    ['absent: the extension defaults', undefined, {}],
    ['5.x names', { maxEventBatchSize: 10, prefetchCount: 50, batchCheckpointFrequency: 3 }, { maxBatchSize: 10, prefetchCount: 50, batchCheckpointFrequency: 3 }],
    ['3.x eventProcessorOptions', { eventProcessorOptions: { maxBatchSize: 7, prefetchCount: 0 } }, { maxBatchSize: 7, prefetchCount: 0 }],
    ['5.x names win over eventProcessorOptions', { maxEventBatchSize: 2, eventProcessorOptions: { maxBatchSize: 7 } }, { maxBatchSize: 2 }],
    ['fromEnd', { initialOffsetOptions: { type: 'fromEnd' } }, { startPosition: latestEventPosition }],
    ['fromStart, any case', { initialOffsetOptions: { type: 'FromStart' } }, { startPosition: earliestEventPosition }],
    ['fromEnqueuedTime', { initialOffsetOptions: { type: 'fromEnqueuedTime', enqueuedTimeUtc: '2025-01-01T00:00:00Z' } },
      { startPosition: { enqueuedOn: new Date('2025-01-01T00:00:00Z') } }],
    ['unknown and unmapped options', { minEventBatchSize: 5, maxWaitTime: '00:00:05', eventProcessorOptions: { invokeProcessorAfterReceiveTimeout: true } },
      { unused: ['extensions.eventHubs.minEventBatchSize', 'extensions.eventHubs.maxWaitTime', 'extensions.eventHubs.eventProcessorOptions.invokeProcessorAfterReceiveTimeout'] }],
  ];
  for (const [name, raw, expected] of cases) {
    await t.test(name, () => assert.deepEqual(readEventHubsOptions(raw), { ...DEFAULTS, ...expected }));
  }
});

test('values the extension would refuse stop the host, naming the option and the rule', async (t) => {
  const cases: [string, unknown, RegExp][] = [
    ['batch size 0', { maxEventBatchSize: 0 }, /extensions\.eventHubs\.maxEventBatchSize must be an integer of at least 1/],
    ['batch size as text', { eventProcessorOptions: { maxBatchSize: '10' } }, /eventProcessorOptions\.maxBatchSize must be an integer/],
    ['negative prefetch', { prefetchCount: -1 }, /prefetchCount must be an integer of at least 0/],
    ['checkpoint frequency 1.5', { batchCheckpointFrequency: 1.5 }, /batchCheckpointFrequency must be an integer of at least 1/],
    ['unknown offset type', { initialOffsetOptions: { type: 'fromMiddle' } }, /initialOffsetOptions\.type must be fromStart, fromEnd or fromEnqueuedTime/],
    ['enqueued time missing', { initialOffsetOptions: { type: 'fromEnqueuedTime' } }, /initialOffsetOptions\.enqueuedTimeUtc must be a UTC date/],
    ['not an object', [], /extensions\.eventHubs must be an object/],
  ];
  for (const [name, raw, message] of cases) {
    await t.test(name, () => assert.throws(() => readEventHubsOptions(raw), message));
  }
});
