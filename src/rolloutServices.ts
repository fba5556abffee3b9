// Composition root of the rollout feature: its table and the hub's twin query, built once per process from
// the same configuration as the rest of the app (appServices).
import { createServiceClients } from './adapters/iothub/serviceClients';
import { TwinQueryTargetSource, type RolloutTargetSource } from './adapters/iothub/rolloutTargets';
import { TableRolloutStore } from './adapters/rollouts/tableRolloutStore';
import type { TableConnection } from './adapters/tables/tableClient';
import type { RolloutStore } from './domain/rollouts/rolloutStore';
import { appServices } from './services';

export const ROLLOUT_TABLE_NAME = 'DeviceRollouts';

export interface RolloutServices {
  store: RolloutStore;
  targets: RolloutTargetSource;
}

let services: RolloutServices | undefined;

export function rolloutServices(): RolloutServices {
  if (services === undefined) {
    const { config } = appServices();
    const connection: TableConnection = config.operations.kind === 'connectionString'
      ? { kind: 'connectionString', connectionString: config.operations.connectionString, tableName: ROLLOUT_TABLE_NAME }
      : { kind: 'managedIdentity', endpoint: config.operations.endpoint, tableName: ROLLOUT_TABLE_NAME };
    let targets: RolloutTargetSource | undefined;
    services = {
      store: TableRolloutStore.fromConnection(connection),
      // The hub clients are only built when a query target is resolved.
      targets: { resolve: (query, limit) => (targets ??= new TwinQueryTargetSource(createServiceClients(config.iotHub, config.iotHubCaPem).registry)).resolve(query, limit) },
    };
  }
  return services;
}
