// The AMQP 1.0 listener of the built-in endpoint, served with rhea (the library the Event Hubs SDK itself uses
// through rhea-promise): `$cbs` put-token, `$management` READ, and one receiver link per consumer on
// `<hub>/ConsumerGroups/<group>/Partitions/<id>`. The endpoint is read-only, like IoT Hub's: senders are refused.
//
// Transport: plain AMQP (no TLS) on 127.0.0.1, for clients whose connection string says UseDevelopmentEmulator=true —
// the SDK's documented switch for local emulators (core-amqp: TCP instead of TLS, port taken from Endpoint). A TLS
// listener would also need every consumer to trust the emulator's CA for a certificate naming 127.0.0.1; the flag
// needs nothing but the connection string, and a loopback-only listener carries no secret off the machine.
import type { AddressInfo, Server, Socket } from 'node:net';
import { create_container, type Connection, type EventContext, type Message, type Receiver, type Sender } from 'rhea';
import type { SharedAccessPolicies } from '../sas/policies';
import type { BuiltInEndpoint } from './builtInEndpoint';
import { ConnectionClaims, verifyPutToken } from './claims';
import { SELECTOR_FILTER_NAME, parseSelector, startSequenceNumber, type EventPosition } from './eventPosition';
import { answerManagementRequest } from './managementRequest';
import { PartitionReader, RUNTIME_METRIC_CAPABILITY } from './partitionReader';

export interface AmqpEndpointSettings {
  hubName: string;
  endpoint: BuiltInEndpoint;
  policies: SharedAccessPolicies;
  port: number;
  bindAddress: string;
  clock?: () => number;
  log: (line: string) => void;
}

export interface RunningAmqpEndpoint {
  port: number;
  close(): Promise<void>;
}

const CBS = '$cbs';
/** How long stop() lets clients answer the AMQP close before cutting their sockets. */
const CLOSE_GRACE_MS = 1000;
const MANAGEMENT = '$management';
const PARTITION_ADDRESS = /^([^/]+)\/ConsumerGroups\/([^/]+)\/Partitions\/([^/]+)$/i;

