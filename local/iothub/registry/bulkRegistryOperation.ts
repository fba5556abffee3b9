// Bulk registry operations: POST /devices with up to 100 ExportImportDevice entries, each naming its importMode
// (REST reference "Bulk Registry - Update Registry"; the SDK's Registry.addDevices/updateDevices/removeDevices send
// create, Update/UpdateIfMatchETag and Delete/DeleteIfMatchETag, with `id` in place of `deviceId`). The import-mode
// semantics follow iot-hub-bulk-identity-mgmt.md: create fails on an existing id, update/delete fail on a missing
// one, the *IfMatchETag modes compare `eTag`. Entries are applied one by one and a failed entry does not undo the
// others [inference: the result lists per-device errors, which only makes sense for a non-transactional batch].
// The answer is 200 when every entry succeeded, else 400, both with a BulkRegistryOperationResult (the swagger
// bundled in azure-iothub, pl/operations/bulkRegistry.js, maps both statuses to that body).
import { IotHubError, hubErrors } from '../errors';
import { type JsonObject, isJsonObject } from '../twin/json';
import type { DeviceRegistry } from './deviceRegistry';
import { ifMatchAllows } from './etag';

/** "A maximum of 100 creations can be done per call" (and the SDK refuses larger arrays itself). */
export const MAX_BULK_DEVICES = 100;

export interface DeviceRegistryOperationError {
  deviceId: string;
  /** The ErrorCode enum name of the swagger (DeviceAlreadyExists, DeviceNotFound, EtagDoesNotMatch, …). */
  errorCode: string;
  errorStatus: string;
}

export interface BulkRegistryOperationResult {
  isSuccessful: boolean;
  errors: DeviceRegistryOperationError[];
  warnings: unknown[];
}

type ImportMode = 'create' | 'update' | 'updateIfMatchETag' | 'delete' | 'deleteIfMatchETag';
const IMPORT_MODES: readonly ImportMode[] = ['create', 'update', 'updateIfMatchETag', 'delete', 'deleteIfMatchETag'];

function importModeOf(value: unknown): ImportMode | undefined {
  // The SDK capitalises some modes ('Update', 'DeleteIfMatchETag'); the service's enum parsing is case-insensitive.
  return typeof value === 'string' ? IMPORT_MODES.find((mode) => mode.toLowerCase() === value.toLowerCase()) : undefined;
}

/** What a failed entry reports, by the hub error it raised. */
function errorCodeName(error: IotHubError): string {
  if (error.code === 412001) return 'EtagDoesNotMatch';
  return error.codeName;
}

/** Validates the request as a whole (400004 for the entire call), then applies each entry. */
export function applyBulkRegistryOperation(registry: DeviceRegistry, body: unknown): BulkRegistryOperationResult {
  if (!Array.isArray(body)) throw hubErrors.argumentInvalid('The request body must be an array of devices.');
  if (body.length === 0 || body.length > MAX_BULK_DEVICES) {
    throw hubErrors.argumentInvalid(`A bulk registry operation takes 1 to ${MAX_BULK_DEVICES} devices; the request has ${body.length}.`);
  }
  const seen = new Set<string>();
  for (const entry of body) {
    if (!isJsonObject(entry) || typeof entry.id !== 'string') throw hubErrors.argumentInvalid('Every device needs an "id".');
    // DeviceDefinedMultipleTimes is the swagger's code for this; the whole request is refused.
    if (seen.has(entry.id)) throw hubErrors.argumentInvalid(`DeviceDefinedMultipleTimes: device ${JSON.stringify(entry.id)} appears more than once.`);
    seen.add(entry.id);
  }
  const errors: DeviceRegistryOperationError[] = [];
  for (const entry of body as JsonObject[]) {
    const deviceId = entry.id as string;
    try {
      applyEntry(registry, deviceId, entry);
    } catch (error) {
      if (!(error instanceof IotHubError)) throw error;
      errors.push({ deviceId, errorCode: errorCodeName(error), errorStatus: error.message });
    }
  }
  return { isSuccessful: errors.length === 0, errors, warnings: [] };
}

function applyEntry(registry: DeviceRegistry, deviceId: string, entry: JsonObject): void {
  const mode = importModeOf(entry.importMode);
  if (mode === undefined) throw hubErrors.argumentInvalid(`importMode ${JSON.stringify(entry.importMode)} is not supported.`);
  const device: JsonObject = { ...entry };
  delete device.id;
  delete device.importMode;
  delete device.eTag;
  delete device.etag;
  // The SDK copies the Device object, so the field arrives as `etag`; the service reads names case-insensitively.
  const rawEtag = entry.eTag ?? entry.etag;
  const etag = typeof rawEtag === 'string' && rawEtag !== '' ? rawEtag : undefined;
  switch (mode) {
    case 'create':
      registry.createOrUpdate(deviceId, device, undefined);
      return;
    case 'update':
    case 'updateIfMatchETag': {
      registry.require(deviceId);
      if (mode === 'updateIfMatchETag' && etag === undefined) throw hubErrors.argumentInvalid('updateIfMatchETag needs an eTag.');
      registry.createOrUpdate(deviceId, device, mode === 'update' ? '*' : etag);
      return;
    }
    case 'delete':
    case 'deleteIfMatchETag': {
      const existing = registry.require(deviceId);
      if (mode === 'deleteIfMatchETag') {
        if (etag === undefined) throw hubErrors.argumentInvalid('deleteIfMatchETag needs an eTag.');
        if (!ifMatchAllows(etag, existing.etag)) throw hubErrors.preconditionFailed('Device etag', etag, existing.etag);
      }
      registry.delete(deviceId, undefined);
      return;
    }
  }
}
