/**
 * Reading the generated JSON Schema as the config's tree: sections, the modes of a section with a
 * `type` (a oneOf of objects, each with a `type` const), lists of objects. Shared by the
 * descriptions and the reference, so both see the same keys.
 */
import type { JsonSchema } from "@valibot/to-json-schema";

/** One mode of a section: `database.type: rds` and its schema. */
export interface Mode {
  readonly name: string;
  readonly schema: JsonSchema;
}

export function childSchemas(schema: JsonSchema): [string, JsonSchema][] {
  return Object.entries(schema.properties ?? {}).map(([key, child]) => {
    if (typeof child === "boolean") throw new Error(`property ${key}: a boolean schema is not expected`);
    return [key, child];
  });
}

/** The modes of a section whose schema is a oneOf of objects told apart by their `type`, if it is one. */
export function modesOf(schema: JsonSchema): Mode[] | undefined {
  if (schema.oneOf === undefined) return undefined;
  return schema.oneOf.map((option, index) => {
    const mode = typeof option === "object" ? option.properties?.type : undefined;
    if (typeof option === "boolean" || typeof mode !== "object" || typeof mode.const !== "string") {
      throw new Error(`oneOf option ${index} is not an object with a constant "type"`);
    }
    return { name: mode.const, schema: option };
  });
}

/** The object schema of a list's entries, if the list holds objects. */
export function listEntrySchema(schema: JsonSchema): JsonSchema | undefined {
  const items = schema.type === "array" ? schema.items : undefined;
  return items !== undefined && typeof items === "object" && !Array.isArray(items) && items.properties !== undefined ? items : undefined;
}

/** Whether `key` must be given in an object of this schema. */
export function isRequired(schema: JsonSchema, key: string): boolean {
  return (schema.required ?? []).includes(key);
}

/** `key` with any `[mode]` removed: `tls[issuer].certManager` -> `tls.certManager`; `[]` is kept. */
export function withoutModes(key: string): string {
  return key.replace(/\[[^\]]+\]/g, "");
}
