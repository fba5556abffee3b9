import type { IotHubAccess } from '../../config';
import type { IotHubGateway } from '../../domain/ports';
import { AzureIotHubGateway, type GatewayOptions } from './azureIotHubGateway';
import { createServiceClients } from './serviceClients';

export { AzureIotHubGateway, type GatewayOptions } from './azureIotHubGateway';
export { createServiceClients, type ServiceClients } from './serviceClients';
export { toHubFailure, hubTimeFromHeaders } from './hubFailure';

/** The hub gateway for a configured access (connection string or managed identity) and optional CA. */
export function createIotHubGateway(access: IotHubAccess, caPem: string | null, options?: GatewayOptions): IotHubGateway {
  return new AzureIotHubGateway(createServiceClients(access, caPem), options);
}
