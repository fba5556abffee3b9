// The identity registry: device identities with their twins, keyed by device id, plus statistics.
// Create/update semantics follow the REST reference (devices/create-or-update-identity): no If-Match creates and
// fails with 409001 when the id exists; If-Match updates and fails with 412001 on a stale etag.
import { hubErrors } from '../errors';
import type { JsonObject } from '../twin/json';
import { isJsonObject } from '../twin/json';
import { validateSectionDocument } from '../twin/limits';
import { assertValidDeviceId } from './deviceId';
import {
  type AuthenticationType,
  type ConnectionState,
  type DeviceAuthentication,
  type DeviceIdentity,
  type DeviceStatus,
  newDeviceIdentity,
} from './deviceIdentity';
import { resolveScopes } from './deviceScope';
import { ifMatchAllows, nextIdentityEtag } from './etag';
import { generateSymmetricKey, normaliseSymmetricKey } from './keys';

export interface RegistryStatistics {
  totalDeviceCount: number;
  enabledDeviceCount: number;
  disabledDeviceCount: number;
}

export type RegistryChange =
  | { kind: 'deleted'; device: DeviceIdentity }
  | { kind: 'disabled'; device: DeviceIdentity }
  | { kind: 'cleared' };

const AUTHENTICATION_TYPES: readonly AuthenticationType[] = ['sas', 'selfSigned', 'certificateAuthority', 'none'];

function parseAuthentication(input: unknown, previous?: DeviceAuthentication): DeviceAuthentication {
  if (input === undefined || input === null) {
    return previous ?? sasAuthentication();
  }
  if (!isJsonObject(input)) throw hubErrors.argumentInvalid('authentication must be an object.');
  const type = (input.type ?? 'sas') as AuthenticationType;
  if (!AUTHENTICATION_TYPES.includes(type)) {
    throw hubErrors.argumentInvalid(`authentication.type must be one of ${AUTHENTICATION_TYPES.join(', ')}.`);
  }
  const thumbprints = isJsonObject(input.x509Thumbprint) ? input.x509Thumbprint : {};
  const thumbprint = (value: unknown) => (typeof value === 'string' && value !== '' ? value : null);
  if (type === 'sas') {
    const keys = isJsonObject(input.symmetricKey) ? input.symmetricKey : {};
    // The SDK sends empty keys when the caller gave none (Registry._normalizeAuthentication): a create gets fresh
    // keys, an update keeps the current ones [inference: regenerating would silently lock the device out].
    const kept = previous?.type === 'sas' ? previous.symmetricKey : undefined;
    const keyOrKept = (value: unknown, current: string | null | undefined) =>
      (value === undefined || value === null || value === '') && current ? current : value;
    return {
      type,
      symmetricKey: {
        primaryKey: normaliseSymmetricKey(keyOrKept(keys.primaryKey, kept?.primaryKey), 'primaryKey'),
        secondaryKey: normaliseSymmetricKey(keyOrKept(keys.secondaryKey, kept?.secondaryKey), 'secondaryKey'),
      },
      x509Thumbprint: { primaryThumbprint: null, secondaryThumbprint: null },
    };
  }
  if (type === 'selfSigned' && thumbprint(thumbprints.primaryThumbprint) === null) {
    throw hubErrors.argumentInvalid('authentication.x509Thumbprint.primaryThumbprint is required for selfSigned authentication.');
  }
  return {
    type,
    symmetricKey: { primaryKey: null, secondaryKey: null },
    x509Thumbprint: {
      primaryThumbprint: thumbprint(thumbprints.primaryThumbprint),
      secondaryThumbprint: thumbprint(thumbprints.secondaryThumbprint),
    },
  };
}

function sasAuthentication(): DeviceAuthentication {
  return {
    type: 'sas',
    symmetricKey: { primaryKey: generateSymmetricKey(), secondaryKey: generateSymmetricKey() },
    x509Thumbprint: { primaryThumbprint: null, secondaryThumbprint: null },
  };
}

