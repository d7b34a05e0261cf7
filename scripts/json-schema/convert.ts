/**
 * The configuration's valibot schema as a JSON Schema (draft-07, what editors' YAML support reads),
 * through @valibot/to-json-schema, for the config as the user writes it (the input side).
 *
 * valibot can say more than JSON Schema, so some of it is converted on purpose, not by the library:
 * - pipes are cut to the user's input: the last schema before the first transformation, with the
 *   validations after it. A guard in front of that schema (`unknown` + `check`, the "a mapping, not a
 *   list" rule) is left out: the object schema after it says more. Transformations (durations in
 *   seconds, derived defaults such as `gitpod.installerImage`) and whatever follows them are left
 *   out: JSON Schema describes the file, not what the app makes of it;
 * - `check` and `raw_check` actions (rules across fields, "no ${" in a path) are left out, so the
 *   JSON Schema accepts a little more than gitpod-cdktf, never less;
 * - a case-insensitive regex is spelled out for JSON Schema, which has no flags ("i" -> [hH]...);
 * - `email` becomes valibot's own e-mail pattern instead of `format: email`, whose meaning varies by
 *   validator;
 * - each regex's message becomes `patternErrorMessage`, which VS Code's and yaml-language-server's
 *   validators show instead of the raw pattern.
 * Only the exported `configSchema` is read, never the schema's internal names.
 */
import { toJsonSchema, type JsonSchema, type OverrideActionContext } from "@valibot/to-json-schema";
import type * as v from "valibot";

/** Any valibot schema or pipe item, read generically: only the properties the converter reads. */
interface Node {
  readonly kind: "schema" | "validation" | "transformation" | "metadata";
  readonly type: string;
  readonly pipe?: readonly Node[];
  readonly [key: string]: unknown;
}

/** valibot actions that cannot be expressed and are deliberately left out (see above). */
export const IGNORED_ACTIONS = ["check", "raw_check"] as const;

/** Schemas that may stand before the real schema of a pipe, as a guard (see above). */
const GUARD_SCHEMAS = new Set(["unknown", "any"]);

function flatten(pipe: readonly Node[]): Node[] {
  return pipe.flatMap((item) => (item.pipe === undefined ? [item] : flatten(item.pipe)));
}

/**
 * The part of a schema that describes the input: pipes cut as described above, recursively through
 * objects, wrappers (optional...), arrays, records, unions and variants. The result is a shallow
 * copy of valibot's objects that only the converter reads.
 */
export function inputSchema(schema: Node): Node {
  if (schema.pipe === undefined) return withInputChildren(schema);
  const items = flatten(schema.pipe);
  const firstTransformation = items.findIndex((item) => item.kind === "transformation");
  const input = firstTransformation === -1 ? items : items.slice(0, firstTransformation);
  const start = input.map((item) => item.kind).lastIndexOf("schema");
  for (const item of input.slice(0, start)) {
    const isGuard = item.kind === "schema" ? GUARD_SCHEMAS.has(item.type) : (IGNORED_ACTIONS as readonly string[]).includes(item.type) || item.kind === "metadata";
    if (!isGuard) throw new Error(`cannot convert a pipe with "${item.type}" before its "${input[start].type}" schema`);
  }
  // Metadata (a description...) describes the field wherever it sits in the pipe.
  const metadata = items.filter((item, index) => item.kind === "metadata" && (index < start || index >= input.length));
  const root = withInputChildren(input[start]);
  const actions = [...metadata, ...input.slice(start + 1)];
  return actions.length === 0 ? root : { ...root, pipe: [root, ...actions] };
}

function withInputChildren(schema: Node): Node {
  const map = <T>(value: T, f: (node: Node) => Node): T =>
    (Array.isArray(value) ? value.map(f) : Object.fromEntries(Object.entries(value as Record<string, Node>).map(([k, n]) => [k, f(n)]))) as T;
  switch (schema.type) {
    case "object":
    case "loose_object":
    case "strict_object":
      return { ...schema, entries: map(schema.entries, inputSchema) };
    case "object_with_rest":
      return { ...schema, entries: map(schema.entries, inputSchema), rest: inputSchema(schema.rest as Node) };
    case "optional":
    case "exact_optional":
    case "nullable":
    case "nullish":
    case "undefinedable":
      return { ...schema, wrapped: inputSchema(schema.wrapped as Node) };
    case "array":
      return { ...schema, item: inputSchema(schema.item as Node) };
    case "record":
      return { ...schema, key: inputSchema(schema.key as Node), value: inputSchema(schema.value as Node) };
    case "union":
    case "variant":
    case "intersect":
      return { ...schema, options: map(schema.options, inputSchema) };
    default:
      return schema;
  }
}

