/**
 * The JSON Schema of gitpod-cdktf.yaml as committed in schema/gitpod-cdktf.schema.json: the
 * configSchema's input converted (./convert.ts), plus what the file may hold that the schema never
 * sees, plus one description per key (./descriptions.ts), with sorted keys.
 */
import type { JsonSchema } from "@valibot/to-json-schema";
import { FILE_FIELDS } from "../../config/load";
import { configSchema } from "../../config/schema";
import { inputJsonSchema } from "./convert";
import { DESCRIPTIONS } from "./descriptions";
import { EXAMPLES } from "./examples";
import { childSchemas, listEntrySchema, modesOf, withoutModes } from "./schema-tree";

export const JSON_SCHEMA_FILE = "schema/gitpod-cdktf.schema.json";

const ROOT_DESCRIPTION =
  "gitpod-cdktf.yaml: Gitpod Self-Hosted and its dependencies on Kubernetes. Generated from the configuration's valibot schema by `npm run json-schema`; see docs/configuration.md.";

export function configJsonSchema(descriptions: Readonly<Record<string, string>> = DESCRIPTIONS, examples: Readonly<Record<string, unknown>> = EXAMPLES): JsonSchema {
  const schema = inputJsonSchema(configSchema);
  // config/load.ts reads `<field>File` before validation, so configSchema never sees that key.
  for (const [section, field] of FILE_FIELDS) addFileReference(schema, section, field);
  describeAll(schema, descriptions, examples);
  const root: JsonSchema = { ...schema, title: "gitpod-cdktf.yaml", description: ROOT_DESCRIPTION };
  return sortKeys(dropEmptyRequired(root)) as JsonSchema;
}

/** The file's text: two-space JSON, sorted, with a trailing newline. */
export function renderJsonSchema(schema: JsonSchema): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}

/** `<field>File` next to `<field>` in every object (or mode) of the section that has the field; never both. */
function addFileReference(schema: JsonSchema, section: string, field: string): void {
  const sectionSchema = childSchemas(schema).find(([key]) => key === section)?.[1];
  if (sectionSchema === undefined) throw new Error(`FILE_FIELDS (config/load.ts): the config has no section "${section}"`);
  const objects = modesOf(sectionSchema)?.map((mode) => mode.schema) ?? [sectionSchema];
  const holders = objects.filter((object) => object.properties?.[field] !== undefined);
  if (holders.length === 0) throw new Error(`FILE_FIELDS (config/load.ts): no "${section}" object has the field "${field}"`);
  for (const object of holders) {
    object.properties = { ...object.properties, [`${field}File`]: { type: "string", minLength: 1 } };
    object.not = { required: [field, `${field}File`] };
  }
}

/**
 * Sets the description of every key, every mode and every mode's `type` (the mode's description),
 * from the schema itself or the map, and the examples the other map has; fails on a key without a
 * description and on an entry of either map that matches no key or repeats the schema's own.
 */
function describeAll(root: JsonSchema, descriptions: Readonly<Record<string, string>>, examples: Readonly<Record<string, unknown>>): void {
  const usedExamples = new Set<string>();
  const used = new Set<string>();
  const missing: string[] = [];
  const repeated: string[] = [];
  const describe = (schema: JsonSchema, key: string): void => {
    const example = [key, withoutModes(key)].find((candidate) => candidate in examples);
    if (example !== undefined) {
      usedExamples.add(example);
      schema.examples = [examples[example]] as JsonSchema["examples"];
    }
    const entry = [key, withoutModes(key)].find((candidate) => candidate in descriptions);
    if (schema.description !== undefined) {
      if (entry !== undefined && key in descriptions) repeated.push(key);
    } else if (entry === undefined) {
      missing.push(key);
    } else {
      used.add(entry);
      schema.description = descriptions[entry];
    }
  };
  const visit = (schema: JsonSchema, key: string): void => {
    for (const [name, child] of childSchemas(schema)) {
      const childKey = key === "" ? name : `${key}.${name}`;
      describe(child, childKey);
      visit(child, childKey);
    }
    for (const mode of modesOf(schema) ?? []) {
      const modeKey = `${key}[${mode.name}]`;
      // The mode's own key first: its `type` is described like the mode.
      describe(mode.schema, modeKey);
      const type = mode.schema.properties!.type as JsonSchema;
      type.description ??= mode.schema.description;
      for (const [name, child] of childSchemas(mode.schema).filter(([name]) => name !== "type")) {
        describe(child, `${modeKey}.${name}`);
        visit(child, `${modeKey}.${name}`);
      }
    }
    const entry = listEntrySchema(schema);
    if (entry !== undefined) visit(entry, `${key}[]`);
  };
  visit(root, "");
  const unused = Object.keys(descriptions).filter((key) => !used.has(key) && !repeated.includes(key));
  const problems = [
    ...missing.map((key) => `${key}: no description (add one to scripts/json-schema/descriptions.ts)`),
    ...unused.map((key) => `${key}: described in scripts/json-schema/descriptions.ts, but the schema has no such key`),
    ...repeated.map((key) => `${key}: the schema describes it itself; remove it from scripts/json-schema/descriptions.ts`),
    ...Object.keys(examples)
      .filter((key) => !usedExamples.has(key))
      .map((key) => `${key}: has an example in scripts/json-schema/examples.ts, but the schema has no such key`),
  ];
  if (problems.length > 0) throw new Error(`descriptions out of step with the schema:\n  ${problems.join("\n  ")}`);
}

/** draft-07 allows `required: []`, but it says nothing. */
function dropEmptyRequired(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropEmptyRequired);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key, child]) => !(key === "required" && Array.isArray(child) && child.length === 0))
      .map(([key, child]) => [key, dropEmptyRequired(child)]),
  );
}

/**
 * Keys in code-unit order at every level (the file diffs only where the schema changed, whatever
 * order the schema's source declares things in). Arrays keep their order (a picklist's order is
 * the one shown), except `required`, which is a set.
 */
function sortKeys(value: unknown, key?: string): unknown {
  if (Array.isArray(value)) return key === "required" ? [...value].sort(byCodeUnits) : value.map((item) => sortKeys(item));
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort(byCodeUnits)
      .map((name) => [name, sortKeys((value as Record<string, unknown>)[name], name)]),
  );
}

export function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
