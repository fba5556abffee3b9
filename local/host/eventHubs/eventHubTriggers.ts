// The Event Hubs trigger of the local host: one unmodified @azure/event-hubs EventHubConsumerClient per
// eventHubTrigger function, reading every partition of its consumer group. Each batch is one invocation
// (cardinality many; one event per invocation otherwise), after which the partition is checkpointed in the host's
// store whatever the function did, as the extension does ("Azure Functions reliable event processing": the
// pointer advances with or without an exception). A batch the worker could not run at all (stopping, crashed)
// is not checkpointed: the SDK reads it again from the last checkpoint.
// Connections: the app setting named by `connection` holds an Event Hubs connection string; its EntityPath wins
// over `eventHubName`, as in the extension. Identity-based connections (`<connection>__fullyQualifiedNamespace`)
// need Azure and are reported, not read. No checkpoint yet: where host.json initialOffsetOptions says (default
// `fromStart`, the start of each partition); the other host.json options it honours: ./eventHubsOptions.ts.
import { randomUUID } from 'node:crypto';
import { EventHubConsumerClient, type PartitionContext, type ReceivedEventData, type Subscription } from '@azure/event-hubs';
import type { HostLog } from '../log';
import { findTrigger, type FunctionMetadata, type RpcInvocationRequest, type RpcParameterBinding } from '../rpc/types';
import type { Store } from '../store/store';
import type { InvocationOutcome } from '../worker/invoker';
import { batchPayload } from './eventBatch';
import { readEventHubsOptions } from './eventHubsOptions';
import { StoreCheckpoints } from './storeCheckpoints';
/** How long stop() waits for the consumers to close. */
const STOP_GRACE_MS = 3000;
/** Worker failures that mean the function never ran: the batch is read again instead of checkpointed. */
const NOT_RUN = new Set(['WorkerUnavailable', 'WorkerExited']);

export interface EventHubTriggerOptions {
  functions: FunctionMetadata[];
  env: NodeJS.ProcessEnv;
  store: Pick<Store, 'listCheckpoints' | 'putCheckpoint'>;
  invoke(request: RpcInvocationRequest): Promise<InvocationOutcome>;
  /** The durableClient input binding payload, for functions that declare one. */
  durableClientPayload: string;
  /** Brackets an invocation so the host's whenIdle waits for it. */
  externalWork: { begin(): void; end(): void };
  log: HostLog;
  /** host.json `extensions.eventHubs` as written (undefined: the extension's defaults). */
  hostOptions?: unknown;
}

export interface EventHubTriggers {
  /** Names of the functions that are listening. */
  listening: string[];
  stop(): Promise<void>;
}

function resolveSetting(value: unknown, env: NodeJS.ProcessEnv): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const match = /^%(.+)%$/.exec(value);
  return match ? env[match[1]!] : value;
}

