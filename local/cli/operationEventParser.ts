// Recognises the app's structured operation events (src/telemetry/operationEvent.ts) in a log message.
import type { OperationEvent } from '../../src/telemetry/operationEvent';

export function parseOperationEvent(message: string): OperationEvent | null {
  const text = message.trim();
  if (!text.startsWith('{') || !text.includes('"event"')) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const e = value as Record<string, unknown>;
  if (e.event !== 'operation' || typeof e.instanceId !== 'string' || typeof e.deviceId !== 'string'
    || typeof e.operation !== 'string' || typeof e.transition !== 'string') return null;
  return e as unknown as OperationEvent;
}
