// What the hub needs from a connected device, whatever carries it: an MQTT session (mqtt/) or an in-process
// virtual device (admin/virtualDevice.ts). The method dispatcher and the twin notifications only talk to this.
import type { JsonObject } from '../twin/json';

export interface MethodCall {
  methodName: string;
  /** The payload as the device receives it: always valid JSON text (`null` when the caller sent none). */
  payloadJson: string;
}

export interface MethodAnswer {
  status: number;
  payload: unknown;
}

export interface PendingMethodCall {
  readonly answer: Promise<MethodAnswer>;
  /** The hub gave up waiting (timeout): a late answer is then ignored. */
  cancel(): void;
}

export interface DeviceConnection {
  readonly deviceId: string;
  readonly transport: 'mqtt' | 'virtual';
  /** Subscribed to `$iothub/methods/POST/#` (virtual devices always are). */
  readonly methodsEnabled: boolean;
  /** Subscribed to `$iothub/twin/PATCH/properties/desired/#` (virtual devices when they gave onDesired). */
  readonly desiredEnabled: boolean;
  sendMethodRequest(call: MethodCall): PendingMethodCall;
  /** The desired-properties patch with `$version`, as published on `$iothub/twin/PATCH/properties/desired/?$version=N`. */
  sendDesiredPatch(patch: JsonObject): void;
  /** The hub ends the connection (new connection for the same device, identity deleted or disabled, fault, stop). */
  close(reason: string): void;
}
