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
import { ConfigError, describeIssues } from "./errors";
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
  if (fs.existsSync(localFile)) {
    return {
      config: parseConfigFile(localFile, `./${DEFAULT_CONFIG_FILE}`),
      source: `./${DEFAULT_CONFIG_FILE}`,
      usedDefaults: false,
    };
  }
  return { config: validateConfig(BUILT_IN_DEFAULTS, "built-in defaults"), source: "built-in defaults", usedDefaults: true };
}

function parseConfigFile(file: string, shownAs: string): GitpodCdktfConfig {
  const value = parseYaml(fs.readFileSync(file, "utf8"), shownAs) ?? {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new ConfigError(shownAs, ["(top level): the file must hold a YAML mapping such as `domain: gitpod.example.com`"]);
  }
  return validateConfig(inlineReferencedFiles(value as Record<string, unknown>, path.dirname(file), shownAs), shownAs);
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
const FILE_FIELDS: readonly (readonly [section: string, field: string])[] = [["database", "caCertificate"]];

function inlineReferencedFiles(config: Record<string, unknown>, baseDir: string, shownAs: string): Record<string, unknown> {
  const result = { ...config };
  for (const [section, field] of FILE_FIELDS) {
    const values = result[section];
    if (values === null || typeof values !== "object" || !(`${field}File` in values)) continue;
    const { [`${field}File`]: reference, ...rest } = values as Record<string, unknown>;
    const where = `${section}.${field}File`;
    if (field in rest) throw new ConfigError(shownAs, [`${where}: give either ${section}.${field} or ${where}, not both`]);
    if (typeof reference !== "string") throw new ConfigError(shownAs, [`${where}: expected a path relative to the config file`]);
    const target = path.resolve(baseDir, reference);
    if (!fs.existsSync(target)) {
      throw new ConfigError(shownAs, [`${where}: ${reference} does not exist (paths are relative to the config file)`]);
    }
    result[section] = { ...rest, [field]: fs.readFileSync(target, "utf8") };
  }
  return result;
}

/** Validates an already-parsed value; exported for tests and tools that build configs in code. */
export function validateConfig(value: unknown, source: string): GitpodCdktfConfig {
  const result = safeParse(configSchema, value);
  if (!result.success) {
    throw new ConfigError(source, describeIssues(result.issues, value, configSchema));
  }
  return result.output;
}