export function startEventHubTriggers(options: EventHubTriggerOptions): EventHubTriggers {
  const running: { client: EventHubConsumerClient; subscription: Subscription }[] = [];
  const listening: string[] = [];
  const checkpoints = new StoreCheckpoints(options.store);
  const triggers = options.functions.filter((metadata) => findTrigger(metadata)?.binding.type === 'eventHubTrigger');
  const settings = readEventHubsOptions(options.hostOptions);
  if (triggers.length > 0 && settings.unused.length > 0) {
    options.log({ level: 'warning', category: 'host', message: `host.json ${settings.unused.join(', ')}: not used by the local host's Event Hubs trigger.` });
  }
  for (const metadata of triggers) {
    const trigger = findTrigger(metadata);
    if (trigger?.binding.type !== 'eventHubTrigger') continue;
    const { binding } = trigger;
    const connectionSetting = String(binding.connection ?? '');
    const connectionString = options.env[connectionSetting];
    if (connectionString === undefined || connectionString === '') {
      const identity = options.env[`${connectionSetting}__fullyQualifiedNamespace`];
      options.log({ level: 'warning', category: 'host', functionName: metadata.name, message: identity
        ? `Event Hubs trigger not started: the identity-based connection ${connectionSetting}__fullyQualifiedNamespace needs Azure; set ${connectionSetting} to a connection string locally.`
        : `Event Hubs trigger not started: app setting ${connectionSetting} is not set.` });
      continue;
    }
    const consumerGroup = resolveSetting(binding.consumerGroup, options.env) ?? EventHubConsumerClient.defaultConsumerGroupName;
    const eventHubName = resolveSetting(binding.eventHubName, options.env);
    const clientOptions = {
      retryOptions: { maxRetries: 3, retryDelayInMs: 200, maxRetryDelayInMs: 2000 },
      // One host: claim every partition in the first round instead of one per round.
      loadBalancingOptions: { strategy: 'greedy' as const, updateIntervalInMs: 2000 },
    };
    const client = /;\s*EntityPath=/i.test(`;${connectionString}`) || eventHubName === undefined
      ? new EventHubConsumerClient(consumerGroup, connectionString, checkpoints, clientOptions)
      : new EventHubConsumerClient(consumerGroup, connectionString, eventHubName, checkpoints, clientOptions);
    const many = binding.cardinality === 'many';
    /** Batches run per partition since its last checkpoint (batchCheckpointFrequency counts the batches received). */
    const unchecked = new Map<string, number>();
    const dispatch = async (events: ReceivedEventData[], context: PartitionContext): Promise<void> => {
      if (events.length === 0) return;
      const batches = many ? [events] : events.map((e) => [e]);
      // The checkpoint is part of the work: whenIdle() returns only once it is stored.
      options.externalWork.begin();
      try {
        for (const batch of batches) {
          if (!(await run(metadata, trigger.name, batch, context))) throw new Error('the language worker did not run the batch; it is read again from the last checkpoint');
        }
        const count = (unchecked.get(context.partitionId) ?? 0) + 1;
        unchecked.set(context.partitionId, count % settings.batchCheckpointFrequency);
        if (count >= settings.batchCheckpointFrequency) await context.updateCheckpoint(events[events.length - 1]!);
      } finally {
        options.externalWork.end();
      }
    };
    const subscription = client.subscribe({
      processEvents: dispatch,
      processError: async (error, context) => {
        options.log({ level: 'warning', category: 'host', functionName: metadata.name,
          message: `Event Hubs partition ${context.partitionId || '(all)'}: ${error.message.split('\n')[0]}` });
      },
    }, {
      maxBatchSize: many ? settings.maxBatchSize : 1, maxWaitTimeInSeconds: 60, startPosition: settings.startPosition,
      ...(settings.prefetchCount === undefined ? {} : { prefetchCount: settings.prefetchCount }),
    });
    running.push({ client, subscription });
    listening.push(metadata.name);
  }

  /** One invocation; false when the worker never ran it. */
  async function run(metadata: FunctionMetadata, triggerName: string, events: ReceivedEventData[], context: PartitionContext): Promise<boolean> {
    const payload = batchPayload(events, context);
    const inputData: RpcParameterBinding[] = [{ name: triggerName, data: payload.input }];
    for (const [name, binding] of Object.entries(metadata.bindings)) {
      if (binding.direction === 'in' && (binding.type === 'durableClient' || binding.type === 'orchestrationClient')) {
        inputData.push({ name, data: { string: options.durableClientPayload } });
      }
    }
    const outcome = await options.invoke({
      invocationId: randomUUID(), functionId: metadata.functionId ?? metadata.name, inputData, triggerMetadata: payload.triggerMetadata,
    });
    if (outcome.error) {
      options.log({ level: 'error', category: 'host', functionName: metadata.name, message: `Executed with an error: ${outcome.error.stack ?? outcome.error.message}` });
      return !NOT_RUN.has(outcome.error.name);
    }
    return true;
  }

  return {
    listening,
    async stop() {
      // client.close() stops its subscriptions and then closes the AMQP connection, but only once that connection is
      // open (a management read waits for it): rhea answers a peer's open that arrives after a local close by opening
      // again (Connection.on_open), and the close it then writes after the peer ended the socket re-arms the
      // connection's idle timer (2 x core-amqp's 60 s) after _disconnected cleared it, holding the process for 2 min
      // (npm start, Ctrl-C right after the banner).
      const closed = Promise.all(running.map(async ({ client }) => {
        await client.getEventHubProperties().catch(() => undefined);
        await client.close();
      }));
      // A consumer whose endpoint is already going away may not finish its AMQP close: never hold the host's stop.
      let timer: NodeJS.Timeout | undefined;
      const bounded = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), STOP_GRACE_MS); });
      const result = await Promise.race([closed.then(() => 'closed' as const, () => 'closed' as const), bounded]);
      clearTimeout(timer);
      if (result === 'timeout') options.log({ level: 'warning', category: 'host', message: `Event Hubs consumers did not close within ${STOP_GRACE_MS} ms; stopping anyway.` });
    },
  };
}
