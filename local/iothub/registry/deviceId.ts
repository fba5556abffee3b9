// Device ids: up to 128 characters, ASCII letters and digits plus - : . + % _ # * ? ! ( ) , = @ ; $ '
// (IoT Hub identity registry docs; research/iothub-emulator.md §1.3).
import { hubErrors } from '../errors';

const DEVICE_ID = /^[A-Za-z0-9\-:.+%_#*?!(),=@;$']{1,128}$/;

export function isValidDeviceId(deviceId: string): boolean {
  return DEVICE_ID.test(deviceId);
}

export function assertValidDeviceId(deviceId: unknown): asserts deviceId is string {
  if (typeof deviceId !== 'string' || !isValidDeviceId(deviceId)) {
    throw hubErrors.argumentInvalid(
      `Device id ${JSON.stringify(deviceId)} is invalid: use 1 to 128 ASCII letters, digits or - : . + % _ # * ? ! ( ) , = @ ; $ '.`,
    );
  }
}