/** A JavaScript regex as a JSON Schema pattern (ECMA-262, no flags): "i" spelled out, "u" implied. */
export function jsonSchemaPattern(regex: RegExp): string {
  const unsupported = regex.flags.replace(/[iu]/g, "");
  if (unsupported !== "") throw new Error(`cannot express the regex flags "${unsupported}" of /${regex.source}/ in JSON Schema`);
  return regex.flags.includes("i") ? caseInsensitive(regex.source) : regex.source;
}

const isLetter = (c: string) => c.toLowerCase() !== c.toUpperCase();

/** `source` matching both cases of every letter: `a` -> `[aA]`, `[a-f]` -> `[a-fA-F]`; escapes kept. */
function caseInsensitive(source: string): string {
  let out = "";
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === "\\") {
      out += source.slice(i, i + 2);
      i++;
    } else if (c === "[") {
      const end = classEnd(source, i);
      out += caseInsensitiveClass(source.slice(i + 1, end));
      i = end;
    } else {
      out += isLetter(c) ? `[${c.toLowerCase()}${c.toUpperCase()}]` : c;
    }
  }
  return out;
}

function classEnd(source: string, start: number): number {
  for (let i = start + 1; i < source.length; i++) {
    if (source[i] === "\\") i++;
    else if (source[i] === "]") return i;
  }
  throw new Error(`unterminated character class in /${source}/`);
}

/** A character class's body with the other case of each letter and letter range added. */
function caseInsensitiveClass(body: string): string {
  const negated = body.startsWith("^");
  const parts: string[] = [];
  let i = negated ? 1 : 0;
  while (i < body.length) {
    const atom = body[i] === "\\" ? body.slice(i, i + 2) : body[i];
    i += atom.length;
    if (body[i] === "-" && i + 1 < body.length && body[i + 1] !== "\\") {
      const to = body[i + 1];
      i += 2;
      parts.push(`${atom}-${to}`);
      if (isLetter(atom) && isLetter(to)) parts.push(`${swapCase(atom)}-${swapCase(to)}`);
    } else {
      parts.push(atom);
      if (atom.length === 1 && isLetter(atom)) parts.push(swapCase(atom));
    }
  }
  return `[${negated ? "^" : ""}${[...new Set(parts)].join("")}]`;
}

const swapCase = (c: string) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase());

function overrideAction({ valibotAction, jsonSchema }: OverrideActionContext): JsonSchema | undefined {
  const action = valibotAction as unknown as { type: string; requirement: unknown; message?: unknown };
  if (action.type !== "regex" && action.type !== "email" && action.type !== "rfc_email") return undefined;
  const { format: _format, ...rest } = jsonSchema;
  const message = typeof action.message === "string" ? { patternErrorMessage: action.message } : {};
  // The library leaves `pattern` unset when an earlier action already set one.
  if (rest.pattern !== undefined && rest.pattern !== (action.requirement as RegExp).source) {
    throw new Error(`cannot express two patterns on one string (/${rest.pattern}/ and /${(action.requirement as RegExp).source}/)`);
  }
  return { ...rest, pattern: jsonSchemaPattern(action.requirement as RegExp), ...message };
}

/** The JSON Schema of a valibot schema's input, as converted above (no descriptions yet). */
export function inputJsonSchema(schema: v.GenericSchema): JsonSchema {
  return toJsonSchema(inputSchema(schema as unknown as Node) as unknown as v.GenericSchema, {
    target: "draft-07",
    typeMode: "input",
    errorMode: "throw",
    ignoreActions: [...IGNORED_ACTIONS],
    overrideAction,
  });
}
