// Composition root of the rollout feature: its table and the hub's twin query, built once per process from
// the same configuration as the rest of the app (appServices).
import { createServiceClients } from './adapters/iothub/serviceClients';
import { TwinQueryTargetSource, type RolloutTargetSource } from './adapters/iothub/rolloutTargets';
import { TableRolloutStore } from './adapters/rollouts/tableRolloutStore';
import type { TableConnection } from './adapters/tables/tableClient';
import { IOTHUB_SKUS, type HubCapacity, type IotHubSku } from './domain/rollouts/hubBudget';
import type { RolloutStore } from './domain/rollouts/rolloutStore';
import { ConfigError, SETTING } from './config';
import { appServices } from './services';

export const ROLLOUT_TABLE_NAME = 'DeviceRollouts';

export interface RolloutServices {
  store: RolloutStore;
  targets: RolloutTargetSource;
  /** Devices started per batch (ROLLOUT_BATCH_SIZE, 1–100, default 50). */
  batchSize: number;
  /** The hub rollouts pace to (IOTHUB_SKU, IOTHUB_UNITS, ROLLOUT_QUOTA_SHARE). */
  capacity: HubCapacity;
}

export const DEFAULT_IOTHUB_SKU: IotHubSku = 'S1';
/** Rollouts use 80 % of each hub throttle by default, leaving the rest to single operations and other clients. */
export const DEFAULT_ROLLOUT_QUOTA_SHARE = 0.8;
/** IoT Hub allows up to 200 units of S1/S2 and 10 of S3 per hub; F1 has one. */
const MAX_UNITS: Readonly<Record<IotHubSku, number>> = Object.freeze({ F1: 1, S1: 200, S2: 200, S3: 10 });

/** IOTHUB_SKU (F1, S1, S2, S3; default S1), IOTHUB_UNITS (default 1), ROLLOUT_QUOTA_SHARE (0.05–1, default 0.8). */
export function readHubCapacity(env: NodeJS.ProcessEnv): HubCapacity {
  const skuText = (env[SETTING.iotHubSku] ?? '').trim();
  const sku = skuText === '' ? DEFAULT_IOTHUB_SKU : skuText.toUpperCase();
  if (!(IOTHUB_SKUS as readonly string[]).includes(sku)) {
    throw new ConfigError(SETTING.iotHubSku, `must be one of ${IOTHUB_SKUS.join(', ')} (Basic tiers have no direct methods)`);
  }
  const hubSku = sku as IotHubSku;
  const unitsText = (env[SETTING.iotHubUnits] ?? '').trim();
  const units = unitsText === '' ? 1 : Number(unitsText);
  if (!/^\d{1,3}$/.test(unitsText === '' ? '1' : unitsText) || units < 1 || units > MAX_UNITS[hubSku]) {
    throw new ConfigError(SETTING.iotHubUnits, `must be an integer from 1 to ${MAX_UNITS[hubSku]} for ${hubSku}`);
  }
  const shareText = (env[SETTING.rolloutQuotaShare] ?? '').trim();
  const share = shareText === '' ? DEFAULT_ROLLOUT_QUOTA_SHARE : Number(shareText);
  if (!/^(0(\.\d+)?|1(\.0+)?)$/.test(shareText === '' ? '0.8' : shareText) || share < 0.05 || share > 1) {
    throw new ConfigError(SETTING.rolloutQuotaShare, 'must be a number from 0.05 to 1 (the share of each hub throttle rollouts may use)');
  }
  return { sku: hubSku, units, share };
}

export const DEFAULT_ROLLOUT_BATCH_SIZE = 50;
const MAX_ROLLOUT_BATCH_SIZE = 100;

/** ROLLOUT_BATCH_SIZE: an integer from 1 to 100; absent → 50. Throws ConfigError naming the setting. */
export function readBatchSize(env: NodeJS.ProcessEnv): number {
  const text = env[SETTING.rolloutBatchSize];
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
      capacity: readHubCapacity(process.env),
      store: TableRolloutStore.fromConnection(connection),
      // The hub clients are only built when a query target is resolved.
      targets: { resolve: (query, limit) => (targets ??= new TwinQueryTargetSource(createServiceClients(config.iotHub, config.iotHubCaPem).registry)).resolve(query, limit) },
    };
  }
  return services;
}
