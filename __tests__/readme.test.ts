/**
 * The README's configuration examples are what users copy: each must be a valid configuration, and
 * the reference block must show the real defaults.
 */
import * as fs from "fs";
import * as path from "path";
import { loadConfig, validateConfig } from "../config/load";
import { BUILT_IN_DEFAULTS } from "../config/schema";
import { parseYaml, scratchDir } from "./support/synth";

const PEM = "-----BEGIN CERTIFICATE-----\nMIIBexample\n-----END CERTIFICATE-----\n";

const README = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");
const yamlBlocks = [...README.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1]);
const REFERENCE_HEADING = "### Every key, with its default";
const reference = README.slice(README.indexOf(REFERENCE_HEADING)).match(/```yaml\n([\s\S]*?)```/)![1];

/** Blocks written as (part of) a gitpod-cdktf.yaml: all their top-level keys are config keys. */
const CONFIG_KEYS = new Set(Object.keys(parseYaml(reference) as object));
const configExamples = yamlBlocks
  .filter((block) => block !== reference)
  .map((block) => parseYaml(block) as Record<string, unknown>)
  .filter((value) => value !== null && typeof value === "object" && Object.keys(value).every((key) => CONFIG_KEYS.has(key)));

/** Leaves of a parsed YAML tree, by dotted path. */
function leaves(value: unknown, prefix = ""): [string, unknown][] {
  if (value === null || typeof value !== "object" || Array.isArray(value) || Object.keys(value).length === 0) return [[prefix, value]];
  return Object.entries(value).flatMap(([key, child]) => leaves(child, prefix === "" ? key : `${prefix}.${key}`));
}

function setAt(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const keys = dotted.split(".");
  const parent = keys.slice(0, -1).reduce((node, key) => (node[key] ??= {}) as Record<string, unknown>, target);
  parent[keys[keys.length - 1]] = value;
}

describe("the README", () => {
  it("has a configuration example for every mode and backend", () => {
    const types = (section: string) => new Set(configExamples.map((example) => (example[section] as { type?: string } | undefined)?.type).filter(Boolean));
    expect(types("tls")).toEqual(new Set(["self-signed", "issuer", "secret", "acme-route53"]));
    expect(types("database")).toEqual(new Set(["in-cluster", "external", "rds"]));
    expect(types("storage")).toEqual(new Set(["in-cluster", "external", "s3"]));
    // registry.type s3 is shown as the alternative in the ECR example's comment.
    expect(types("registry")).toEqual(new Set(["in-cluster", "external", "ecr"]));
    expect(types("backend")).toEqual(new Set(["s3", "cloud"]));
  });

  it.each(configExamples.map((example, index) => [index, example] as const))("configuration example %i is valid", (_, example) => {
    const dir = scratchDir("readme-example-");
    // Fragments (a backend block) are shown without the required domain.
    // JSON is YAML.
    fs.writeFileSync(path.join(dir, "gitpod-cdktf.yaml"), JSON.stringify({ domain: "gitpod.acme.dev", ...example }));
    const caFile = (example.database as { caCertificateFile?: string } | undefined)?.caCertificateFile;
    if (caFile !== undefined) fs.writeFileSync(path.join(dir, caFile), PEM);
    expect(loadConfig({ env: {}, cwd: dir }).usedDefaults).toBe(false);
  });

  it("lists every top-level key, and shows the built-in defaults where it shows a value", () => {
    const defaults = validateConfig(BUILT_IN_DEFAULTS, "built-in defaults");
    expect([...CONFIG_KEYS].sort()).toEqual([...new Set([...Object.keys(defaults), "aws"])].sort());
    // <placeholders> stand for derived or required values; aws has no defaults without an AWS mode.
    const shown = leaves(parseYaml(reference)).filter(([key, value]) => !(typeof value === "string" && value.includes("<")) && !key.startsWith("aws."));
    expect(shown.length).toBeGreaterThan(30);
    const asShown: Record<string, unknown> = {};
    for (const [key, value] of shown) setAt(asShown, key, value);
    // Values are compared as the app reads them ("30m" is 1800 seconds).
    expect(validateConfig(asShown, "README reference")).toEqual(defaults);
  });
});
