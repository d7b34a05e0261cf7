/**
 * Loads and validates the configuration: the only place that reads the environment or a file.
 *
 * Precedence: $GITPOD_CDKTF_CONFIG, then ./gitpod-cdktf.yaml, then the built-in defaults (an
 * all-in-cluster installation for gitpod.example.com).
 */
import * as fs from "fs";
import * as path from "path";
import { CORE_SCHEMA, load, YAMLException } from "js-yaml";
import { safeParse } from "valibot";
import { awsNeeds, DEPENDENCIES, MODES, type ChosenModes } from "../modes";
import { ConfigError, describeIssues, formatPath } from "./errors";
import { readTextFile } from "../util/input-file";
import { BUILT_IN_DEFAULTS, configSchema, type GitpodCdktfConfig } from "./schema";

export const CONFIG_ENV_VAR = "GITPOD_CDKTF_CONFIG";
export const DEFAULT_CONFIG_FILE = "gitpod-cdktf.yaml";
/** What the commands say when they fall back to the built-in defaults. */
export const NO_CONFIG_FILE = `no config file ($${CONFIG_ENV_VAR} unset, no ./${DEFAULT_CONFIG_FILE})`;

export interface LoadedConfig {
  readonly config: GitpodCdktfConfig;
  /** Where the configuration came from, for messages: a path or "built-in defaults". */
  readonly source: string;
  readonly usedDefaults: boolean;
}

export interface LoadConfigOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

export function loadConfig({ env, cwd }: LoadConfigOptions): LoadedConfig {
  const fromEnv = env[CONFIG_ENV_VAR];
  if (fromEnv !== undefined && fromEnv !== "") {
    const file = path.resolve(cwd, fromEnv);
    if (!fs.existsSync(file)) {
      throw new ConfigError(`$${CONFIG_ENV_VAR}=${fromEnv}`, [
        `${CONFIG_ENV_VAR}: the file ${fromEnv} does not exist; point the variable at your config file or unset it to use ./${DEFAULT_CONFIG_FILE}`,
      ]);
    }
    return { config: parseConfigFile(file, fromEnv), source: fromEnv, usedDefaults: false };
  }
  const localFile = path.join(cwd, DEFAULT_CONFIG_FILE);
  // lstat: a dangling link or a broken file is reported, not mistaken for "no config file".
  if (lstatOrUndefined(localFile) !== undefined) {
    return {
      config: parseConfigFile(localFile, `./${DEFAULT_CONFIG_FILE}`),
      source: `./${DEFAULT_CONFIG_FILE}`,
      usedDefaults: false,
    };
  }
  return { config: validateConfig(BUILT_IN_DEFAULTS, "built-in defaults"), source: "built-in defaults", usedDefaults: true };
}

function lstatOrUndefined(file: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(file);
  } catch {
    return undefined;
  }
}

/** Far above any config or CA bundle, far below what could exhaust memory. */
const MAX_FILE_BYTES = 1024 * 1024;

/** A file's text, or a ConfigError (of `shownAs`) saying in one line why it cannot be read. */
function readFileOf(shownAs: string, file: string, what: string): string {
  const read = readTextFile(file, MAX_FILE_BYTES);
  if ("problem" in read) throw new ConfigError(shownAs, [`${what}: ${read.problem}`]);
  return read.text;
}

function parseConfigFile(file: string, shownAs: string): GitpodCdktfConfig {
  const value = parseYaml(readFileOf(shownAs, file, `the config file ${shownAs}`), shownAs) ?? {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new ConfigError(shownAs, ["(top level): the file must hold a YAML mapping such as `domain: gitpod.example.com`"]);
  }
  refuseHugeExpansions(value, shownAs);
  refuseMergeKeys(value, shownAs);
  const { config, fromFiles } = inlineReferencedFiles(value as Record<string, unknown>, path.dirname(file), shownAs);
  try {
    return validateConfig(config, shownAs);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // A problem with inlined content is a problem of the field that named the file.
    throw new ConfigError(
      shownAs,
      error.problems.map((problem) => fromFiles.reduce((text, { field, fileField }) => (text.startsWith(`${field}:`) ? `${fileField}${text.slice(field.length)}` : text), problem)),
    );
  }
}

/**
 * YAML's merge key (`<<: *defaults`) is not part of YAML 1.2, which the file is read as: refused by
 * name, instead of a confusing "required" message about the fields it was meant to bring in.
 */
function refuseMergeKeys(value: unknown, shownAs: string): void {
  const found: string[] = [];
  const visit = (node: unknown, where: PropertyKey[]) => {
    if (node === null || typeof node !== "object" || found.length >= 5) return;
    for (const [key, child] of Object.entries(node)) {
      const at = [...where, Array.isArray(node) ? Number(key) : key];
      if (key === "<<" && !Array.isArray(node)) found.push(formatPath(at));
      else visit(child, at);
    }
  };
  visit(value, []);
  if (found.length > 0) {
    throw new ConfigError(
      shownAs,
      found.map((where) => `${where}: YAML merge keys (<<) are not supported; write the fields out (an anchor may still stand for a whole value)`),
    );
  }
}

/**
 * YAML aliases let a few lines stand for billions of values (an "alias bomb"); anything that
 * walks them (validation, messages) would then run out of time or memory. No config needs more
 * than this many values.
 */
const MAX_EXPANDED_VALUES = 100_000;

