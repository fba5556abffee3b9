// Validation against Microsoft's Power Platform custom-connector schema (apiDefinition.swagger.schema.json from
// microsoft/PowerPlatformConnectors, kept in ../shared/schemas and read from there at test time, never copied).
// The file is JSON with comments and declares JSON Schema draft-04, so it is parsed with jsonc-parser and checked
// with Ajv's draft-04 class (ajv-draft-04); unknown `x-ms-*` extensions fail it, unlike a generic Swagger check.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv04 from 'ajv-draft-04';
import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser';

/** ../shared/schemas beside the repository (this file runs from dist/test/support). */
export const CONNECTOR_SCHEMA_PATH = path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'schemas', 'apiDefinition.swagger.schema.json');

export interface ConnectorProblem { path: string; message: string }

export type ConnectorValidator = (document: unknown) => ConnectorProblem[];

export function loadConnectorValidator(schemaPath = CONNECTOR_SCHEMA_PATH): ConnectorValidator {
  const errors: ParseError[] = [];
  const schema = parse(fs.readFileSync(schemaPath, 'utf8'), errors, { allowTrailingComma: true }) as Record<string, unknown>;
  if (errors.length > 0) throw new Error(`${schemaPath}: ${errors.map((e) => `${printParseErrorCode(e.error)} at ${e.offset}`).join(', ')}`);
  // strict: false — the schema carries editor hints (defaultSnippets) that are not JSON Schema keywords.
  const ajv = new Ajv04({ strict: false, allErrors: true, validateFormats: false });
  const validate = ajv.compile(schema);
  return (document) => {
    if (validate(document)) return [];
    return (validate.errors ?? []).map((e) => ({ path: e.instancePath, message: `${e.message ?? e.keyword} ${JSON.stringify(e.params)}` }));
  };
}
