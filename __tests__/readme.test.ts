/**
 * What the README and docs/ show of the configuration is what users copy:
 * - every yaml configuration example of README.md and docs/*.md is a valid configuration, and
 *   together they show every mode and backend;
 * - the reference block ("Every key, with its default", docs/modes.md) shows the real defaults;
 * - the README's mode matrix lists exactly the modes registered in modes/index.ts, with their
 *   summary and the stacks they put resources in.
 */
import * as fs from "fs";
import * as path from "path";
import { FILE_FIELDS, loadConfig, validateConfig } from "../config/load";
import { BUILT_IN_DEFAULTS } from "../config/schema";
import { DEPENDENCIES, MODES } from "../modes";
import { configExamples, EXAMPLE_DOMAIN, parseConfigYaml, REFERENCE_FILE, referenceBlock } from "./support/doc-config-examples";
import { codeSpans, readDoc, section, tableRows } from "./support/markdown";
import { scratchDir } from "./support/synth";

const PEM = "-----BEGIN CERTIFICATE-----\nMIIBexample\n-----END CERTIFICATE-----\n";

const reference = referenceBlock();
const CONFIG_KEYS = new Set(Object.keys(parseConfigYaml(reference) as object));
const examples = configExamples();

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

describe("the documentation's configuration examples", () => {
  it("are found in README.md and docs/", () => {
    expect(examples.length).toBeGreaterThan(10);
    expect(new Set(examples.map(({ where }) => where.split(" ")[0]))).toEqual(
      new Set(["docs/modes.md", "docs/aws.md", "docs/dns.md", "docs/operations.md", "docs/terraform-cloud.md", "docs/air-gapped.md"]),
    );
  });

  it("show every mode and backend", () => {
    const types = (section: string) =>
      new Set(examples.map(({ example }) => (example[section] as { type?: string } | undefined)?.type).filter(Boolean));
    for (const dependency of DEPENDENCIES) expect([dependency, types(dependency)]).toEqual([dependency, new Set(MODES[dependency].map((mode) => mode.type))]);
    expect(types("backend")).toEqual(new Set(["s3", "cloud"]));
  });

  it.each(examples.map(({ where, example }) => [where, example] as const))("%s is valid", (_, example) => {
    const dir = scratchDir("doc-example-");
    // Fragments (a backend block) are shown without the required domain.
    // JSON is YAML.
    fs.writeFileSync(path.join(dir, "gitpod-cdktf.yaml"), JSON.stringify({ domain: EXAMPLE_DOMAIN, ...example }));
    // The CA files an example names (FILE_FIELDS), as the user would put them next to the config.
    for (const [section, field] of FILE_FIELDS) {
      const file = (example[section] as Record<string, unknown> | undefined)?.[`${field}File`];
      if (typeof file === "string") fs.writeFileSync(path.join(dir, file), PEM);
    }
    expect(loadConfig({ env: {}, cwd: dir }).usedDefaults).toBe(false);
  });
});

describe(`the reference block (${REFERENCE_FILE}, "Every key, with its default")`, () => {
  it("lists every top-level key, and shows the built-in defaults where it shows a value", () => {
    const defaults = validateConfig(BUILT_IN_DEFAULTS, "built-in defaults");
    // aws and mirror are absent unless given.
    const optional = ["aws", "mirror"];
    expect([...CONFIG_KEYS].sort()).toEqual([...new Set([...Object.keys(defaults), ...optional])].sort());
    // <placeholders> stand for derived or required values.
    const shown = leaves(parseConfigYaml(reference)).filter(
      ([key, value]) => !(typeof value === "string" && value.includes("<")) && !optional.some((section) => key.startsWith(`${section}.`)),
    );
    expect(shown.length).toBeGreaterThan(30);
    const asShown: Record<string, unknown> = {};
    for (const [key, value] of shown) setAt(asShown, key, value);
    // Values are compared as the app reads them ("30m" is 1800 seconds).
    expect(validateConfig(asShown, "reference block")).toEqual(defaults);
  });
});

describe("the README's mode matrix", () => {
  // | dependency | `type` | what it is | stacks |
  const rows = tableRows(section(readDoc("README.md"), "## Modes"));

  it("lists exactly the registered modes, in registration order, the default first", () => {
    const listed = rows.map(([dependency, type]) => `${dependency} ${codeSpans(type)[0]}${type.includes("(default)") ? " (default)" : ""}`);
    const registered = DEPENDENCIES.flatMap((dependency) => MODES[dependency].map((mode, index) => `${dependency} ${mode.type}${index === 0 ? " (default)" : ""}`));
    expect(listed).toEqual(registered);
  });

  it("gives each mode its summary and the stacks it puts resources in", () => {
    const listed = rows.map(([dependency, type, summary, stacks]) => [dependency, codeSpans(type)[0], summary, codeSpans(stacks)]);
    const registered = DEPENDENCIES.flatMap((dependency) => MODES[dependency].map((mode) => [dependency, mode.type, mode.summary, [...mode.placement]]));
    expect(listed).toEqual(registered);
  });
});
