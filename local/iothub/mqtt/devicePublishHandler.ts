// What the hub does with each PUBLISH from a device: telemetry is captured, twin GET and reported PATCH are answered
// on `$iothub/twin/res/{status}/?$rid=…` (errors as envelope 2, which the device SDK turns into an Error with the
// message), method responses complete the pending invocation. Anything else is refused (the caller closes the session).
import { IotHubError, envelope2, hubErrors } from '../errors';
import type { IotHub } from '../hub';
import { decodePropertyBag } from './propertyBag';
import type { MqttDeviceConnection } from './mqttDeviceConnection';
import { classifyDevicePublish, twinResponseTopic } from './topics';

/** Device-to-cloud messages are limited to 256 KB (iot-hub-devguide-quotas-throttling.md "Other limits"). */
export const MAX_TELEMETRY_BYTES = 256 * 1024;

export type PublishOutcome = 'accepted' | 'refused';

export function handleDevicePublish(
  hub: IotHub,
  connection: MqttDeviceConnection,
  topic: string,
  payload: Buffer,
  retain: boolean,
): PublishOutcome {
  const message = classifyDevicePublish(connection.deviceId, topic);
  switch (message.kind) {
    case 'telemetry':
      return captureTelemetry(hub, connection.deviceId, message.propertyBag, payload, retain);
    case 'twinGet':
      answerTwinRequest(connection, message.requestId, () => ({ status: 200, body: JSON.stringify(hub.deviceGetTwin(connection.deviceId)) }));
      return 'accepted';
    case 'reportedPatch':
      answerTwinRequest(connection, message.requestId, () => {
        let patch: unknown;
        try {
          patch = JSON.parse(payload.toString('utf8'));
        } catch {
          throw hubErrors.malformedJson('reported properties patch');
        }
        const version = hub.deviceUpdateReported(connection.deviceId, patch);
        return { status: 204, body: '', version };
      });
      return 'accepted';
    case 'methodResponse':
      connection.receiveMethodResponse(message.status, message.requestId, payload);
      hub.registry.touch(hub.registry.require(connection.deviceId));
      return 'accepted';
    case 'unknown':
      return 'refused';
  }
}

function answerTwinRequest(
  connection: MqttDeviceConnection,
  requestId: string,
  operation: () => { status: number; body: string; version?: number },
): void {
  try {
    const { status, body, version } = operation();
    connection.publish(twinResponseTopic(status, requestId, version), body);
  } catch (error) {
    const hubError = error instanceof IotHubError ? error : new IotHubError(500001, 'Internal server error.');
    connection.publish(twinResponseTopic(hubError.status, requestId), JSON.stringify(envelope2(hubError)));
  }
}

function captureTelemetry(hub: IotHub, deviceId: string, propertyBag: string, body: Buffer, retain: boolean): PublishOutcome {
  if (body.length > MAX_TELEMETRY_BYTES) return 'refused';
  const device = hub.registry.get(deviceId);
  if (!device) return 'refused';
  const { properties, systemProperties } = decodePropertyBag(propertyBag);
  // Retained publishes are not stored; IoT Hub passes the flag on as the mqtt-retain application property.
  if (retain) properties['mqtt-retain'] = 'true';
  const enqueuedTime = new Date().toISOString();
  systemProperties['iothub-connection-device-id'] = deviceId;
  systemProperties['iothub-enqueuedtime'] = enqueuedTime;
  hub.acceptTelemetry(device, { deviceId, body: Buffer.from(body), properties, systemProperties, enqueuedTime });
  hub.counters.increment('telemetryMessages');
  hub.registry.touch(device);
  return 'accepted';
}
