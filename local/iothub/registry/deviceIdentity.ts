// One device identity as the identity registry stores it, and its two JSON faces: the Device (GET /devices/{id})
// and the Twin (GET /twins/{id}). Field names follow the swagger mappers bundled in azure-iothub 1.16.6
// (src/pl/models/mappers.ts): note Device says `statusUpdatedTime` where Twin says `statusUpdateTime`.
import { randomInt } from 'node:crypto';
import type { JsonObject } from '../twin/json';
import { TwinDocument } from '../twin/twinDocument';
import { nextIdentityEtag } from './etag';

export type DeviceStatus = 'enabled' | 'disabled';
export type ConnectionState = 'Connected' | 'Disconnected';
export type AuthenticationType = 'sas' | 'selfSigned' | 'certificateAuthority' | 'none';

/** The service's "never" timestamp. */
export const NEVER = '0001-01-01T00:00:00Z';

export interface DeviceAuthentication {
  type: AuthenticationType;
  symmetricKey: { primaryKey: string | null; secondaryKey: string | null };
  x509Thumbprint: { primaryThumbprint: string | null; secondaryThumbprint: string | null };
}

export interface DeviceIdentity {
  readonly deviceId: string;
  readonly generationId: string;
  etag: string;
  status: DeviceStatus;
  statusReason: string | null;
  statusUpdatedTime: string;
  authentication: DeviceAuthentication;
  capabilities: { iotEdge: boolean };
  /** IoT Edge scope: the device's own (edge device) or its parent's (leaf device); see deviceScope.ts. */
  deviceScope: string | undefined;
  parentScopes: string[];
  connectionState: ConnectionState;
  connectionStateUpdatedTime: string;
  lastActivityTime: string;
  cloudToDeviceMessageCount: number;
  readonly twin: TwinDocument;
}

export function newDeviceIdentity(
  deviceId: string,
  authentication: DeviceAuthentication,
  options: { status?: DeviceStatus; statusReason?: string | null; iotEdge?: boolean; tags?: JsonObject; now?: string } = {},
): DeviceIdentity {
  const now = options.now ?? new Date().toISOString();
  return {
    deviceId,
    // generationId distinguishes devices re-created under the same id; the service uses 18 digits.
    generationId: `63${String(randomInt(1e8)).padStart(8, '0')}${String(randomInt(1e8)).padStart(8, '0')}`,
    etag: nextIdentityEtag(),
    status: options.status ?? 'enabled',
    statusReason: options.statusReason ?? null,
    statusUpdatedTime: NEVER,
    authentication,
    capabilities: { iotEdge: options.iotEdge ?? false },
    deviceScope: undefined,
    parentScopes: [],
    connectionState: 'Disconnected',
    connectionStateUpdatedTime: NEVER,
    lastActivityTime: NEVER,
    cloudToDeviceMessageCount: 0,
    twin: new TwinDocument(now, options.tags),
  };
}

export function deviceJson(device: DeviceIdentity): JsonObject {
  return {
    deviceId: device.deviceId,
    generationId: device.generationId,
    etag: device.etag,
    connectionState: device.connectionState,
    status: device.status,
    statusReason: device.statusReason,
    connectionStateUpdatedTime: device.connectionStateUpdatedTime,
    statusUpdatedTime: device.statusUpdatedTime,
    lastActivityTime: device.lastActivityTime,
    cloudToDeviceMessageCount: device.cloudToDeviceMessageCount,
    authentication: {
      symmetricKey: { ...device.authentication.symmetricKey },
      x509Thumbprint: { ...device.authentication.x509Thumbprint },
      type: device.authentication.type,
    },
    capabilities: { ...device.capabilities },
    ...scopeFields(device),
  };
}

/** deviceScope and parentScopes, as the service shows them on both the Device and the Twin (left out when unset). */
function scopeFields(device: DeviceIdentity): JsonObject {
  const fields: JsonObject = {};
  if (device.deviceScope !== undefined) fields.deviceScope = device.deviceScope;
  if (device.parentScopes.length > 0) fields.parentScopes = [...device.parentScopes];
  return fields;
}

/** The twin as GET /twins/{id} returns it (and as the query engine sees it). `tags` is omitted while empty. */
export function twinJson(device: DeviceIdentity): JsonObject {
  const twin = device.twin;
  const json: JsonObject = {
    deviceId: device.deviceId,
    etag: twin.etag,
    deviceEtag: device.etag,
    status: device.status,
    statusReason: device.statusReason,
    statusUpdateTime: device.statusUpdatedTime,
    connectionState: device.connectionState,
    lastActivityTime: device.lastActivityTime,
    cloudToDeviceMessageCount: device.cloudToDeviceMessageCount,
    authenticationType: device.authentication.type,
    x509Thumbprint: { ...device.authentication.x509Thumbprint },
    modelId: '',
    version: twin.version,
  };
  if (Object.keys(twin.tags).length > 0) json.tags = structuredClone(twin.tags);
  json.properties = twin.servicePropertiesView();
  json.capabilities = { ...device.capabilities };
  Object.assign(json, scopeFields(device));
  return json;
}
