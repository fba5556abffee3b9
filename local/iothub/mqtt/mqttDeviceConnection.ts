// One device's MQTT session seen as a DeviceConnection. Everything the hub sends goes to this one client with
// client.publish (QoS 0), never through broker-wide routing: `$iothub/...` topics carry no device id, so a broker
// publish would reach every device (research/iothub-emulator.md §3, aedes notes).
import type { Client } from 'aedes';
import type { DeviceConnection, MethodAnswer, MethodCall, PendingMethodCall } from '../connections/deviceConnection';
import type { JsonObject } from '../twin/json';
import { DESIRED_UPDATES_FILTER, METHODS_FILTER, desiredUpdateTopic, methodRequestTopic } from './topics';

// Node's setTimeout cannot wait longer than this.
const MAX_TIMER_MS = 2 ** 31 - 1;

export class MqttDeviceConnection implements DeviceConnection {
  readonly transport = 'mqtt' as const;
  private readonly pendingMethods = new Map<string, (answer: MethodAnswer) => void>();
  private nextRequestId = 1;
  private expiryTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly client: Client,
    readonly deviceId: string,
    tokenExpiresAtMs: number,
    private readonly log: (line: string) => void,
  ) {
    const remaining = tokenExpiresAtMs - Date.now();
    if (remaining < MAX_TIMER_MS) {
      // IoT Hub ends a session when its SAS token expires; the device SDK renews before that by reconnecting.
      this.expiryTimer = setTimeout(() => this.close('the SAS token expired'), Math.max(0, remaining));
      this.expiryTimer.unref();
    }
  }

  get methodsEnabled(): boolean {
    return this.subscribedTo(METHODS_FILTER);
  }

  get desiredEnabled(): boolean {
    return this.subscribedTo(DESIRED_UPDATES_FILTER);
  }

  /** aedes records a subscription in client.subscriptions (untyped) before sending SUBACK; restored sessions too. */
  private subscribedTo(filter: string): boolean {
    const subscriptions = (this.client as Client & { subscriptions: Record<string, unknown> }).subscriptions;
    return !this.client.closed && Object.prototype.hasOwnProperty.call(subscriptions, filter);
  }

  publish(topic: string, payload: string | Buffer): void {
    if (this.client.closed) return;
    this.client.publish(
      { cmd: 'publish', topic, payload: typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload, qos: 0, retain: false, dup: false },
      () => undefined,
    );
  }

  sendMethodRequest(call: MethodCall): PendingMethodCall {
    const requestId = String(this.nextRequestId++);
    const answer = new Promise<MethodAnswer>((resolve) => this.pendingMethods.set(requestId, resolve));
    this.publish(methodRequestTopic(call.methodName, requestId), call.payloadJson);
    return { answer, cancel: () => this.pendingMethods.delete(requestId) };
  }

  /** `$iothub/methods/res/{status}/?$rid={rid}` from the device. Unknown or late request ids are ignored. */
  receiveMethodResponse(status: number, requestId: string, body: Buffer): void {
    const resolve = this.pendingMethods.get(requestId);
    if (!resolve) return;
    this.pendingMethods.delete(requestId);
    resolve({ status, payload: parseMethodPayload(body) });
  }

  sendDesiredPatch(patch: JsonObject): void {
    this.publish(desiredUpdateTopic(Number(patch.$version)), JSON.stringify(patch));
  }

  close(reason: string): void {
    if (this.client.closed) return;
    this.log(`mqtt: closing the connection of ${JSON.stringify(this.deviceId)}: ${reason}`);
    this.client.close();
  }

  /** The session ended: stop the expiry timer; unanswered methods simply time out in the dispatcher. */
  dispose(): void {
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.pendingMethods.clear();
  }
}

/**
 * The device SDK sends JSON.stringify(payload) (`null` for none). A body that is not JSON is passed through as a
 * string rather than failing the call [inference: the service's behaviour for non-JSON answers is not documented].
 */
function parseMethodPayload(body: Buffer): unknown {
  const text = body.toString('utf8');
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
