// The device-facing MQTT endpoint: aedes (0.51, CommonJS) behind a TLS listener, with IoT Hub's rules wired into
// its hooks: CONNECT authentication, the subscription whitelist (≤5, QoS 2 granted as 1), handling of every device
// publish by the hub (never routed device to device), one session per device, and connection state on the twin.
import * as net from 'node:net';
import type { Duplex } from 'node:stream';
import * as tls from 'node:tls';
import Aedes, { type AuthenticateError, type Client } from 'aedes';
import type { IotHub } from '../hub';
import { authenticateDevice, isRejection } from './deviceAuthenticator';
import { handleDevicePublish } from './devicePublishHandler';
import { MqttDeviceConnection } from './mqttDeviceConnection';
import { MAX_SUBSCRIPTIONS, isAllowedSubscription } from './topics';

export interface MqttEndpointOptions {
  port: number;
  bindAddress: string;
  key: string;
  cert: string;
}

export interface RunningMqttEndpoint {
  port: number;
  /** Serves one more device connection arriving over another transport (MQTT over WebSockets). */
  handleStream(stream: Duplex): void;
  close(): Promise<void>;
}

/**
 * IoT Hub grants QoS 1 to a QoS 2 subscription. aedes 0.51 writes SUBACK from the requested QoS whatever
 * authorizeSubscribe returns, so the request itself is lowered before aedes handles it (its packet parser is an
 * EventEmitter; this listener runs first). Without the private parser the subscription is still stored at QoS 1.
 */
function grantQosAtMostOne(client: Client): void {
  const parser = (client as Client & { _parser?: { prependListener(event: 'packet', listener: (packet: { cmd: string; subscriptions?: { qos: number }[] }) => void): void } })._parser;
  parser?.prependListener('packet', (packet) => {
    if (packet.cmd !== 'subscribe' || !packet.subscriptions) return;
    for (const subscription of packet.subscriptions) if (subscription.qos > 1) subscription.qos = 1;
  });
}

export async function startMqttEndpoint(hub: IotHub, options: MqttEndpointOptions): Promise<RunningMqttEndpoint> {
  const tokenExpiry = new WeakMap<Client, number>();
  const connections = new WeakMap<Client, MqttDeviceConnection>();
  const grantedFilters = new WeakMap<Client, Set<string>>();

  const broker = new Aedes({
    authenticate(client, username, password, done) {
      const result = authenticateDevice(hub, client.id, username, password);
      if (isRejection(result)) {
        hub.counters.increment('mqttRejectedConnections');
        hub.log(`mqtt: refused CONNECT from ${JSON.stringify(client.id)}: ${result.reason}`);
        const error = new Error(result.returnCode === 4 ? 'bad user name or password' : 'not authorized') as AuthenticateError;
        error.returnCode = result.returnCode as AuthenticateError['returnCode'];
        done(error, false);
        return;
      }
      tokenExpiry.set(client, result.tokenExpiresAtMs);
      done(null, true);
    },

    authorizeSubscribe(client, subscription, done) {
      let granted = grantedFilters.get(client);
      if (!granted) {
        granted = new Set();
        grantedFilters.set(client, granted);
      }
      const allowed = isAllowedSubscription(client.id, subscription.topic) &&
        (granted.has(subscription.topic) || granted.size < MAX_SUBSCRIPTIONS);
      if (!allowed) {
        done(null, null); // SUBACK 0x80
        return;
      }
      granted.add(subscription.topic);
      done(null, { ...subscription, qos: subscription.qos > 1 ? 1 : subscription.qos });
    },

    authorizePublish(client, packet, done) {
      const connection = client ? connections.get(client) : undefined;
      if (!connection || packet.qos === 2) {
        done(new Error('publish refused'));
        return;
      }
      const retain = packet.retain;
      packet.retain = false; // never stored as a retained message
      const outcome = handleDevicePublish(hub, connection, packet.topic, packet.payload as Buffer, retain);
      if (outcome === 'refused') {
        hub.log(`mqtt: ${JSON.stringify(client?.id)} published to a topic it may not use; closing the session`);
        done(new Error('publish refused'));
        return;
      }
      done(null);
    },

    // Nothing published by a device is delivered to another device; only the hub's own packets (no clientId) go out.
    authorizeForward(_client, packet) {
      return (packet as { clientId?: string }).clientId ? null : packet;
    },
  });

  // 'client' fires once the session is registered, just before CONNACK, so the connection exists before the
  // device can publish anything.
  broker.on('client', (client) => {
    grantQosAtMostOne(client);
    const expiresAt = tokenExpiry.get(client);
    if (expiresAt === undefined) {
      client.close();
      return;
    }
    const connection = new MqttDeviceConnection(client, client.id, expiresAt, hub.log);
    connections.set(client, connection);
    if (!hub.connections.attach(connection)) {
      connection.close('the device identity no longer exists');
      return;
    }
    hub.counters.increment('mqttConnections');
  });
  broker.on('clientDisconnect', (client) => {
    const connection = connections.get(client);
    if (!connection) return;
    connection.dispose();
    hub.connections.detach(connection);
  });
  broker.on('subscribe', (_subscriptions, client) => {
    if (connections.has(client)) hub.connections.changed(client.id);
  });
  broker.on('unsubscribe', (topics, client) => {
    const granted = grantedFilters.get(client);
    for (const topic of topics) granted?.delete(topic);
    if (connections.has(client)) hub.connections.changed(client.id);
  });

  const sockets = new Set<net.Socket>();
  // noDelay: MQTT exchanges are small packets; with Nagle's algorithm on, method round trips were ~3× slower.
  const server = tls.createServer({ key: options.key, cert: options.cert, minVersion: 'TLSv1.2', noDelay: true }, (socket) => {
    broker.handle(socket);
  });
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // A client that fails the TLS handshake is its own problem; it must not take the listener down.
  server.on('tlsClientError', () => undefined);

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.bindAddress, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    // aedes runs heartbeat timers from construction on: close it, or the process never exits.
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    throw error;
  }
  const port = (server.address() as net.AddressInfo).port;

  return {
    port,
    handleStream(stream) {
      hub.counters.increment('mqttWebSocketConnections');
      broker.handle(stream);
    },
    async close() {
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await serverClosed;
    },
  };
}
