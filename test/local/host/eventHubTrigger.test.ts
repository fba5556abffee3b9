// The local host's Event Hubs trigger against the IoT Hub emulator's built-in endpoint, through the unmodified
// @azure/event-hubs consumer: the app gets batches as the extension passes them (bodies + *Array metadata), and a
// host restarted on the same store resumes after the last checkpointed event instead of reading everything again.
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startLocalHost, MemoryStore, type LocalHost } from '../../../local/host';
import type { HostLogEntry } from '../../../local/host/log';
import { startIotHubEmulator, type RunningIotHubEmulator, type VirtualDeviceConnection } from '../../../local/iothub';
import { fixtureApp } from './helpers';

interface Batch { messages: unknown[]; triggerMetadata: Record<string, unknown> }

/** Receives the batches the fixture app posts; `next(n)` resolves once n more events arrived. */
class Sink {
  readonly batches: Batch[] = [];
  #waiters: { count: number; resolve: () => void }[] = [];
  readonly server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => { text += chunk.toString('utf8'); });
    req.on('end', () => {
      this.batches.push(JSON.parse(text) as Batch);
      res.writeHead(204).end();
      const total = this.events().length;
      this.#waiters = this.#waiters.filter((w) => (total >= w.count ? (w.resolve(), false) : true));
    });
  });
  events(): Record<string, unknown>[] {
    return this.batches.flatMap((b) => b.messages as Record<string, unknown>[]);
  }
  until(count: number): Promise<void> {
    return this.events().length >= count ? Promise.resolve() : new Promise((resolve) => this.#waiters.push({ count, resolve }));
  }
}

let emulator: RunningIotHubEmulator;
const sink = new Sink();
let sinkUrl = '';
let device: VirtualDeviceConnection;

before(async () => {
  emulator = await startIotHubEmulator();
  await emulator.admin.createDevices(['eh-1']);
  device = emulator.admin.connectVirtualDevice('eh-1', { onMethod: async () => ({ status: 200, payload: null }) });
  await new Promise<void>((resolve) => sink.server.listen(0, '127.0.0.1', resolve));
  sinkUrl = `http://127.0.0.1:${(sink.server.address() as AddressInfo).port}/`;
});

after(async () => {
  sink.server.closeAllConnections();
  await new Promise<void>((resolve) => sink.server.close(() => resolve()));
  await emulator.stop();
});

function startHost(store: MemoryStore, app = 'eventhub-app', log?: (entry: HostLogEntry) => void): Promise<LocalHost> {
  return startLocalHost({
    appRoot: fixtureApp(app), storage: store, ...(log === undefined ? {} : { log }),
    env: {
      EVENTS_CONNECTION: emulator.eventHubsEndpoint.connectionString('service'), EVENTS_NAME: emulator.eventHubsEndpoint.name,
      EVENTS_CONSUMER_GROUP: '$Default', SINK_URL: sinkUrl,
    },
  });
}

const report = (n: number): void => {
  device.updateReported({ iothubDM: { reboot: { status: `step-${n}` } } });
};

test('batches with the extension metadata; a restarted host resumes from its checkpoint', async () => {
  const store = new MemoryStore();
  const first = await startHost(store);
  try {
    for (let n = 1; n <= 3; n++) report(n);
    await sink.until(3);
    await first.whenIdle(); // the checkpoint is stored
  } finally {
    await first.stop();
  }
  const seen = sink.events();
  assert.deepEqual(seen.map((e) => (e.properties as { reported: { iothubDM: { reboot: { status: string } } } }).reported.iothubDM.reboot.status),
    ['step-1', 'step-2', 'step-3']);
  const [batch] = sink.batches;
  const system = batch!.triggerMetadata.systemPropertiesArray as Record<string, unknown>[];
  const application = batch!.triggerMetadata.propertiesArray as Record<string, unknown>[];
  assert.equal(system.length, batch!.messages.length, 'one entry per event');
  assert.equal(system[0]!['iothub-message-source'], 'twinChangeEvents');
  assert.equal(system[0]!['iothub-connection-device-id'], 'eh-1');
  assert.equal(application[0]!.opType, 'updateTwin');
  for (const name of ['sequenceNumberArray', 'offsetArray', 'enqueuedTimeUtcArray', 'partitionKeyArray']) {
    assert.equal((batch!.triggerMetadata[name] as unknown[]).length, batch!.messages.length, name);
  }
  assert.equal((batch!.triggerMetadata.partitionContext as { partitionId: string }).partitionId, emulator.eventHubsEndpoint.partitionIdFor('eh-1'));

  // While no host reads, two more changes; the restarted host gets exactly those.
  report(4);
  report(5);
  const second = await startHost(store);
  try {
    await sink.until(5);
  } finally {
    await second.stop();
  }
  const statuses = sink.events().map((e) => (e.properties as { reported: { iothubDM: { reboot: { status: string } } } }).reported.iothubDM.reboot.status);
  assert.deepEqual(statuses, ['step-1', 'step-2', 'step-3', 'step-4', 'step-5'], 'nothing read twice');
});

const statusOf = (event: Record<string, unknown>): string =>
  (event.properties as { reported: { iothubDM: { reboot: { status: string } } } }).reported.iothubDM.reboot.status;

test('host.json extensions.eventHubs: maxEventBatchSize, batchCheckpointFrequency honoured; options not used are logged once', { timeout: 60_000 }, async () => {
  // eventhub-options-app: maxEventBatchSize 1, batchCheckpointFrequency 2, fromStart, plus minEventBatchSize and
  // clientRetryOptions, which this host does not use. A fresh store: the partition is read from its start.
  const store = new MemoryStore();
  const warnings: string[] = [];
  const log = (entry: HostLogEntry): void => { if (entry.level === 'warning') warnings.push(entry.message); };
  const already = sink.batches.length;
  const first = await startHost(store, 'eventhub-options-app', log);
  let read: Record<string, unknown>[];
  try {
    report(101);
    await sink.until(sink.events().length + 1);
    const seen = (): Record<string, unknown>[] => sink.batches.slice(already).flatMap((b) => b.messages as Record<string, unknown>[]);
    const until = async (status: string): Promise<void> => {
      while (!seen().some((e) => statusOf(e) === status)) await sink.until(sink.events().length + 1);
    };
    await until('step-101');
    // Batches of one, a checkpoint after every second one: with an odd count, the last event is not checkpointed.
    if (seen().length % 2 === 0) {
      report(102);
      await until('step-102');
    }
    await first.whenIdle();
    read = seen();
  } finally {
    await first.stop();
  }
  assert.ok(sink.batches.slice(already).every((b) => b.messages.length === 1), 'maxEventBatchSize 1');
  assert.equal(read.length % 2, 1);
  const unused = warnings.filter((w) => w.includes('not used by the local host'));
  assert.equal(unused.length, 1, 'logged once');
  assert.match(unused[0]!, /extensions\.eventHubs\.minEventBatchSize, extensions\.eventHubs\.clientRetryOptions/);
  assert.doesNotMatch(unused[0]!, /maxEventBatchSize|batchCheckpointFrequency|prefetchCount|initialOffsetOptions/);

  // The restarted host resumes at the last checkpoint: exactly the one event after it is read again.
  const before = sink.batches.length;
  const second = await startHost(store, 'eventhub-options-app');
  try {
    await sink.until(sink.events().length + 1);
    await second.whenIdle();
  } finally {
    await second.stop();
  }
  const again = sink.batches.slice(before).flatMap((b) => b.messages as Record<string, unknown>[]);
  assert.deepEqual(again.map(statusOf), [statusOf(read[read.length - 1]!)]);
});
