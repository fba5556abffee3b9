// A device-to-cloud message as the built-in route writes it to the `events` endpoint: the SDK's system properties
// become AMQP message properties, the hub stamps its `iothub-*` annotations (azure-docs
// iot-hub-devguide-messages-construct.md "System properties of D2C IoT Hub messages").
import type { TelemetryMessage } from '../types';
import type { AnnotationValue, MessageProperties, RoutedEvent } from './routedEvent';

const MESSAGE_PROPERTIES: Readonly<Record<string, keyof MessageProperties>> = {
  messageId: 'message_id',
  correlationId: 'correlation_id',
  userId: 'user_id',
  to: 'to',
  contentType: 'content_type',
  contentEncoding: 'content_encoding',
};

export function telemetryEvent(message: TelemetryMessage, generationId: string): RoutedEvent {
  const properties: MessageProperties = {};
  const annotations: Record<string, AnnotationValue> = {};
  for (const [name, value] of Object.entries(message.systemProperties)) {
    const amqpName = MESSAGE_PROPERTIES[name];
    if (amqpName !== undefined) properties[amqpName] = value;
    else if (name !== 'iothub-enqueuedtime') annotations[name] = value;
  }
  const enqueuedAt = new Date(message.enqueuedTime);
  Object.assign(annotations, {
    'iothub-connection-device-id': message.deviceId,
    'iothub-connection-auth-method': JSON.stringify({ scope: 'device', type: 'sas', issuer: 'iothub', acceptingIpFilterRule: null }),
    'iothub-connection-auth-generation-id': generationId,
    'iothub-enqueuedtime': enqueuedAt,
    'iothub-message-source': 'Telemetry',
  });
  return {
    deviceId: message.deviceId,
    body: message.body,
    properties,
    annotations,
    applicationProperties: { ...message.properties },
    enqueuedAtMs: enqueuedAt.getTime(),
  };
}
