// Words the grammar reserves. A property with one of these names must be written in double brackets,
// as the IoT Hub docs advise for `group`: `SELECT * FROM devices WHERE tags.[[group]].name = 'x'`
// (MicrosoftDocs/azure-docs articles/iot-hub/iot-hub-devguide-query-language.md, "GROUP BY clause").

export const RESERVED_WORDS: ReadonlySet<string> = new Set([
  'SELECT', 'TOP', 'FROM', 'WHERE', 'GROUP', 'BY', 'AS',
  'AND', 'OR', 'NOT', 'IN', 'NIN',
  'TRUE', 'FALSE', 'NULL', 'UNDEFINED',
]);

/** Keywords are case-insensitive. */
export function isReserved(word: string): boolean {
  return RESERVED_WORDS.has(word.toUpperCase());
}
