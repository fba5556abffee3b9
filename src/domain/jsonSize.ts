// Size rules measured the way IoT Hub measures a method payload: UTF-8 bytes of the serialized JSON.

export function jsonByteLength(value: unknown): number {
  const text = JSON.stringify(value);
  return text === undefined ? 0 : Buffer.byteLength(text, 'utf8');
}

/**
 * `value` unchanged when its JSON fits in `maxBytes`; otherwise a small marker saying how big it was,
 * so stored records stay within Azure Table property limits (64 KiB per string property).
 */
export function capJson(value: unknown, maxBytes: number): unknown {
  const size = jsonByteLength(value);
  if (size <= maxBytes) return value;
  return { truncated: true, originalBytes: size };
}
