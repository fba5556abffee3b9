// Captured device-to-cloud messages (the emulator's stand-in for the Event Hubs-compatible endpoint). Bounded so a
// long benchmark cannot grow memory without limit: the oldest messages go first.
import type { TelemetryMessage } from './types';

export const TELEMETRY_CAPACITY = 10_000;

export class TelemetryStore {
  private messages: TelemetryMessage[] = [];

  constructor(private readonly capacity = TELEMETRY_CAPACITY) {}

  add(message: TelemetryMessage): void {
    this.messages.push(message);
    if (this.messages.length > this.capacity) this.messages.splice(0, this.messages.length - this.capacity);
  }

  list(deviceId?: string): TelemetryMessage[] {
    return deviceId === undefined ? [...this.messages] : this.messages.filter((m) => m.deviceId === deviceId);
  }

  clear(): void {
    this.messages = [];
  }
}
