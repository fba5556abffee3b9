// IoT Hub's twin document rules (azure-docs articles/iot-hub/iot-hub-devguide-device-twins.md, "Tags and properties
// format" and "Device twin size"); every violation is rejected with 400004 ArgumentInvalid.
import { hubErrors } from '../errors';
import { type JsonObject, type JsonValue, isJsonObject } from './json';

export type TwinSection = 'tags' | 'properties.desired' | 'properties.reported';

/** Size limits exclude $version and $metadata: tags 8 KB, desired and reported 32 KB each. */
export const SECTION_SIZE_LIMITS: Readonly<Record<TwinSection, number>> = {
  tags: 8 * 1024,
  'properties.desired': 32 * 1024,
  'properties.reported': 32 * 1024,
};
export const MAX_OBJECT_DEPTH = 10;
export const MAX_KEY_BYTES = 1024;
export const MAX_STRING_BYTES = 4 * 1024;
export const MIN_TWIN_INTEGER = -4503599627370496;
export const MAX_TWIN_INTEGER = 4503599627370495;

// C0 and C1 control characters, '.', '$' and space are not allowed in keys.
// eslint-disable-next-line no-control-regex
const FORBIDDEN_KEY_CHARACTER = /[\u0000-\u001f\u007f-\u009f.$ ]/;

function describe(section: TwinSection, path: readonly string[]): string {
  return [section, ...path].join('/');
}

function validateKey(section: TwinSection, path: readonly string[], key: string): void {
  if (key.length === 0) throw hubErrors.argumentInvalid(`An empty property name is not allowed in ${describe(section, path)}.`);
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) {
    throw hubErrors.argumentInvalid(`Property name in ${describe(section, path)} is longer than ${MAX_KEY_BYTES} bytes.`);
  }
  const bad = FORBIDDEN_KEY_CHARACTER.exec(key);
  if (bad) {
    const shown = bad[0] === ' ' ? 'space' : bad[0] < ' ' || bad[0] >= '\u007f' ? `U+${bad[0].charCodeAt(0).toString(16).padStart(4, '0')}` : `'${bad[0]}'`;
    throw hubErrors.argumentInvalid(`Property name ${JSON.stringify(key)} in ${describe(section, path)} contains the invalid character ${shown}.`);
  }
}

function validateValue(section: TwinSection, path: readonly string[], value: JsonValue, depth: number, allowNull: boolean): void {
  if (value === null) {
    if (!allowNull) throw hubErrors.argumentInvalid(`null is not allowed at ${describe(section, path)}.`);
    return;
  }
  switch (typeof value) {
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) throw hubErrors.argumentInvalid(`Invalid number at ${describe(section, path)}.`);
      if (Number.isInteger(value) && (value < MIN_TWIN_INTEGER || value > MAX_TWIN_INTEGER)) {
        throw hubErrors.argumentInvalid(
          `Integer ${value} at ${describe(section, path)} is outside the supported range [${MIN_TWIN_INTEGER}, ${MAX_TWIN_INTEGER}].`,
        );
      }
      return;
    case 'string':
      if (Buffer.byteLength(value, 'utf8') > MAX_STRING_BYTES) {
        throw hubErrors.argumentInvalid(`String value at ${describe(section, path)} is longer than ${MAX_STRING_BYTES} bytes.`);
      }
      return;
    case 'object':
      if (Array.isArray(value)) {
        value.forEach((item, index) => validateValue(section, [...path, String(index)], item, depth, true));
        return;
      }
      if (depth + 1 > MAX_OBJECT_DEPTH) {
        throw hubErrors.argumentInvalid(`${describe(section, path)} nests objects deeper than the maximum depth of ${MAX_OBJECT_DEPTH}.`);
      }
      validateObject(section, path, value, depth + 1, allowNull);
      return;
    default:
      throw hubErrors.argumentInvalid(`Unsupported value at ${describe(section, path)}.`);
  }
}

function validateObject(section: TwinSection, path: readonly string[], object: JsonObject, depth: number, allowNull: boolean): void {
  for (const [key, value] of Object.entries(object)) {
    validateKey(section, path, key);
    validateValue(section, [...path, key], value, depth, allowNull);
  }
}

/**
 * Validates a section patch (nulls allowed: they delete) or a replacement document. Objects directly under the
 * section are at depth 1, so `{"one":{…{"ten":{"p":1}}}}` is the deepest accepted shape.
 */
export function validateSectionDocument(section: TwinSection, document: unknown, allowNull: boolean): asserts document is JsonObject {
  if (!isJsonObject(document)) throw hubErrors.argumentInvalid(`${section} must be a JSON object.`);
  validateObject(section, [], document, 0, allowNull);
}

/** Size as IoT Hub counts it: UTF-8 key lengths plus values (strings by UTF-8 length, numbers 8 bytes, booleans 4). */
export function jsonSize(value: JsonValue): number {
  if (value === null) return 0;
  switch (typeof value) {
    case 'boolean':
      return 4;
    case 'number':
      return 8;
    case 'string':
      return Buffer.byteLength(value, 'utf8');
    default:
      if (Array.isArray(value)) return value.reduce<number>((sum, item) => sum + jsonSize(item), 0);
      return Object.entries(value).reduce((sum, [key, item]) => sum + Buffer.byteLength(key, 'utf8') + jsonSize(item), 0);
  }
}

export function assertSectionSize(section: TwinSection, document: JsonObject): void {
  const size = jsonSize(document);
  const limit = SECTION_SIZE_LIMITS[section];
  if (size > limit) {
    throw hubErrors.argumentInvalid(`The ${section} section would be ${size} bytes, over the limit of ${limit} bytes.`);
  }
}
