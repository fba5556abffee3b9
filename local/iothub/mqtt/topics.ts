// The MQTT topic names and filters IoT Hub accepts from a device (azure-docs articles/iot/iot-mqtt-connect-to-iot-hub.md;
// research/iothub-emulator.md §3.2). Anything else is refused: a subscription gets SUBACK 0x80, a publish closes
// the connection.

export const METHODS_FILTER = '$iothub/methods/POST/#';
export const TWIN_RESPONSES_FILTER = '$iothub/twin/res/#';
export const DESIRED_UPDATES_FILTER = '$iothub/twin/PATCH/properties/desired/#';
/** A device can hold at most this many subscriptions. */
export const MAX_SUBSCRIPTIONS = 5;

export function cloudToDeviceFilter(deviceId: string): string {
  return `devices/${deviceId}/messages/devicebound/#`;
}

export function isAllowedSubscription(deviceId: string, filter: string): boolean {
  return filter === METHODS_FILTER || filter === TWIN_RESPONSES_FILTER || filter === DESIRED_UPDATES_FILTER ||
    filter === cloudToDeviceFilter(deviceId);
}

export type DevicePublish =
  | { kind: 'telemetry'; propertyBag: string }
  | { kind: 'twinGet'; requestId: string }
  | { kind: 'reportedPatch'; requestId: string }
  | { kind: 'methodResponse'; status: number; requestId: string }
  | { kind: 'unknown' };

/** The `key=value&…` part after `?` of a `$iothub/...` topic. */
function topicQuery(topic: string): URLSearchParams {
  const q = topic.indexOf('?');
  return new URLSearchParams(q < 0 ? '' : topic.slice(q + 1));
}

const TWIN_GET = /^\$iothub\/twin\/GET\/\?/;
const REPORTED_PATCH = /^\$iothub\/twin\/PATCH\/properties\/reported\/\?/;
const METHOD_RESPONSE = /^\$iothub\/methods\/res\/(\d{1,9})\/\?/;

export function classifyDevicePublish(deviceId: string, topic: string): DevicePublish {
  // The device id is known from CONNECT, so the telemetry prefix is matched literally: ids may contain '?' or '='.
  const telemetry = `devices/${deviceId}/messages/events`;
  if (topic === telemetry) return { kind: 'telemetry', propertyBag: '' };
  if (topic.startsWith(`${telemetry}/`)) return { kind: 'telemetry', propertyBag: topic.slice(telemetry.length + 1) };
  const rid = topicQuery(topic).get('$rid');
  if (rid === null || rid === '') return { kind: 'unknown' };
  if (TWIN_GET.test(topic)) return { kind: 'twinGet', requestId: rid };
  if (REPORTED_PATCH.test(topic)) return { kind: 'reportedPatch', requestId: rid };
  const method = METHOD_RESPONSE.exec(topic);
  if (method) return { kind: 'methodResponse', status: Number(method[1]), requestId: rid };
  return { kind: 'unknown' };
}

export function twinResponseTopic(status: number, requestId: string, version?: number): string {
  const rid = encodeURIComponent(requestId);
  return version === undefined ? `$iothub/twin/res/${status}/?$rid=${rid}` : `$iothub/twin/res/${status}/?$rid=${rid}&$version=${version}`;
}

export function methodRequestTopic(methodName: string, requestId: string): string {
  return `$iothub/methods/POST/${methodName}/?$rid=${requestId}`;
}

export function desiredUpdateTopic(version: number): string {
  return `$iothub/twin/PATCH/properties/desired/?$version=${version}`;
}