function refuseHugeExpansions(value: unknown, shownAs: string): void {
  const sizes = new Map<object, number>();
  const size = (node: unknown): number => {
    if (node === null || typeof node !== "object") return 1;
    const known = sizes.get(node);
    if (known !== undefined) return known;
    sizes.set(node, MAX_EXPANDED_VALUES + 1); // a cycle counts as too large
    let total = 1;
    for (const child of Object.values(node)) {
      total = Math.min(total + size(child), MAX_EXPANDED_VALUES + 1);
    }
    sizes.set(node, total);
    return total;
  };
  if (size(value) <= MAX_EXPANDED_VALUES) return;
  // Name the innermost field that is too large on its own.
  const where: PropertyKey[] = [];
  let node = value as Record<string, unknown>;
  for (;;) {
    const child = Object.entries(node).find(([, item]) => size(item) > MAX_EXPANDED_VALUES);
    if (child === undefined || child[1] === null || typeof child[1] !== "object") break;
    where.push(Array.isArray(node) ? Number(child[0]) : child[0]);
    node = child[1] as Record<string, unknown>;
  }
  throw new ConfigError(shownAs, [
    `${formatPath(where) || "(top level)"}: YAML aliases (*name) expand to more than ${MAX_EXPANDED_VALUES} values here; write the value out instead of repeating anchors`,
  ]);
}

/**
 * YAML 1.2's core schema: `yes` and `2022-11-03` stay strings (the schema says which fields are
 * booleans). A duplicate key is an error, not "the last one wins".
 */
function parseYaml(text: string, shownAs: string): unknown {
  try {
    return load(text, { schema: CORE_SCHEMA });
  } catch (error) {
    if (!(error instanceof YAMLException)) throw error;
    // One line, without js-yaml's source excerpt: the position says where.
    const where = error.mark === undefined ? "" : ` at line ${error.mark.line + 1}, column ${error.mark.column + 1}`;
    throw new ConfigError(shownAs, [`YAML syntax: ${error.reason}${where}`]);
  }
}

/**
 * Fields whose content may come from a file next to the config (`<field>File`, a path relative to
 * the config file): CA bundles are long. The content, not the path, goes into the output, which
 * stays machine-independent.
 */
export const FILE_FIELDS: readonly (readonly [section: string, field: string])[] = [
  ["database", "caCertificate"],
  ["tls", "caCertificate"],
];

interface InlinedFiles {
  readonly config: Record<string, unknown>;
  /** Which field now holds the content of which file field (`database.caCertificate` <- `database.caCertificateFile (ca.pem)`). */
  readonly fromFiles: ReadonlyArray<{ readonly field: string; readonly fileField: string }>;
}

function inlineReferencedFiles(config: Record<string, unknown>, baseDir: string, shownAs: string): InlinedFiles {
  const result = { ...config };
  const fromFiles: Array<{ field: string; fileField: string }> = [];
  for (const [section, field] of FILE_FIELDS) {
    const values = result[section];
    if (values === null || typeof values !== "object" || !(`${field}File` in values)) continue;
    const { [`${field}File`]: reference, ...rest } = values as Record<string, unknown>;
    const where = `${section}.${field}File`;
    if (field in rest) throw new ConfigError(shownAs, [`${where}: give either ${section}.${field} or ${where}, not both`]);
    if (typeof reference !== "string" || reference === "") throw new ConfigError(shownAs, [`${where}: expected a path relative to the config file`]);
    const shownPath = reference.length > 100 ? `${reference.slice(0, 99)}…` : reference;
    const content = readFileOf(shownAs, path.resolve(baseDir, reference), `${where} (${shownPath}, relative to the config file)`);
    result[section] = { ...rest, [field]: content };
    fromFiles.push({ field: `${section}.${field}`, fileField: `${where} (${shownPath})` });
  }
  return { config: result, fromFiles };
}

/** Validates an already-parsed value; exported for tests and tools that build configs in code. */
export function validateConfig(value: unknown, source: string): GitpodCdktfConfig {
  const result = safeParse(configSchema, value);
  if (!result.success) {
    throw new ConfigError(source, [...describeIssues(result.issues, value, configSchema), ...awsProblemsOfRawInput(value)]);
  }
  return result.output;
}

/**
 * What the chosen modes need of `aws`, judged on the input as written. The schema's own rule runs
 * only once every field has the right type; this names a missing `aws` field in the same round as
 * the other problems, not one round later.
 */
function awsProblemsOfRawInput(value: unknown): string[] {
  if (value === null || typeof value !== "object") return [];
  const raw = value as Record<string, unknown>;
  const chosen = Object.fromEntries(
    DEPENDENCIES.map((dependency) => {
      const type = (raw[dependency] as { type?: unknown } | undefined)?.type;
      const known = MODES[dependency].some((mode) => mode.type === type);
      return [dependency, { type: known ? (type as string) : MODES[dependency][0].type }];
    }),
  ) as ChosenModes;
  const needs = awsNeeds(chosen);
  if (!needs.needed) return [];
  const aws = raw.aws;
  if (aws === null || typeof aws !== "object" || Array.isArray(aws)) {
    return aws === undefined ? ["aws: is required by the AWS modes in this config: give at least aws.region"] : [];
  }
  return needs.fields.filter(({ field }) => !(field in aws)).map(({ field, because, why }) => `aws.${field}: is required when ${because}: ${why}`);
}
