// Builds the unmodified azure-iothub `Registry` and `Client` from configuration, through their public
// constructors. `HostName=host:port` reaches a non-443 port (a local emulator) with an https.Agent whose
// defaultPort is that port: the SDK passes HostName straight to https.request({ host }), where "host:port"
// would not resolve, and Node uses agent.defaultPort when a request names no port
// (../shared/research/iothub-emulator.md §2.3, recipe A). The agent must be set AFTER the constructors,
// which install their own keep-alive agent. An optional CA (the emulator's self-signed one) is trusted by the
// same agent. Nothing in Node or in the SDK is patched.
import * as https from 'node:https';
import { Amqp, Client, Registry, SharedAccessSignature } from 'azure-iothub';
import { RestApiClient } from 'azure-iothub/dist/common-http/rest_api_client';
import { DefaultAzureCredential } from '@azure/identity';
import type { IotHubAccess } from '../../config';

/** The OAuth scope of IoT Hub's data plane (azure-iothub Registry.fromTokenCredential). */
const IOT_HUB_SCOPE = 'https://iothubs.azure.net/.default';
const SAS_LIFETIME_SECONDS = 3600;

export interface ServiceClients {
  registry: Registry;
  client: Client;
  /** Releases the keep-alive sockets. */
  close(): void;
}

export function createServiceClients(access: IotHubAccess, caPem: string | null): ServiceClients {
  const config = access.kind === 'connectionString'
    ? {
      host: access.hostName,
      keyName: access.policyName,
      // An object, not a string: RestApiClient re-signs it (extend) before every call. `sr` is the bare host name.
      sharedAccessSignature: SharedAccessSignature.create(access.hostName, access.policyName, access.key,
        Math.ceil(Date.now() / 1000) + SAS_LIFETIME_SECONDS),
    }
    : { host: access.hostName, keyName: '', tokenCredential: new DefaultAzureCredential(), tokenScope: IOT_HUB_SCOPE };

  const userAgent = `azure-iothub/${sdkVersion()}`;
  const restApiClient = new RestApiClient(config as RestApiClient.TransportConfig, userAgent);
  const registry = new Registry(config as Registry.TransportConfig, restApiClient);
  // Client needs a transport object; invokeDeviceMethod only uses the REST client, so the AMQP transport is never opened.
  const client = new Client(new Amqp(config as ConstructorParameters<typeof Amqp>[0]), restApiClient);

  const agent = new https.Agent({ keepAlive: true, ...(caPem !== null ? { ca: caPem } : {}) });
  if (access.port !== null) (agent as https.Agent & { defaultPort: number }).defaultPort = access.port;
  restApiClient.setOptions({ http: { agent } });

  return { registry, client, close: () => agent.destroy() };
}

function sdkVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('azure-iothub/package.json') as { version: string }).version;
}