function parseStatus(input: unknown, fallback: DeviceStatus): DeviceStatus {
  if (input === undefined || input === null) return fallback;
  if (input !== 'enabled' && input !== 'disabled') throw hubErrors.argumentInvalid('status must be "enabled" or "disabled".');
  return input;
}

function parseIotEdge(input: unknown, fallback: boolean): boolean {
  if (!isJsonObject(input) || input.iotEdge === undefined) return fallback;
  if (typeof input.iotEdge !== 'boolean') throw hubErrors.argumentInvalid('capabilities.iotEdge must be a boolean.');
  return input.iotEdge;
}

export class DeviceRegistry {
  private readonly devices = new Map<string, DeviceIdentity>();
  /** Edge scope → the edge device that owns it. */
  private readonly scopeOwners = new Map<string, string>();
  private sortedIdsCache: string[] | undefined;
  private readonly listeners = new Set<(change: RegistryChange) => void>();

  /** @param now the hub's clock (identity, status and connection times). */
  constructor(private readonly now: () => number = Date.now) {}

  private isoNow(): string {
    return new Date(this.now()).toISOString();
  }

  get size(): number {
    return this.devices.size;
  }

  onChange(listener: (change: RegistryChange) => void): void {
    this.listeners.add(listener);
  }

  private emit(change: RegistryChange): void {
    for (const listener of this.listeners) listener(change);
  }

  get(deviceId: string): DeviceIdentity | undefined {
    return this.devices.get(deviceId);
  }

  require(deviceId: string): DeviceIdentity {
    const device = this.devices.get(deviceId);
    if (!device) throw hubErrors.deviceNotFound(deviceId);
    return device;
  }

  /** PUT /devices/{id}: create without If-Match, update with it. */
  createOrUpdate(deviceId: string, body: unknown, ifMatch: string | undefined): { device: DeviceIdentity; created: boolean } {
    assertValidDeviceId(deviceId);
    if (!isJsonObject(body)) throw hubErrors.argumentInvalid('The request body must be a Device JSON object.');
    if (body.deviceId !== undefined && body.deviceId !== deviceId) {
      throw hubErrors.argumentInvalid('deviceId in the body does not match the device id in the request path.');
    }
    const existing = this.devices.get(deviceId);
    const conditional = ifMatch !== undefined && ifMatch.trim() !== '';
    if (!existing) {
      if (conditional) throw hubErrors.deviceNotFound(deviceId);
      const device = newDeviceIdentity(deviceId, parseAuthentication(body.authentication), {
        now: this.isoNow(),
        status: parseStatus(body.status, 'enabled'),
        statusReason: typeof body.statusReason === 'string' ? body.statusReason : null,
        iotEdge: parseIotEdge(body.capabilities, false),
      });
      const scopes = this.scopesFor(device, body, device.capabilities.iotEdge, false);
      device.deviceScope = scopes.deviceScope;
      device.parentScopes = scopes.parentScopes;
      this.insert(device);
      return { device, created: true };
    }
    if (!conditional) throw hubErrors.deviceAlreadyExists(deviceId);
    if (!ifMatchAllows(ifMatch, existing.etag)) throw hubErrors.preconditionFailed('Device etag', ifMatch ?? '', existing.etag);
    const authentication = parseAuthentication(body.authentication, existing.authentication);
    const status = parseStatus(body.status, existing.status);
    const iotEdge = parseIotEdge(body.capabilities, existing.capabilities.iotEdge);
    const scopes = this.scopesFor(existing, body, iotEdge, true);
    const wasEnabled = existing.status === 'enabled';
    if (status !== existing.status) existing.statusUpdatedTime = this.isoNow();
    existing.status = status;
    if (body.statusReason !== undefined) existing.statusReason = typeof body.statusReason === 'string' ? body.statusReason : null;
    existing.authentication = authentication;
    existing.capabilities = { iotEdge };
    this.releaseScope(existing);
    existing.deviceScope = scopes.deviceScope;
    existing.parentScopes = scopes.parentScopes;
    this.claimScope(existing);
    existing.etag = nextIdentityEtag();
    if (wasEnabled && status === 'disabled') this.emit({ kind: 'disabled', device: existing });
    return { device: existing, created: false };
  }

