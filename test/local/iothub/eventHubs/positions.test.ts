// Event positions on the built-in endpoint with the unmodified consumer: earliest, latest, offset, sequence number
// and enqueued time; a consumer that stops and starts again from its last offset gets exactly the events after it;
// runtime information follows the log; the partition count is configurable.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type EventPosition, type PartitionContext, type ReceivedEventData, earliestEventPosition, latestEventPosition } from '@azure/event-hubs';
import type { VirtualDeviceConnection } from '../../../../local/iothub/index';
import { parseSelector } from '../../../../local/iothub/eventhubs/eventPosition';
import { consumerClient, readPartition, useEventHubsEmulator } from '../../../support/eventHubs';
import { elementAt } from '../../../support/elementAt';

const DEVICE = 'pos-a';

describe('built-in endpoint: event positions', () => {
  const fixture = useEventHubsEmulator([DEVICE], { eventHubs: { partitionCount: 2 } });
  let device: VirtualDeviceConnection | undefined;
  let step = 0;

  /** `count` twin change events from the device, bodies carrying step numbers. */
  function report(count: number): void {
    device ??= fixture.emulator.admin.connectVirtualDevice(DEVICE, { onMethod: async () => ({ status: 200, payload: null }) });
    for (let i = 0; i < count; i += 1) device.updateReported({ step: (step += 1) });
  }
  const steps = (events: ReceivedEventData[]) => events.map((e) => (e.body as { properties: { reported: { step: number } } }).properties.reported.step);
  const partition = () => fixture.emulator.eventHubsEndpoint.partitionIdFor(DEVICE);

  it('has the configured partition count and runtime information that follows the log', async () => {
    const { consumer } = fixture;
    const hub = await consumer.getEventHubProperties();
    assert.equal(hub.name, 'localhost');
    assert.deepEqual(hub.partitionIds, ['0', '1']);
    const empty = await consumer.getPartitionProperties(partition());
    assert.equal(empty.isEmpty, true);
    assert.equal(empty.lastEnqueuedSequenceNumber, -1);
    report(3);
    const info = await consumer.getPartitionProperties(partition());
    assert.deepEqual([info.isEmpty, info.beginningSequenceNumber, info.lastEnqueuedSequenceNumber, info.partitionId], [false, 0, 2, partition()]);
    const events = await readPartition(consumer, partition(), earliestEventPosition, (all) => all.length >= 3);
    assert.equal(info.lastEnqueuedOffset, elementAt(events, 2).offset);
    assert.equal(info.lastEnqueuedOnUtc.getTime(), elementAt(events, 2).enqueuedTimeUtc.getTime());
  });

  it('starts where the position says', async (t) => {
    const { consumer } = fixture;
    const all = await readPartition(consumer, partition(), earliestEventPosition, (events) => events.length >= 3);
    const [first, second] = all;
    assert.ok(first && second, 'three events were read');
    const cases: { name: string; position: EventPosition; expected: number[] }[] = [
      { name: 'earliest', position: earliestEventPosition, expected: [1, 2, 3] },
      { name: 'after an offset', position: { offset: first.offset }, expected: [2, 3] },
      { name: 'at an offset (inclusive)', position: { offset: second.offset, isInclusive: true }, expected: [2, 3] },
      { name: 'after a sequence number', position: { sequenceNumber: second.sequenceNumber }, expected: [3] },
      { name: 'at a sequence number (inclusive)', position: { sequenceNumber: first.sequenceNumber, isInclusive: true }, expected: [1, 2, 3] },
      { name: 'after an enqueued time', position: { enqueuedOn: first.enqueuedTimeUtc.getTime() - 1 }, expected: [1, 2, 3] },
    ];
    for (const { name, position, expected } of cases) {
      await t.test(name, async () => {
        const events = await readPartition(consumer, partition(), position, (got) => got.length >= expected.length);
        assert.deepEqual(steps(events), expected);
      });
    }
    await t.test('latest: only what is written after the receiver attaches', async () => {
      // The SDK hands over an empty batch after maxWaitTimeInSeconds once its receiver is attached and idle: the
      // signal to write. Events written earlier (steps 1–3) must not appear.
      let written = false;
      const events = await readPartition(consumer, partition(), latestEventPosition, (got) => {
        if (!written) {
          written = true;
          report(1);
        }
        return got.length >= 1;
      });
      assert.deepEqual(steps(events), [4]);
    });
  });

  it('resumes a restarted consumer after its last offset with exactly the events after it', async () => {
    const first = consumerClient(fixture.emulator);
    let checkpoint: ReceivedEventData;
    try {
      const events = await readPartition(first, partition(), earliestEventPosition, (got) => got.length >= 4);
      checkpoint = elementAt(events, -1);
    } finally {
      await first.close();
    }
    report(3);
    const restarted = consumerClient(fixture.emulator);
    try {
      const events = await readPartition(restarted, partition(), { offset: checkpoint.offset }, (got) => got.length >= 3);
      assert.deepEqual(steps(events), [5, 6, 7]);
      assert.deepEqual(events.map((e) => e.sequenceNumber), [checkpoint.sequenceNumber + 1, checkpoint.sequenceNumber + 2, checkpoint.sequenceNumber + 3]);
    } finally {
      await restarted.close();
    }
  });

  it('tells a consumer that tracks them the partition\'s last enqueued event', async () => {
    const { consumer } = fixture;
    const info = await consumer.getPartitionProperties(partition());
    let last: PartitionContext['lastEnqueuedEventProperties'] | undefined;
    await readPartition(consumer, partition(), earliestEventPosition, (got) => got.length >= 1, 15_000, (context) => (last = { ...context.lastEnqueuedEventProperties }));
    assert.equal(last?.sequenceNumber, info.lastEnqueuedSequenceNumber);
    assert.equal(last?.offset, info.lastEnqueuedOffset);
    assert.equal(last?.enqueuedOn?.getTime(), info.lastEnqueuedOnUtc.getTime());
    assert.ok(last?.retrievedOn instanceof Date);
  });

  it('parses only the selector filters the SDK writes', async (t) => {
    const cases: [string, ReturnType<typeof parseSelector>][] = [
      ["amqp.annotation.x-opt-offset > '-1'", { field: 'offset', inclusive: false, value: '-1' }],
      ["amqp.annotation.x-opt-offset > '@latest'", { field: 'offset', inclusive: false, value: '@latest' }],
      ["amqp.annotation.x-opt-sequence-number >= '5'", { field: 'sequence-number', inclusive: true, value: '5' }],
      ["amqp.annotation.x-opt-enqueued-time > '1700000000000'", { field: 'enqueued-time', inclusive: false, value: '1700000000000' }],
      ["amqp.annotation.x-opt-sequence-number > '@latest'", undefined],
      ["amqp.annotation.x-opt-offset < '5'", undefined],
      ["amqp.annotation.x-opt-offset > 'abc'", undefined],
      ["1=1; amqp.annotation.x-opt-offset > '5'", undefined],
    ];
    for (const [selector, expected] of cases) {
      await t.test(selector, () => assert.deepEqual(parseSelector(selector), expected));
    }
  });
});
