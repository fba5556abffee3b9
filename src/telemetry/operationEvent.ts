// The structured log line an operation emits at each transition (context.info(JSON.stringify(event))): the local
// console (`npm start`) prints one readable line per event, and on Azure it is an ordinary trace whose message is
// JSON (query with parse_json(message) in Log Analytics). Ids and outcomes only: never payloads, keys or reports.
export type OperationTransition =
  | 'started' | 'method-accepted' | 'method-refused'
  /** The hub proved the method did not run (throttled, unavailable); another attempt may follow. */
  | 'method-not-delivered'
  /** The answer was lost (504101, reset, crash): the method may have run and is never sent again. */
  | 'method-delivery-unknown'
  | 'progress' | 'completed'
  /** The completion callback was delivered, refused or given up (after the outcome). */
  | 'callback';

export interface OperationEvent {
  event: 'operation';
  instanceId: string;
  deviceId: string;
  /** The operation kind: reboot, factoryReset, firmwareUpdate, … */
  operation: string;
  transition: OperationTransition;
  /** With completed (and method-refused): Succeeded, Rejected, DeviceOffline, … */
  outcome?: string;
  /** With method-accepted / method-refused: the device's (or hub's) status code. */
  status?: number;
  /** With progress: the state the device reports (e.g. rebooting, downloading 40%). At most 200 characters. */
  reported?: string;
  /** Twin polls so far. */
  polls?: number;
  /** delivered, notDelivered or unknown (with completed). */
  delivery?: string;
  /** Which attempt (with method-not-delivered). */
  attempt?: number;
  /** With callback: delivered, refused, … */
  result?: string;
  /** With callback: how many tries it took. */
  attempts?: number;
}

/** The exact line to log; `context.info(operationEventLine({...}))` from an orchestration (guard with !isReplaying). */
export function operationEventLine(event: Omit<OperationEvent, 'event'>): string {
  return JSON.stringify({ event: 'operation', ...event });
}
