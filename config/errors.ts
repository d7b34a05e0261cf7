import type * as v from "valibot";
import { editDistance } from "./edit-distance";
import { SENSITIVE_VARIABLES, scmClientSecretVariable, terraformVariableEnv } from "./schema";

/** At most this many problems are listed, each at most this long: the message stays small whatever the input. */
const MAX_PROBLEMS = 20;
const MAX_PROBLEM_LENGTH = 400;

/** A configuration the project cannot use. `problems` holds one line per problem, field first. */
export class ConfigError extends Error {
  /** The source and its problems, one per line; `message` adds what the synth did about it. */
  readonly summary: string;
  readonly problems: readonly string[];

  constructor(
    readonly source: string,
    problems: readonly string[],
  ) {
    const shown = [...new Set(problems)].map((problem) => clip(problem.replace(/\s*\n\s*/g, " "), MAX_PROBLEM_LENGTH));
    const listed = shown.length > MAX_PROBLEMS ? [...shown.slice(0, MAX_PROBLEMS), `... and ${shown.length - MAX_PROBLEMS} more (fix these first)`] : shown;
    const summary =
      `invalid configuration (${clip(source, 200)}): ${shown.length} problem${shown.length === 1 ? "" : "s"}\n` +
      listed.map((problem) => `  - ${problem}`).join("\n");
    super(`${summary}\nNothing was synthesized; fix the fields above and run again.`);
    this.summary = summary;
    this.problems = listed;
    this.name = "ConfigError";
  }
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * A short excerpt of a value the user gave, for "(got ...)": never long, and never anything that
 * looks like key material.
 */
export function excerpt(value: unknown): string {
  if (typeof value === "string" && /-----BEGIN|PRIVATE KEY/.test(value)) return "(value not shown)";
  const text = JSON.stringify(value) ?? String(value);
  return clip(text, 60);
}

/** Keys that would carry a secret; they never belong in the config file (docs/modes.md, "Secrets"). */
const SECRET_KEY = /(password|secret|token|privatekey|credentials|secretaccesskey|secretkey)$/i;

/** `scm.providers[0].clientId`; a key too long to be one is cut short. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, index) => (typeof part === "number" ? `[${part}]` : `${index === 0 ? "" : "."}${clip(String(part), 60)}`))
    .join("");
}

const quote = (values: readonly unknown[]) => values.map((value) => JSON.stringify(value)).join(", ");

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>(
    (node, key) => (node !== null && typeof node === "object" ? (node as Record<PropertyKey, unknown>)[key] : undefined),
    input,
  );
}

/** The variable that carries the secret a user tried to put at `section`. */
const SECRET_VARIABLE_OF_SECTION: Readonly<Record<string, string>> = {
  database: SENSITIVE_VARIABLES.databasePassword,
  storage: SENSITIVE_VARIABLES.storageSecretAccessKey,
  registry: SENSITIVE_VARIABLES.registryPassword,
};

function secretKeyMessage(input: unknown, path: readonly PropertyKey[], key: string): string {
  const field = formatPath([...path, key]);
  const isScmProvider = path[0] === "scm" && path[1] === "providers" && typeof path[2] === "number";
  const providerId = isScmProvider ? valueAt(input, [...path, "id"]) : undefined;
  const variable =
    typeof providerId === "string" ? scmClientSecretVariable(providerId) : path.length === 1 ? SECRET_VARIABLE_OF_SECTION[String(path[0])] : undefined;
  if (variable !== undefined) {
    return `${field}: secrets are never read from the config file; remove it and pass the sensitive Terraform variable ${variable} (e.g. export ${terraformVariableEnv(variable)}=...)`;
  }
  return `${field}: secrets are never read from the config file; remove it and pass the value as the sensitive Terraform variable docs/modes.md ("Secrets") lists for this field`;
}

function unknownKeyMessage(input: unknown, path: readonly PropertyKey[], key: string, known: readonly string[]): string {
  if (SECRET_KEY.test(key)) return secretKeyMessage(input, path, key);
  const field = formatPath([...path, key]);
  if (key === "<<") return `${field}: YAML merge keys (<<) are not supported; write the fields out (an anchor may still stand for a whole value)`;
  const closest = closestName(key, known);
  const hint = closest === undefined ? "" : ` (did you mean ${closest}?)`;
  const valid = known.length === 0 ? "" : `; valid here: ${clip(known.join(", "), 200)}`;
  return `${field}: unknown field${hint}${valid}; fields are case-sensitive`;
}

/** The known name closest to `key` (case ignored, at most two edits away), if any. */
function closestName(key: string, known: readonly string[]): string | undefined {
  if (key.length > 64) return undefined;
  const scored = known.map((name) => ({ name, score: editDistance(key.toLowerCase(), name.toLowerCase()) })).sort((a, b) => a.score - b.score);
  return scored[0] !== undefined && scored[0].score <= 2 ? scored[0].name : undefined;
}

/**
 * The parts of a valibot schema the messages read: an issue says where and what, but not what the
 * other fields of an object are, nor which values a choice accepts.
 */
interface SchemaNode {
  readonly kind: string;
  readonly type: string;
  readonly pipe?: readonly SchemaNode[];
  readonly expects: string | null;
  readonly entries?: Readonly<Record<string, SchemaNode>>;
  readonly wrapped?: SchemaNode;
  readonly options?: readonly (SchemaNode | string)[];
  readonly key?: string;
  readonly item?: SchemaNode;
  readonly value?: SchemaNode;
  readonly literal?: unknown;
}

/** The schema that shapes a value: through optional wrappers, and the last schema of a pipe. */
function shaping(node: SchemaNode | undefined): SchemaNode | undefined {
  if (node?.type === "optional") return shaping(node.wrapped);
  const schemas = node?.pipe?.filter((item) => item.kind === "schema");
  return schemas !== undefined && schemas.length > 0 ? shaping(schemas[schemas.length - 1]) : node;
}

/** The object schema that validated `input`: a variant stands for the option `input` selects. */
function objectSchemaFor(node: SchemaNode | undefined, input: unknown): SchemaNode | undefined {
  const schema = shaping(node);
  if (schema?.type !== "variant") return schema;
  const discriminator = input !== null && typeof input === "object" ? (input as Record<string, unknown>)[schema.key!] : undefined;
  return (schema.options as SchemaNode[]).find((option) => option.entries![schema.key!].literal === discriminator);
}

/** The schema of the value at `item.key` inside `node`. */
function childSchema(node: SchemaNode, item: v.IssuePathItem): SchemaNode | undefined {
  const parent = objectSchemaFor(node, item.input);
  switch (parent?.type) {
    case "strict_object":
    case "object":
      return parent.entries![item.key as string];
    case "array":
      return parent.item;
    case "record":
      return parent.value;
    default:
      return undefined;
  }
}

/** The shaping schema of the value at `path` (a variant stays a variant). */
function schemaAt(root: SchemaNode, path: readonly v.IssuePathItem[]): SchemaNode | undefined {
  let node: SchemaNode | undefined = root;
  for (const item of path) {
    if (node === undefined) return undefined;
    node = childSchema(node, item);
  }
  return shaping(node);
}

/** valibot names types "string", "Object", "Array"; the messages use lower case throughout. */
const typeName = (expects: string | null | undefined) => (expects ?? "a value").replace(/^(Object|Array)$/, (name) => name.toLowerCase());

/** Validations whose messages are written in full here or in the schema, without the value. */
const WRITTEN_IN_FULL = new Set(["check", "raw_check", "raw_transform"]);

/**
 * Turns valibot issues into one actionable line each: field path, what is wrong, what is accepted.
 * `schema` is the one that produced the issues.
 */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[], input: unknown, schema: v.GenericSchema): string[] {
  const root = schema as unknown as SchemaNode;
  return issues.flatMap((issue): string[] => {
    const pathItems = issue.path ?? [];
    const path = pathItems.map((item) => item.key as PropertyKey);
    const field = formatPath(path) || "(top level)";
    const given = valueAt(input, path);
    const last = pathItems[pathItems.length - 1];

    if (issue.kind === "schema" && last?.origin === "key") {
      const objectPath = path.slice(0, -1);
      const object = objectSchemaFor(schemaAt(root, pathItems.slice(0, -1)), last.input);
      if (issue.expected === "never") {
        // valibot reports the first unknown key of an object; name them all at once.
        const known = object?.entries;
        const unknownKeys = known ? Object.keys(last.input as object).filter((key) => !Object.hasOwn(known, key)) : [String(last.key)];
        return unknownKeys.map((key) => unknownKeyMessage(input, objectPath, key, Object.keys(known ?? {})));
      }
      const expected = shaping(object?.entries?.[String(last.key)]);
      if (expected?.type === "picklist") return [`${field}: is required; accepted values: ${quote(expected.options ?? [])}`];
      return [`${field}: is required (expected ${typeName(expected?.expects)})`];
    }

    if (issue.type === "variant") {
      const variant = schemaAt(root, pathItems.slice(0, -1));
      if (variant?.type === "variant" && last?.key === variant.key) {
        const accepted = (variant.options as SchemaNode[]).map((option) => option.entries![variant.key!].literal);
        const section = String(path[path.length - 2] ?? "config");
        if (given === undefined) return [`${field}: is required; accepted values: ${quote(accepted)}`];
        return [`${field}: ${excerpt(given)} is not a valid ${section} type; accepted values: ${quote(accepted)}`];
      }
    }

    if (issue.type === "picklist") {
      const accepted = schemaAt(root, pathItems)?.options ?? [];
      // YAML reads 8.0 as the number 8 and yes/no as strings only in quotes.
      const quoteHint = typeof given === "number" && accepted.some((option) => typeof option === "string") ? " (put the value in quotes: YAML reads 8.0 as the number 8)" : "";
      return [`${field}: ${given === undefined ? "is required" : `${excerpt(given)} is not accepted`}; accepted values: ${quote(accepted)}${quoteHint}`];
    }

    if (issue.kind === "schema") {
      return [
        given === undefined
          ? `${field}: is required (expected ${typeName(issue.expected)})`
          : `${field}: expected ${typeName(issue.expected)}, got ${excerpt(given)}${issue.expected === "string" && (typeof given === "number" || typeof given === "boolean") ? ` (put it in quotes, e.g. "${String(given)}": YAML read it as a ${typeof given})` : ""}`,
      ];
    }

    const shown = given === undefined || typeof given === "object" || WRITTEN_IN_FULL.has(issue.type) ? "" : ` (got ${excerpt(given)})`;
    const counted = (count: unknown) => `${String(count)} ${Array.isArray(given) ? "item" : "character"}${count === 1 ? "" : "s"}`;
    switch (issue.type) {
      case "min_value":
      case "max_value":
        return [`${field}: must be ${issue.expected}${shown}`];
      case "min_length":
        return [`${field}: must have at least ${counted(issue.requirement)}${shown}`];
      case "max_length":
        return [`${field}: must have at most ${counted(issue.requirement)}${shown}`];
      case "integer":
        return [`${field}: must be a whole number${shown}`];
      default:
        return [`${field}: ${issue.message}${shown}`];
    }
  });
}
