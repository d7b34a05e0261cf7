/**
 * schema/gitpod-cdktf.schema.json and docs/configuration.md (npm run json-schema): committed as
 * generated, and a JSON Schema that agrees with the app's own validation: it accepts every config
 * the repository shows (examples/, bench/largest.yaml, the README's examples) and rejects what the
 * app rejects for one key on its own (unknown keys, wrong types, values outside an enum or a
 * pattern). Checked with a real validator, ajv, in strict mode.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import Ajv, { type ValidateFunction } from "ajv";
import { CORE_SCHEMA, load } from "js-yaml";
import { getDotPath, safeParse } from "valibot";
import { loadConfig } from "../config/load";
import { configSchema } from "../config/schema";
import { configJsonSchema, JSON_SCHEMA_FILE } from "../scripts/json-schema/config-json-schema";
import { jsonSchemaPattern } from "../scripts/json-schema/convert";
import { DESCRIPTIONS } from "../scripts/json-schema/descriptions";
import { EXAMPLES } from "../scripts/json-schema/examples";
import { generatedFiles } from "../scripts/json-schema/generated-files";
import { REFERENCE_FILE } from "../scripts/json-schema/reference";
import { modesOf } from "../scripts/json-schema/schema-tree";
import { readmeConfigExamples } from "./support/readme-config-examples";

const ROOT = path.resolve(__dirname, "..");
const PEM = "-----BEGIN CERTIFICATE-----\nMIIBexample\n-----END CERTIFICATE-----\n";

const committed = JSON.parse(fs.readFileSync(path.join(ROOT, JSON_SCHEMA_FILE), "utf8"));

function newAjv(): Ajv {
  // patternErrorMessage is read by VS Code's and yaml-language-server's validators, not by ajv.
  // strictRequired would also ask `not: { required: [a, b] }` ("not both") to define a and b again.
  return new Ajv({ strict: true, strictRequired: false, allErrors: true }).addKeyword("patternErrorMessage");
}

const validate: ValidateFunction = newAjv().compile(committed);

/** The JSON Schema's verdict, with ajv's errors for the test's message. */
function jsonSchemaErrors(config: unknown): string {
  return validate(config) ? "" : newAjv().errorsText(validate.errors, { separator: "\n" });
}

/** Where the app finds problems in the same value (file references are the loader's, see below). */
function appProblems(config: unknown): string[] {
  const result = safeParse(configSchema, config);
  return result.success ? [] : result.issues.map((issue) => getDotPath(issue) ?? "(top level)");
}

const parseYaml = (file: string) => load(fs.readFileSync(path.join(ROOT, file), "utf8"), { schema: CORE_SCHEMA });

function yamlFiles(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const child = path.join(dir, entry.name);
    if (entry.isDirectory()) return yamlFiles(child);
    return entry.name.endsWith(".yaml") ? [child] : [];
  });
}

describe("the generated files", () => {
  it.each(Object.entries(generatedFiles()))("%s is up to date (run npm run json-schema)", (file, content) => {
    expect(fs.readFileSync(path.join(ROOT, file), "utf8")).toBe(content);
  });

  it("end with one newline and list object keys sorted", () => {
    const text = fs.readFileSync(path.join(ROOT, JSON_SCHEMA_FILE), "utf8");
    expect(text.endsWith("}\n")).toBe(true);
    const unsorted: string[] = [];
    const visit = (value: unknown, where: string): void => {
      if (value === null || typeof value !== "object") return;
      const keys = Object.keys(value);
      if (!Array.isArray(value) && keys.join("\0") !== [...keys].sort().join("\0")) unsorted.push(where);
      for (const key of keys) visit((value as Record<string, unknown>)[key], `${where}/${key}`);
    };
    visit(committed, "#");
    expect(unsorted).toEqual([]);
  });
});

describe("the JSON Schema accepts every config the repository shows", () => {
  const files = [...yamlFiles("examples"), "bench/largest.yaml"];

  it("finds the examples", () => {
    expect(files.length).toBeGreaterThanOrEqual(2);
    expect(readmeConfigExamples().length).toBeGreaterThan(10);
  });

  it.each(files)("%s", (file) => {
    expect(jsonSchemaErrors(parseYaml(file))).toBe("");
  });

  it.each(readmeConfigExamples().map((example, index) => [index, example] as const))("README configuration example %i", (_, example) => {
    expect(jsonSchemaErrors(example)).toBe("");
  });

  it("and each default it gives is valid where it is given", () => {
    const invalid: string[] = [];
    const visit = (node: unknown, where: string): void => {
      if (node === null || typeof node !== "object") return;
      const schema = node as Record<string, unknown>;
      if ("default" in schema && !Array.isArray(node)) {
        const check = newAjv().compile({ ...schema, $schema: undefined });
        if (!check(schema.default)) invalid.push(`${where}: ${JSON.stringify(schema.default)}`);
      }
      for (const [key, child] of Object.entries(schema)) if (key !== "default") visit(child, `${where}/${key}`);
    };
    visit(committed, "#");
    expect(invalid).toEqual([]);
  });
});