  /** Bulk creation for the admin API: SAS identities with generated keys, optional tags. Existing ids are an error. */
  createMany(deviceIds: readonly string[], tags?: unknown): DeviceIdentity[] {
    if (tags !== undefined) validateSectionDocument('tags', tags, false);
    const unique = new Set<string>();
    for (const deviceId of deviceIds) {
      assertValidDeviceId(deviceId);
      if (this.devices.has(deviceId) || unique.has(deviceId)) throw hubErrors.deviceAlreadyExists(deviceId);
      unique.add(deviceId);
    }
    const now = this.isoNow();
    const created = deviceIds.map((deviceId) =>
      newDeviceIdentity(deviceId, sasAuthentication(), { now, tags: tags as JsonObject | undefined }));
    for (const device of created) this.insert(device);
    return created;
  }

  private insert(device: DeviceIdentity): void {
    this.devices.set(device.deviceId, device);
    this.claimScope(device);
    this.sortedIdsCache = undefined;
  }

  private scopesFor(device: DeviceIdentity, body: JsonObject, iotEdge: boolean, existing: boolean) {
    return resolveScopes({
      deviceId: device.deviceId,
      generationId: device.generationId,
      iotEdge,
      body,
      current: existing ? { deviceScope: device.deviceScope, parentScopes: device.parentScopes } : undefined,
      ownerOf: (scope) => this.scopeOwners.get(scope),
    });
  }

  /** Edge devices own their scope; leaf devices only point at one. */
  private claimScope(device: DeviceIdentity): void {
    if (device.capabilities.iotEdge && device.deviceScope !== undefined) this.scopeOwners.set(device.deviceScope, device.deviceId);
  }

  private releaseScope(device: DeviceIdentity): void {
    if (device.deviceScope !== undefined && this.scopeOwners.get(device.deviceScope) === device.deviceId) {
      this.scopeOwners.delete(device.deviceScope);
    }
  }

  delete(deviceId: string, ifMatch: string | undefined): void {
    const device = this.require(deviceId);
    if (!ifMatchAllows(ifMatch, device.etag)) throw hubErrors.preconditionFailed('Device etag', ifMatch ?? '', device.etag);
    this.devices.delete(deviceId);
    this.releaseScope(device);
    this.sortedIdsCache = undefined;
    this.emit({ kind: 'deleted', device });
  }

  clear(): void {
    this.devices.clear();
    this.scopeOwners.clear();
    this.sortedIdsCache = undefined;
    this.emit({ kind: 'cleared' });
  }

  /** GET /devices returns up to `top` identities (the service documents 1000 as the maximum). */
  list(top = 1000): DeviceIdentity[] {
    const result: DeviceIdentity[] = [];
    for (const device of this.devices.values()) {
      if (result.length >= top) break;
      result.push(device);
    }
    return result;
  }

  /** Device ids in code-unit order, which is the order query results are produced in. */
  sortedIds(): readonly string[] {
    if (!this.sortedIdsCache) this.sortedIdsCache = [...this.devices.keys()].sort();
    return this.sortedIdsCache;
  }

  *sortedDevices(): IterableIterator<DeviceIdentity> {
    for (const deviceId of this.sortedIds()) {
      const device = this.devices.get(deviceId);
      if (device) yield device;
    }
  }

  statistics(): RegistryStatistics {
    let enabled = 0;
    for (const device of this.devices.values()) if (device.status === 'enabled') enabled += 1;
    return { totalDeviceCount: this.devices.size, enabledDeviceCount: enabled, disabledDeviceCount: this.devices.size - enabled };
  }

  setConnectionState(device: DeviceIdentity, state: ConnectionState): void {
    const now = this.isoNow();
    if (device.connectionState !== state) {
      device.connectionState = state;
      device.connectionStateUpdatedTime = now;
    }
    if (state === 'Connected') device.lastActivityTime = now;
  }

  touch(device: DeviceIdentity): void {
    device.lastActivityTime = this.isoNow();
  }
}
