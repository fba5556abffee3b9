// Orchestration instance ids of device operations: `<kind>-<device key>-<sequence>`. The sequence numbers a
// device's operations 1, 2, 3… across kinds; it is allocated by the device's lease (deviceGuard.ts), so two
// operations never share an id.
import { boundedKey } from './keyEncoding';
import { OPERATION_KINDS, type OperationKind } from './operations/operationKind';

/** Characters an instance id of ours can hold: all URL-path-safe and allowed in Azure Table keys. */
const INSTANCE_ID_PATTERN = new RegExp(`^(${OPERATION_KINDS.join('|')})-([A-Za-z0-9._~-]{1,200})-([1-9][0-9]{0,8})$`);
export const MAX_OPERATION_SEQUENCE = 999_999_999;

export function operationInstanceId(kind: OperationKind, deviceId: string, sequence: number): string {
  if (!Number.isInteger(sequence) || sequence < 1 || sequence > MAX_OPERATION_SEQUENCE) {
    throw new RangeError(`operation sequence out of range: ${sequence}`);
  }
  return `${kind}-${boundedKey(deviceId)}-${sequence}`;
}

export interface ParsedInstanceId {
  operation: OperationKind;
  deviceKey: string;
  sequence: number;
}

/** The parts of one of our instance ids, or undefined for any other string (says nothing about existence). */
export function parseInstanceId(value: string): ParsedInstanceId | undefined {
  const match = INSTANCE_ID_PATTERN.exec(value);
  if (match === null) return undefined;
  return { operation: match[1] as OperationKind, deviceKey: match[2]!, sequence: Number(match[3]) };
}
