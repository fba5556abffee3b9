// Orchestration instance ids of reboot operations: `reboot-<device key>-<sequence>`.
// The sequence numbers a device's operations 1, 2, 3…; deriving the id from the device makes two concurrent
// starts for the same device collide on one instance id instead of starting two reboots.
import { boundedKey } from './keyEncoding';

export const REBOOT_OPERATION = 'reboot';
const PREFIX = `${REBOOT_OPERATION}-`;
/** Characters an instance id of ours can hold: all URL-path-safe and allowed in Azure Table keys. */
const INSTANCE_ID_PATTERN = /^reboot-[A-Za-z0-9._~-]{1,200}-([1-9][0-9]{0,8})$/;
export const MAX_OPERATION_SEQUENCE = 999_999_999;

export function rebootInstanceId(deviceId: string, sequence: number): string {
  if (!Number.isInteger(sequence) || sequence < 1 || sequence > MAX_OPERATION_SEQUENCE) {
    throw new RangeError(`operation sequence out of range: ${sequence}`);
  }
  return `${PREFIX}${boundedKey(deviceId)}-${sequence}`;
}

/** True when `value` has the shape of an instance id this app creates (says nothing about existence). */
export function isRebootInstanceId(value: string): boolean {
  return INSTANCE_ID_PATTERN.test(value);
}

/** The sequence number inside one of our instance ids, or undefined for any other string. */
export function operationSequence(instanceId: string): number | undefined {
  const match = INSTANCE_ID_PATTERN.exec(instanceId);
  return match ? Number(match[1]) : undefined;
}

/** True when `instanceId` is one of `deviceId`'s reboot operations. */
export function belongsToDevice(instanceId: string, deviceId: string): boolean {
  const prefix = `${PREFIX}${boundedKey(deviceId)}-`;
  return isRebootInstanceId(instanceId) && instanceId.startsWith(prefix) && /^[1-9][0-9]*$/.test(instanceId.slice(prefix.length));
}
