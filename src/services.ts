// Composition root: the configuration and the adapters built from it, once per process.
import { loadConfig, type AppConfig } from './config';
import { createIotHubGateway } from './adapters/iothub';
import { TableOperationsStore } from './adapters/operationsStore';
import type { IotHubGateway, OperationsStore } from './domain/ports';

export interface AppServices {
  config: AppConfig;
  iotHub: IotHubGateway;
  operations: OperationsStore;
}

let services: AppServices | undefined;

/** Reads and validates the app settings (throws ConfigError naming the bad one) and builds the adapters. */
export function appServices(): AppServices {
  if (services === undefined) {
    const config = loadConfig(process.env);
    const operations = TableOperationsStore.fromConnection(config.operations.kind === 'connectionString'
      ? { kind: 'connectionString', connectionString: config.operations.connectionString, tableName: config.operationsTableName }
      : { kind: 'managedIdentity', endpoint: config.operations.endpoint, tableName: config.operationsTableName });
    services = { config, iotHub: createIotHubGateway(config.iotHub, config.iotHubCaPem), operations };
  }
  return services;
}
