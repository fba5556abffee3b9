// Composition root of the rollout feature: its table and the hub's twin query, built once per process from
// the same configuration as the rest of the app (appServices).
import { createServiceClients } from './adapters/iothub/serviceClients';
import { TwinQueryTargetSource, type RolloutTargetSource } from './adapters/iothub/rolloutTargets';
import { TableRolloutStore } from './adapters/rollouts/tableRolloutStore';
import type { TableConnection } from './adapters/tables/tableClient';
import type { RolloutStore } from './domain/rollouts/rolloutStore';
import { ConfigError } from './config';
import { appServices } from './services';

export const ROLLOUT_TABLE_NAME = 'DeviceRollouts';

export interface RolloutServices {
  store: RolloutStore;
  targets: RolloutTargetSource;
  /** Devices started per batch (ROLLOUT_BATCH_SIZE, 1–100, default 50). */
  batchSize: number;
}

export const DEFAULT_ROLLOUT_BATCH_SIZE = 50;
const MAX_ROLLOUT_BATCH_SIZE = 100;

/** ROLLOUT_BATCH_SIZE: an integer from 1 to 100; absent → 50. Throws ConfigError naming the setting. */
export function readBatchSize(env: NodeJS.ProcessEnv): number {
  const text = env.ROLLOUT_BATCH_SIZE;
  if (text === undefined || text.trim() === '') return DEFAULT_ROLLOUT_BATCH_SIZE;
  const value = Number(text);
  if (!/^\d{1,3}$/.test(text.trim()) || value < 1 || value > MAX_ROLLOUT_BATCH_SIZE) {
    throw new ConfigError('ROLLOUT_BATCH_SIZE', `must be an integer from 1 to ${MAX_ROLLOUT_BATCH_SIZE}`);
  }
  return value;
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
      batchSize: readBatchSize(process.env),
      store: TableRolloutStore.fromConnection(connection),
      // The hub clients are only built when a query target is resolved.
      targets: { resolve: (query, limit) => (targets ??= new TwinQueryTargetSource(createServiceClients(config.iotHub, config.iotHubCaPem).registry)).resolve(query, limit) },
    };
  }
  return services;
}
