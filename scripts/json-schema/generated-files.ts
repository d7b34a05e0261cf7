/** What `npm run json-schema` writes, by path from the project root; the test compares the same. */
import { configJsonSchema, JSON_SCHEMA_FILE, renderJsonSchema } from "./config-json-schema";
import { REFERENCE_FILE, renderReference } from "./reference";

export function generatedFiles(): Record<string, string> {
  const schema = configJsonSchema();
  return { [JSON_SCHEMA_FILE]: renderJsonSchema(schema), [REFERENCE_FILE]: renderReference(schema) };
}
