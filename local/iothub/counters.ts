// Operation counters by kind, read by benchmarks and tests through admin.counters().

export const COUNTER_NAMES = [
  'restRequests',
  'authFailures',
  'identityOps',
  'twinReads',
  'twinUpdates',
  'queries',
  'methodInvocations',
  'methodResponses',
  'methodDeviceNotOnline',
  'methodTimeouts',
  'throttled',
  'injectedFaults',
  'telemetryMessages',
  'desiredNotifications',
  'mqttConnections',
  'mqttRejectedConnections',
  'mqttWebSocketConnections',
  'jobsCreated',
  'jobDeviceOperations',
  'virtualConnections',
] as const;

export type CounterName = (typeof COUNTER_NAMES)[number];

export class Counters {
  private values = new Map<CounterName, number>();

  increment(name: CounterName, by = 1): void {
    this.values.set(name, (this.values.get(name) ?? 0) + by);
  }

  snapshot(): Record<string, number> {
    const result: Record<string, number> = {};
    for (const name of COUNTER_NAMES) result[name] = this.values.get(name) ?? 0;
    return result;
  }

  reset(): void {
    this.values = new Map();
  }
}