describe("the examples of the reference (scripts/json-schema/examples.ts)", () => {
  const OIDC = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";

  it.each(Object.entries(EXAMPLES))("%s is accepted by the app where it stands, and by the JSON Schema", (key, value) => {
    // "gitpod.blockNewUsers" -> {gitpod: {blockNewUsers: value}}; a mode's example is its section.
    const keys = key.replace(/\[[^\]]+\]/g, "").split(".");
    const config: Record<string, unknown> = { domain: "gitpod.acme.dev", aws: { region: "eu-west-1", eksOidcProviderArn: OIDC } };
    const parent = keys.slice(0, -1).reduce((node, part) => (node[part] = {}) as Record<string, unknown>, config);
    parent[keys[keys.length - 1]] = value;
    expect(jsonSchemaErrors(config)).toBe("");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "json-schema-example-"));
    fs.writeFileSync(path.join(dir, "gitpod-cdktf.yaml"), JSON.stringify(config));
    fs.writeFileSync(path.join(dir, "corp-ca.pem"), PEM);
    expect(loadConfig({ env: {}, cwd: dir }).usedDefaults).toBe(false);
  });
});

describe("the JSON Schema and the app agree", () => {
  const domain = "gitpod.acme.dev";
  // What the AWS modes need, so that the app rejects the configs below for the key named only.
  const aws = {
    region: "eu-west-1",
    vpcId: "vpc-0123456789abcdef0",
    subnetIds: ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"],
    eksOidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE",
  };
  const rds = { type: "rds", allowedCidrBlocks: ["10.0.0.0/16"], allowInsecureTransport: true };
  const acme = { type: "acme-route53", email: "platform@acme.dev", hostedZoneId: "Z0123456789ABCDEFGHIJ" };

  /** [what, config, where the app reports it] */
  const rejected: [string, Record<string, unknown>, string][] = [
    ["an unknown top-level key", { domain, databse: { type: "in-cluster" } }, "databse"],
    ["an unknown key in a mode", { domain, aws, database: { ...rds, storage: 20 } }, "database.storage"],
    ["a key of another mode", { domain, storage: { type: "in-cluster", bucket: "gitpod" } }, "storage.bucket"],
    ["an unknown key in a nested object", { domain, gitpod: { proxy: { serviceAnotations: {} } } }, "gitpod.proxy.serviceAnotations"],
    ["a missing required key", {}, "domain"],
    ["a missing required key of a mode", { domain, tls: { type: "secret" } }, "tls.secretName"],
    ["a number for a string", { domain: 42 }, "domain"],
    ["a string for a boolean", { domain, aws: { region: "eu-west-1", offline: "yes" } }, "aws.offline"],
    ["a string for an integer", { domain, aws, registry: { type: "ecr", refreshIntervalHours: "4" } }, "registry.refreshIntervalHours"],
    ["a fraction for an integer", { domain, database: { type: "external", host: "db.acme.dev", username: "gitpod", port: 3306.5 } }, "database.port"],
    ["an integer out of range", { domain, aws, registry: { type: "ecr", refreshIntervalHours: 7 } }, "registry.refreshIntervalHours"],
    ["a list for a section", { domain, database: [{ type: "in-cluster" }] }, "database"],
    ["a string for a list", { domain, scm: { providers: "github" } }, "scm.providers"],
    ["an unknown mode", { domain, database: { type: "postgres" } }, "database.type"],
    ["a value outside an enum", { domain, gitpod: { proxy: { serviceType: "Ingress" } } }, "gitpod.proxy.serviceType"],
    ["a value outside an enum in a mode", { domain, aws, database: { ...rds, engineVersion: "8.1" } }, "database.engineVersion"],
    ["a value outside an enum in a list", { domain, scm: { providers: [{ id: "gh", type: "Gitea", clientId: "x" }] } }, "scm.providers.0.type"],
    ["a domain with a scheme", { domain: "https://gitpod.acme.dev" }, "domain"],
    ["a Kubernetes name with capitals", { domain, gitpod: { namespace: "Gitpod" } }, "gitpod.namespace"],
    ["an http URL where https is required", { domain, aws, tls: { ...acme, server: "http://acme.dev/directory" } }, "tls.server"],
    ["an http chart repository", { domain, tls: { type: "self-signed", certManager: { chartRepository: "http://charts.acme.dev/jetstack" } } }, "tls.certManager.chartRepository"],
    ["an e-mail without a domain", { domain, aws, tls: { ...acme, email: "platform@" } }, "tls.email"],
    ["a map of numbers", { domain, aws: { region: "eu-west-1", tags: { cost: 1 } } }, "aws.tags.cost"],
  ];

  it.each(rejected)("both reject %s", (_, config, where) => {
    expect(appProblems(config)).toContain(where);
    expect(jsonSchemaErrors(config)).not.toBe("");
  });

  const accepted: [string, Record<string, unknown>][] = [
    ["the smallest config", { domain }],
    ["a chart repository URL in capitals (the app's pattern ignores case)", { domain, tls: { type: "self-signed", certManager: { chartRepository: "HTTPS://Charts.Acme.dev/jetstack" } } }],
    ["an ACME directory URL", { domain, aws, tls: { ...acme, server: "https://acme.acme.dev/directory" } }],
    ["a mixed-case e-mail", { domain, aws, tls: { ...acme, email: "Platform.Team+gitpod@ACME.dev" } }],
    ["a duration", { domain, gitpod: { installTimeout: "90s" } }],
    ["a registry with a port and a path", { domain, registry: { type: "external", url: "registry.acme.dev:5000/gitpod/images", username: "robot" } }],
  ];

  it.each(accepted)("both accept %s", (_, config) => {
    expect(appProblems(config)).toEqual([]);
    expect(jsonSchemaErrors(config)).toBe("");
  });

  it("both take a CA bundle from a file next to the config, and reject the bundle given twice", () => {
    const database = { type: "external", host: "mysql.acme.dev", username: "gitpod" };
    const load = (config: Record<string, unknown>) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "json-schema-"));
      fs.writeFileSync(path.join(dir, "ca.pem"), PEM);
      fs.writeFileSync(path.join(dir, "gitpod-cdktf.yaml"), JSON.stringify(config));
      return () => loadConfig({ env: {}, cwd: dir });
    };
    const fromFile = { domain, database: { ...database, caCertificateFile: "ca.pem" } };
    expect(load(fromFile)).not.toThrow();
    expect(jsonSchemaErrors(fromFile)).toBe("");
    const twice = { domain, database: { ...database, caCertificateFile: "ca.pem", caCertificate: PEM } };
    expect(load(twice)).toThrow(/not both/);
    expect(jsonSchemaErrors(twice)).not.toBe("");
    // Only the modes with a caCertificate take the file.
    const inCluster = { domain, database: { type: "in-cluster", caCertificateFile: "ca.pem" } };
    expect(load(inCluster)).toThrow(/caCertificate/);
    expect(jsonSchemaErrors(inCluster)).not.toBe("");
  });

  it("leaves rules across keys to the app: it accepts what only they reject", () => {
    // RDS needs the aws section: the app says so, an editor cannot.
    const config = { domain, database: rds };
    expect(appProblems(config)).toEqual(["aws"]);
    expect(jsonSchemaErrors(config)).toBe("");
  });
});