export async function startAmqpEndpoint(settings: AmqpEndpointSettings): Promise<RunningAmqpEndpoint> {
  const { hubName, endpoint, policies } = settings;
  const now = settings.clock ?? Date.now;
  const container = create_container({ id: `iothub-emulator-${hubName}` });
  // The SDK authenticates with SASL ANONYMOUS and then CBS; the claims decide what a connection may read.
  container.sasl_server_mechanisms.enable_anonymous();
  const claims = new WeakMap<Connection, ConnectionClaims>();
  const readers = new Map<Sender, PartitionReader>();
  const claimsOf = (connection: Connection): ConnectionClaims => {
    let found = claims.get(connection);
    if (!found) claims.set(connection, (found = new ConnectionClaims()));
    return found;
  };

  const reply = (context: EventContext, request: Message, status: number, description: string, body?: unknown) => {
    const replyTo = typeof request.reply_to === 'string' ? request.reply_to : undefined;
    const sender = replyTo === undefined ? undefined : context.connection.find_sender((s: Sender) => s.name === replyTo);
    if (!sender) return;
    sender.send({
      correlation_id: request.message_id,
      application_properties: { 'status-code': status, 'status-description': description },
      body,
    });
  };

  const closeReader = (sender: Sender | undefined) => {
    if (!sender) return;
    readers.get(sender)?.close();
    readers.delete(sender);
  };

  container.on('receiver_open', (context: EventContext) => {
    const receiver = context.receiver as Receiver;
    const address = receiver.target?.address;
    if (address === CBS || address === MANAGEMENT) return;
    receiver.close({ condition: 'amqp:not-allowed', description: 'The built-in endpoint of an IoT hub is read-only.' });
  });

  container.on('sender_open', (context: EventContext) => {
    const sender = context.sender as Sender;
    const address: string = sender.source?.address ?? '';
    if (address === CBS || address === MANAGEMENT) {
      sender.set_source({ address });
      return;
    }
    const refuse = (condition: string, description: string) => sender.close({ condition, description });
    const [, entity, , partitionId] = PARTITION_ADDRESS.exec(address) ?? [];
    if (entity === undefined || partitionId === undefined || entity.toLowerCase() !== hubName.toLowerCase()) {
      return refuse('amqp:not-found', `The messaging entity '${address}' could not be found.`);
    }
    if (!claimsOf(context.connection).covers(address, now())) {
      return refuse('amqp:unauthorized-access', `Unauthorized access to '${address}': put a token for it on $cbs first.`);
    }
    const partition = endpoint.partition(partitionId);
    if (!partition) return refuse('amqp:not-found', `The partition '${partitionId}' does not exist in '${hubName}'.`);
    let position: EventPosition | undefined;
    const filters = sender.source?.filter as Record<string, unknown> | undefined;
    const selector = filters?.[SELECTOR_FILTER_NAME];
    if (selector !== undefined) {
      // Decoded as a described type: the string is its value.
      const text = typeof selector === 'string' ? selector : (selector as { value?: unknown } | null)?.value;
      position = typeof text === 'string' ? parseSelector(text) : undefined;
      if (!position) return refuse('amqp:invalid-field', `Unsupported event position filter ${JSON.stringify(selector)}.`);
    }
    sender.set_source({ address, filter: sender.source?.filter });
    // The client's desired capabilities (rhea's link properties read the peer's attach).
    const withRuntimeInfo = ([] as unknown[]).concat(sender.desired_capabilities ?? []).includes(RUNTIME_METRIC_CAPABILITY);
    const reader = new PartitionReader(sender, partition, startSequenceNumber(position, partition), withRuntimeInfo);
    readers.set(sender, reader);
    reader.pump();
  });

  container.on('sendable', (context: EventContext) => {
    if (context.sender) readers.get(context.sender)?.pump();
  });
  container.on('sender_close', (context: EventContext) => closeReader(context.sender));

  container.on('message', (context: EventContext) => {
    const request = context.message as Message;
    const properties = (request.application_properties ?? {}) as Record<string, unknown>;
    const address = context.receiver?.target?.address;
    if (address === CBS) {
      if (properties.operation !== 'put-token') return reply(context, request, 400, 'Only put-token is supported on $cbs.');
      const result = verifyPutToken(policies, hubName, properties.name, request.body, now());
      if (!result.ok) {
        settings.log(`iothub emulator: events endpoint refused a token (${result.status})`);
        return reply(context, request, result.status, result.description);
      }
      claimsOf(context.connection).grant(result.entityPath, result.expiresAtMs);
      return reply(context, request, 202, 'Accepted');
    }
    if (address === MANAGEMENT) {
      if (!claimsOf(context.connection).covers(`${hubName}/${MANAGEMENT}`, now())) {
        return reply(context, request, 401, `Unauthorized access to '${hubName}/${MANAGEMENT}': put a token for it on $cbs first.`);
      }
      const answer = answerManagementRequest(endpoint, hubName, properties);
      return answer.status === 200 ? reply(context, request, 200, 'OK', answer.body) : reply(context, request, answer.status, answer.description);
    }
  });

  const dropConnection = (context: EventContext) => {
    for (const [sender, reader] of readers) {
      if (sender.connection === context.connection) {
        reader.close();
        readers.delete(sender);
      }
    }
  };
  container.on('disconnected', dropConnection);
  container.on('connection_close', dropConnection);
  // A client that vanishes mid-frame must not take the emulator down.
  container.on('error', (error: unknown) => settings.log(`iothub emulator: events endpoint connection error: ${String(error)}`));

  const server: Server = container.listen({ port: settings.port, host: settings.bindAddress });
  const sockets = new Set<Socket>();
  const connections = new Set<Connection>();
  container.on('connection_open', (context: EventContext) => connections.add(context.connection));
  container.on('disconnected', (context: EventContext) => connections.delete(context.connection));
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    port,
    close(): Promise<void> {
      closing ??= (async () => {
        for (const reader of readers.values()) reader.close();
        readers.clear();
        const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
        // Say goodbye in AMQP first: a client whose socket just vanishes waits its whole operation timeout (60 s)
        // for the close frame when it is closed afterwards.
        const socketsClosed = [...sockets].map((socket) => new Promise<void>((resolve) => socket.once('close', () => resolve())));
        for (const connection of connections) {
          if (connection.is_open()) connection.close({ condition: 'amqp:connection:forced', description: 'The IoT Hub emulator is stopping.' });
        }
        const grace = setTimeout(() => sockets.forEach((socket) => socket.destroy()), CLOSE_GRACE_MS);
        await Promise.all(socketsClosed);
        clearTimeout(grace);
        await serverClosed;
      })();
      return closing;
    },
  };
}
