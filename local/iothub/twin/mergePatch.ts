// JSON merge patch as IoT Hub applies it to tags and properties: objects merge member by member, `null` deletes,
// any other value (arrays included) replaces (azure-docs iot-hub-devguide-device-twins.md "Back-end operations").
import { type JsonObject, cloneJson, isJsonObject } from './json';

/** Returns a new object; `target` is left untouched so a rejected patch changes nothing. */
export function mergePatch(target: JsonObject, patch: JsonObject): JsonObject {
  const result: JsonObject = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete result[key];
    } else if (isJsonObject(value)) {
      const current = result[key];
      result[key] = mergePatch(isJsonObject(current) ? current : {}, value);
    } else {
      result[key] = cloneJson(value);
    }
  }
  return result;
}

/** A replacement document with its nulls dropped (a null in a full document means "absent"). */
export function withoutNulls(document: JsonObject): JsonObject {
  return mergePatch({}, document);
}
