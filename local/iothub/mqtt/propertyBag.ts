// Telemetry property bags: `devices/{id}/messages/events/{property_bag}`, URL-encoded `key=value` pairs joined by
// '&'. The device SDK writes system properties with querystring.stringify (so '$' arrives as %24: `%24.mid=…`)
// and application properties with encodeURIComponent (research/iothub-emulator.md §3.2).

/** System property keys as the SDKs write them → the names used in captured telemetry. */
const SYSTEM_PROPERTIES: Readonly<Record<string, string>> = {
  '$.mid': 'messageId',
  '$.cid': 'correlationId',
  '$.uid': 'userId',
  '$.to': 'to',
  '$.ct': 'contentType',
  '$.ce': 'contentEncoding',
  '$.exp': 'expiryTimeUtc',
  '$.ifid': 'interfaceId',
  '$.sub': 'dt-subject',
};

export interface DecodedPropertyBag {
  properties: Record<string, string>;
  systemProperties: Record<string, string>;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export function decodePropertyBag(bag: string): DecodedPropertyBag {
  const properties: Record<string, string> = {};
  const systemProperties: Record<string, string> = {};
  for (const pair of bag.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = decode(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decode(pair.slice(eq + 1));
    if (key === '') continue;
    const systemName = SYSTEM_PROPERTIES[key];
    if (systemName !== undefined) systemProperties[systemName] = value;
    else if (key.startsWith('$.')) systemProperties[key.slice(2)] = value;
    else properties[key] = value;
  }
  return { properties, systemProperties };
}
