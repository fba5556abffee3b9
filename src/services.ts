// Composition root: the configuration and the adapters built from it, once per process.
import { loadConfig, type AppConfig } from './config';
import { createIotHubGateway } from './adapters/iothub';
import { TableDeviceLeaseStore, TableOperationsStore, type TableConnection } from './adapters/operationsStore';
import { DeviceGuard } from './domain/deviceGuard';
import type { DeviceLeaseStore, IotHubGateway, OperationsStore } from './domain/ports';
import { TableCallbackStore } from './adapters/callbacks/tableCallbackStore';
import type { CallbackStore } from './domain/callbacks/callbackStore';

export interface AppServices {
  config: AppConfig;
  iotHub: IotHubGateway;
  operations: OperationsStore;
  leases: DeviceLeaseStore;
  guard: DeviceGuard;
  callbacks: CallbackStore;
}

let services: AppServices | undefined;

/** Reads and validates the app settings (throws ConfigError naming the bad one) and builds the adapters. */
export function appServices(): AppServices {
  if (services === undefined) {
    const config = loadConfig(process.env);
    const table = (tableName: string): TableConnection => (config.operations.kind === 'connectionString'
      ? { kind: 'connectionString', connectionString: config.operations.connectionString, tableName }
      : { kind: 'managedIdentity', endpoint: config.operations.endpoint, tableName });
    const leases = TableDeviceLeaseStore.fromConnection(table(config.leaseTableName));
    services = {
      config,
      iotHub: createIotHubGateway(config.iotHub, config.iotHubCaPem),
      operations: TableOperationsStore.fromConnection(table(config.operationsTableName)),
      leases,
      guard: new DeviceGuard(leases, config.startGraceMs),
      callbacks: TableCallbackStore.fromConnection(table(config.callbackTableName)),
    };
  }
  return services;
}
