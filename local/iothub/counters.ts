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
/** Every counter by name, so a reader's typo is a compile error rather than undefined. */
export type CounterSnapshot = Record<CounterName, number>;

export class Counters {
  private values = new Map<CounterName, number>();

  increment(name: CounterName, by = 1): void {
    this.values.set(name, (this.values.get(name) ?? 0) + by);
  }

  snapshot(): CounterSnapshot {
    // Every name of COUNTER_NAMES is a key, which is what CounterSnapshot says.
    return Object.fromEntries(COUNTER_NAMES.map((name) => [name, this.values.get(name) ?? 0])) as CounterSnapshot;
  }

  reset(): void {
    this.values = new Map();
  }
}
