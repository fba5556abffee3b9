// One message as the hub writes it to its Event Hubs-compatible endpoint, split the way AMQP carries it: message
// properties (message-id, content-type, …), message annotations (the `iothub-*` system properties) and application
// properties. The endpoint adds the Event Hubs annotations (offset, sequence number, enqueued time) when it stores it.

export type AnnotationValue = string | number | boolean | Date;

export interface MessageProperties {
  message_id?: string;
  correlation_id?: string;
  user_id?: string;
  to?: string;
  content_type?: string;
  content_encoding?: string;
}

export interface RoutedEvent {
  deviceId: string;
  body: Buffer;
  properties: MessageProperties;
  /** `iothub-connection-device-id`, `iothub-enqueuedtime`, `iothub-message-source`, … */
  annotations: Record<string, AnnotationValue>;
  applicationProperties: Record<string, string>;
  /** When the hub accepted the message (ms since the epoch): the event's enqueued time. */
  enqueuedAtMs: number;
}
