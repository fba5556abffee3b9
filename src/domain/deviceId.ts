// IoT Hub's device identity rule: 1–128 characters of ASCII letters, digits and  - : . + % _ # * ? ! ( ) , = @ ; $ '
// (learn.microsoft.com azure-iot-hub Twin model, "deviceId"; ../shared/research/iothub-emulator.md §1.3).

export const DEVICE_ID_MAX_LENGTH = 128;

/** Characters IoT Hub allows in a device id besides ASCII letters and digits. */
export const DEVICE_ID_SPECIAL_CHARACTERS = "-:.+%_#*?!(),=@;$'";

/** Why `value` is not a valid device id, in words a caller can act on; undefined when it is valid. */
export function deviceIdProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return 'The device id must not be empty.';
  if (value.length > DEVICE_ID_MAX_LENGTH) {
    return `The device id must be at most ${DEVICE_ID_MAX_LENGTH} characters long (got ${value.length}).`;
  }
  for (const ch of value) {
    if (!/[A-Za-z0-9]/.test(ch) && !DEVICE_ID_SPECIAL_CHARACTERS.includes(ch)) {
      const shown = /^[\x21-\x7e]$/.test(ch) ? `'${ch}'` : `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
      return `The device id contains ${shown}; allowed are ASCII letters, digits and ${DEVICE_ID_SPECIAL_CHARACTERS.split('').join(' ')}.`;
    }
  }
  return undefined;
}