describe("the conversion", () => {
  it("spells out case-insensitive patterns", () => {
    const source = jsonSchemaPattern(/^(http|https):\/\/[^\s/?#]+\/[a-f0-9-]+$/i);
    expect(source).toBe("^([hH][tT][tT][pP]|[hH][tT][tT][pP][sS]):\\/\\/[^\\s/?#]+\\/[a-fA-F0-9-]+$");
    const pattern = new RegExp(source, "u");
    for (const text of ["http://x/0", "HTTPS://x/AbC-09", "hTtP://x/f"]) expect(pattern.test(text)).toBe(true);
    for (const text of ["ftp://x/0", "https:///0", "https://x/g"]) expect(pattern.test(text)).toBe(false);
    expect(jsonSchemaPattern(/^[a-z]+$/u)).toBe("^[a-z]+$");
    expect(() => jsonSchemaPattern(/a/g)).toThrow(/flags "g"/);
  });

  it("fails on a key without a description and on a description of no key", () => {
    const { name: _name, ...withoutName } = DESCRIPTIONS;
    expect(() => configJsonSchema(withoutName)).toThrow(/^descriptions out of step[\s\S]*\bname: no description/);
    expect(() => configJsonSchema({ ...DESCRIPTIONS, "database[rds].storageSize": "x" })).toThrow(/database\[rds\]\.storageSize: described .* no such key/);
  });

  it("describes every key, and every mode of every section with a type", () => {
    const undescribed: string[] = [];
    const visit = (node: Record<string, unknown>, where: string): void => {
      for (const [key, child] of Object.entries((node.properties ?? {}) as Record<string, Record<string, unknown>>)) {
        if (typeof child.description !== "string" || child.description === "") undescribed.push(`${where}.${key}`);
        visit(child, `${where}.${key}`);
      }
      for (const option of (node.oneOf ?? []) as Record<string, unknown>[]) visit(option, `${where}[]`);
      if (typeof node.items === "object") visit(node.items as Record<string, unknown>, `${where}[]`);
    };
    visit(committed, "");
    expect(undescribed).toEqual([]);
    const reference = fs.readFileSync(path.join(ROOT, REFERENCE_FILE), "utf8");
    const headings = [...reference.matchAll(/^### (\w+)\.type: (\S+)$/gm)].map((match) => `${match[1]}.${match[2]}`);
    const modes = Object.entries(committed.properties as Record<string, Record<string, unknown>>).flatMap(([section, schema]) =>
      (modesOf(schema) ?? []).map((mode) => `${section}.${mode.name}`),
    );
    expect(modes.length).toBeGreaterThanOrEqual(15);
    expect(headings.sort()).toEqual(modes.sort());
  });
});
