// Wires the hub to its three listeners (HTTPS for the service REST API, the admin API and MQTT over WebSockets; MQTT
// over TLS for devices; AMQP for the built-in Event Hubs-compatible endpoint) and owns their lifetime. No protocol logic lives here.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createAdminRequestHandler } from './admin/adminApi';
import { createEmulatorAdmin } from './admin/emulatorAdmin';
import { serverCertificateFor } from './cert';
import { deviceConnectionString, mqttGatewayHostName, serviceConnectionString } from './connectionStrings';
import { startAmqpEndpoint } from './eventhubs/amqpEndpoint';
import { eventHubsConnectionString, hubNameOf } from './eventhubs/connectionString';
import { IotHub } from './hub';
import { startMqttEndpoint } from './mqtt/broker';
import { createMqttWebSocketTransport } from './mqtt/websocketTransport';
import { startHttpsEndpoint } from './rest/httpsEndpoint';
import type { DeviceCredentials, IotHubEmulatorOptions, RunningIotHubEmulator, ServicePolicyName } from './types';

const SERVICE_POLICIES: readonly ServicePolicyName[] = ['iothubowner', 'service', 'registryRead', 'registryReadWrite'];

export async function startServer(options: IotHubEmulatorOptions = {}): Promise<RunningIotHubEmulator> {
  const hostName = options.hostName ?? 'localhost';
  const bindAddress = options.bindAddress ?? '127.0.0.1';
  const log = options.log ?? (() => undefined);
  const tier = options.quota?.tier ?? 'none';
  if (!['none', 'S1', 'S2', 'S3'].includes(tier)) throw new RangeError(`unknown quota tier ${JSON.stringify(tier)}`);
  const hub = new IotHub({
    hostName,
    quota: { tier, units: options.quota?.units ?? 1, clock: options.quota?.clock },
    policyKeys: options.policyKeys,
    events: { partitionCount: options.eventHubs?.partitionCount, capacityPerPartition: options.eventHubs?.capacityPerPartition },
    log,
  });
  const hubName = hubNameOf(hostName);
  const adminKey = options.adminKey ?? randomBytes(24).toString('base64url');
  const admin = createEmulatorAdmin(hub);

  const certificate = await serverCertificateFor(hostName);
  const ownsCertDir = options.certDir === undefined;
  const certDir = options.certDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'iothub-emulator-'));
  fs.mkdirSync(certDir, { recursive: true });
  const caCertPath = path.join(certDir, 'iothub-emulator-ca.pem');
  fs.writeFileSync(caCertPath, certificate.caCertPem);

  const removeCertFiles = () => {
    if (options.keepCertFiles) return;
    if (ownsCertDir) fs.rmSync(certDir, { recursive: true, force: true });
    else fs.rmSync(caCertPath, { force: true });
  };

  const tlsMaterial = { key: certificate.keyPem, cert: certificate.certPem };
  let https: Awaited<ReturnType<typeof startHttpsEndpoint>> | undefined;
  let mqtt: Awaited<ReturnType<typeof startMqttEndpoint>>;
  let mqttEndpoint: Awaited<ReturnType<typeof startMqttEndpoint>> | undefined;
  let amqp: Awaited<ReturnType<typeof startAmqpEndpoint>>;
  // MQTT over WebSockets arrives on the HTTPS port and is served by the same broker as MQTT over TLS.
  const webSockets = createMqttWebSocketTransport((stream) => {
    if (mqttEndpoint) mqttEndpoint.handleStream(stream);
    else stream.destroy();
  });
  try {
    https = await startHttpsEndpoint(hub, {
      port: options.httpsPort ?? 0,
      bindAddress,
      ...tlsMaterial,
      admin: createAdminRequestHandler(admin, adminKey),
      upgrade: webSockets.upgrade,
    });
    mqtt = await startMqttEndpoint(hub, { port: options.mqttPort ?? 0, bindAddress, ...tlsMaterial });
    mqttEndpoint = mqtt;
    amqp = await startAmqpEndpoint({
      hubName,
      endpoint: hub.events,
      policies: hub.policies,
      port: options.eventHubs?.port ?? 0,
      bindAddress,
      log,
    });
  } catch (error) {
    webSockets.close();
    await https?.close();
    await mqttEndpoint?.close();
    removeCertFiles();
    throw error;
  }
  const httpsEndpoint = https;
  // Clients may sign `sr` with the port they dialled.
  hub.hostAliases.push(`${hostName}:${httpsEndpoint.port}`, `${hostName}:${mqtt.port}`);
  log(`iothub emulator: https on ${bindAddress}:${httpsEndpoint.port}, mqtts on ${bindAddress}:${mqtt.port}, amqp (events) on ${bindAddress}:${amqp.port}, host name ${hostName}, quota ${tier}`);
  // Clients dial the bind address; a wildcard bind is reached through loopback.
  const amqpHost = bindAddress === '0.0.0.0' || bindAddress === '::' ? '127.0.0.1' : bindAddress;
  const eventHubsEndpoint = {
    name: hubName,
    port: amqp.port,
    partitionIds: hub.events.partitionIds,
    connectionString(policy: 'iothubowner' | 'service' = 'service'): string {
      if (policy !== 'iothubowner' && policy !== 'service') throw new RangeError(`policy ${JSON.stringify(policy)} has no ServiceConnect permission`);
      return eventHubsConnectionString(amqpHost, amqp.port, policy, hub.policies.keyOf(policy), hubName);
    },
    partitionIdFor: (deviceId: string) => hub.events.partitionIdFor(deviceId),
  };

  const address = { hostName, httpsPort: httpsEndpoint.port, mqttPort: mqtt.port };
  const serviceConnectionStringFor = (policy: ServicePolicyName): string => {
    if (!SERVICE_POLICIES.includes(policy)) throw new RangeError(`unknown service policy ${JSON.stringify(policy)}`);
    return serviceConnectionString(address, policy, hub.policies.keyOf(policy));
  };

  const deviceCredentials = (deviceId: string): DeviceCredentials => {
    const device = hub.registry.get(deviceId);
    const key = device?.authentication.symmetricKey.primaryKey;
    if (!device || !key) throw new Error(`device ${JSON.stringify(deviceId)} does not exist or has no symmetric key`);
    return { host: hostName, deviceId, sharedAccessKey: key, gatewayHostName: mqttGatewayHostName(address) };
  };

  let stopping: Promise<void> | undefined;
  return {
    hostName,
    httpsPort: httpsEndpoint.port,
    mqttPort: mqtt.port,
    serviceConnectionString: serviceConnectionStringFor('iothubowner'),
    serviceConnectionStringFor,
    deviceConnectionString(deviceId: string): string {
      return deviceConnectionString(address, deviceId, deviceCredentials(deviceId).sharedAccessKey);
    },
    deviceCredentials,
    caCertPem: certificate.caCertPem,
    caCertPath,
    admin,
    adminKey,
    eventHubsEndpoint,
    stop(): Promise<void> {
      stopping ??= (async () => {
        hub.shutdown();
        webSockets.close();
        await Promise.all([httpsEndpoint.close(), mqtt.close(), amqp.close()]);
        removeCertFiles();
        log('iothub emulator: stopped');
      })();
      return stopping;
    },
  };
}
