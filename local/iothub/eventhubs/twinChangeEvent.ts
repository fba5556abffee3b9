// Twin change notifications as the `twinChangeEvents` route writes them (azure-docs
// iot-hub-non-telemetry-event-schema.md; research fleet-and-integration.md §3.2): body = the changed parts of the
// twin with the twin `version` (updateTwin) or the whole twin (replaceTwin); the message source is a system
// property (annotation), the schema, opType, hubName, deviceId and operationTimestamp are application properties.
import { randomUUID } from 'node:crypto';
import { type DeviceIdentity, twinJson } from '../registry/deviceIdentity';
import { type JsonObject, cloneJson, isJsonObject } from '../twin/json';
import type { RoutedEvent } from './routedEvent';

export type TwinOperation = 'updateTwin' | 'replaceTwin';

/** A section's changed members with their `$metadata` and the section's new `$version`, as the service sees them. */
function changedSection(patch: JsonObject, section: JsonObject): JsonObject {
  const metadata = isJsonObject(section.$metadata) ? section.$metadata : {};
  const changedMetadata: JsonObject = { $lastUpdated: metadata.$lastUpdated ?? null };
  if (metadata.$lastUpdatedVersion !== undefined) changedMetadata.$lastUpdatedVersion = metadata.$lastUpdatedVersion;
  for (const key of Object.keys(patch)) {
    const entry = metadata[key];
    if (entry !== undefined) changedMetadata[key] = cloneJson(entry);
  }
  return { ...cloneJson(patch), $metadata: changedMetadata, $version: section.$version ?? null };
}

/**
 * Body of an updateTwin notification: the twin `version` and only what changed — tags, desired and/or reported
 * patches as applied. A `null` section (emptied by the service) is listed as every removed member set to null.
 */
export function updateTwinBody(device: DeviceIdentity, change: { tags?: JsonObject; desired?: JsonObject; reported?: JsonObject }): JsonObject {
  const twin = twinJson(device);
  const properties = twin.properties as JsonObject;
  const body: JsonObject = { version: device.twin.version };
  if (change.tags) body.tags = cloneJson(change.tags);
  const changed: JsonObject = {};
  if (change.desired) changed.desired = changedSection(change.desired, properties.desired as JsonObject);
  if (change.reported) changed.reported = changedSection(change.reported, properties.reported as JsonObject);
  if (Object.keys(changed).length > 0) body.properties = changed;
  return body;
}

/** Body of a replaceTwin notification: the whole twin as the service reads it. */
export function replaceTwinBody(device: DeviceIdentity): JsonObject {
  return twinJson(device);
}

export function twinChangeEvent(hubName: string, device: DeviceIdentity, opType: TwinOperation, body: JsonObject, operationTimestamp: string): RoutedEvent {
  const enqueuedAt = new Date(operationTimestamp);
  return {
    deviceId: device.deviceId,
    body: Buffer.from(JSON.stringify(body), 'utf8'),
    properties: {
      message_id: randomUUID(),
      correlation_id: randomUUID(),
      user_id: hubName,
      content_type: 'application/json',
      content_encoding: 'utf-8',
    },
    annotations: {
      'iothub-connection-device-id': device.deviceId,
      'iothub-enqueuedtime': enqueuedAt,
      'iothub-message-source': 'twinChangeEvents',
    },
    applicationProperties: {
      hubName,
      deviceId: device.deviceId,
      'iothub-message-schema': 'twinChangeNotification',
      operationTimestamp,
      opType,
    },
    enqueuedAtMs: enqueuedAt.getTime(),
  };
}
