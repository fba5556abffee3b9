// The device-management operations the app runs: each is a direct method followed by progress in the device's
// reported properties under `iothubDM.<kind>` (iot-hub-device-management-overview.md; mission-anchors.md §1.3).

export const OPERATION_KINDS = ['reboot', 'factoryReset', 'firmwareUpdate'] as const;
export type OperationKind = (typeof OPERATION_KINDS)[number];

export function isOperationKind(value: unknown): value is OperationKind {
  return typeof value === 'string' && (OPERATION_KINDS as readonly string[]).includes(value);
}
