import type { z } from "zod";
import { SENSITIVE_VARIABLES, scmClientSecretVariable } from "./schema";

/** A configuration the project cannot use. `problems` holds one line per problem, field first. */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(
      `invalid configuration (${source}): ${problems.length} problem${problems.length === 1 ? "" : "s"}\n` +
        problems.map((problem) => `  - ${problem}`).join("\n") +
        "\nNothing was synthesized; fix the fields above and run again.",
    );
    this.name = "ConfigError";
  }
}

/** Keys that would carry a secret; they never belong in the config file (see README, "Secrets"). */
const SECRET_KEY = /(password|secret|token|privatekey|credentials|secretaccesskey|secretkey)$/i;

/** `scm.providers[0].clientId` */
export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, index) => (typeof part === "number" ? `[${part}]` : `${index === 0 ? "" : "."}${String(part)}`))
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
    return `${field}: secrets are never read from the config file; remove it and pass the sensitive Terraform variable ${variable} (e.g. export TF_VAR_${variable}=...)`;
  }
  return `${field}: secrets are never read from the config file; remove it and pass the value as the sensitive Terraform variable the README lists for this field`;
}

/** Turns zod issues into one actionable line each: field path, what is wrong, what is accepted. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], input: unknown): string[] {
  return issues.flatMap((issue): string[] => {
    const field = formatPath(issue.path) || "(top level)";
    const given = valueAt(input, issue.path);
    switch (issue.code) {
      case "unrecognized_keys":
        return issue.keys.map((key) =>
          SECRET_KEY.test(key)
            ? secretKeyMessage(input, issue.path, key)
            : `${formatPath([...issue.path, key])}: unknown field; remove it or check its spelling (fields are case-sensitive)`,
        );
      case "invalid_union": {
        if (issue.discriminator !== undefined && "options" in issue) {
          const section = String(issue.path[0]);
          const accepted = issue.options ?? [];
          if (given === undefined) {
            return [`${field}: is required; accepted values: ${quote(accepted)}`];
          }
          return [`${field}: ${JSON.stringify(given)} is not a valid ${section} type; accepted values: ${quote(accepted)}`];
        }
        return [`${field}: ${issue.message}`];
      }
      case "invalid_value":
        return [
          `${field}: ${given === undefined ? "is required" : `${JSON.stringify(given)} is not accepted`}; accepted values: ${quote(issue.values)}`,
        ];
      case "invalid_type":
        return [
          given === undefined
            ? `${field}: is required (expected ${issue.expected})`
            : `${field}: expected ${issue.expected}, got ${JSON.stringify(given)}`,
        ];
      case "invalid_format":
      case "too_big":
      case "too_small": {
        const shown = given === undefined || typeof given === "object" ? "" : ` (got ${JSON.stringify(given)})`;
        return [`${field}: ${issue.message}${shown}`];
      }
      default:
        return [`${field}: ${issue.message}`];
    }
  });
}
