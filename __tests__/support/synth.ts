import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Testing, TerraformStack } from "cdktf";
import { load, loadAll } from "js-yaml";
import { validateConfig } from "../../config/load";
import type { GitpodCdktfConfig } from "../../config/schema";
import { synthesize } from "../../stacks/gitpod-app";

export type TerraformJson = {
  terraform: { backend?: Record<string, Record<string, unknown>>; required_providers: Record<string, unknown> };
  provider?: Record<string, unknown[]>;
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  output?: Record<string, { value: unknown; sensitive?: boolean; description?: string }>;
  variable?: Record<string, { sensitive?: boolean; type?: string; description?: string }>;
  locals?: Record<string, unknown>;
};

/** A config as a user would write it, validated the same way. */
export function config(overrides: Record<string, unknown> = {}): GitpodCdktfConfig {
  return validateConfig({ domain: "gitpod.acme.dev", ...overrides }, "test config");
}

export function scratchDir(prefix = "synth-"): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface SynthesizedApp {
  readonly outdir: string;
  readonly manifest: { stacks: Record<string, { dependencies: string[]; workingDirectory: string }> };
  readonly stackIds: string[];
  stack(id: string): TerraformJson;
  /** Every file under the output folder: relative path -> content. */
  files(): Record<string, string>;
}

/** Synthesizes the whole app (cross-stack wiring happens only then) into a fresh folder. */
export function synthApp(cfg: GitpodCdktfConfig, outdir = path.join(scratchDir(), "cdktf.out")): SynthesizedApp {
  fs.mkdirSync(path.dirname(outdir), { recursive: true });
  const { stackIds } = synthesize(cfg, { outdir });
  const read = (file: string) => fs.readFileSync(path.join(outdir, file), "utf8");
  return {
    outdir,
    stackIds,
    manifest: JSON.parse(read("manifest.json")),
    stack: (id) => JSON.parse(read(`stacks/${id}/cdk.tf.json`)),
    files: () => readTree(outdir),
  };
}

export function readTree(root: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else files[path.relative(root, full)] = fs.readFileSync(full, "utf8");
    }
  };
  walk(root);
  return files;
}

/** Synthesizes one stack on its own (no cross-stack wiring) and parses it. */
export function synthStack(stack: TerraformStack): TerraformJson {
  return JSON.parse(Testing.synth(stack));
}

/** A stack in a throwaway app, for testing one module. */
export function moduleStack(): TerraformStack {
  return new TerraformStack(Testing.app(), "test");
}

/**
 * The data a kubernetes_secret_v1 writes to the cluster: its `data_wo` (the secrets this project
 * writes keep their data in a local value and write it write-only), or its `data`.
 */
export function secretData(json: TerraformJson, secret: Record<string, unknown>): Record<string, string> {
  const written = secret.data_wo ?? secret.data;
  if (typeof written !== "string") return written as Record<string, string>;
  const local = /^\$\{local\.([\w-]+)\}$/.exec(written);
  if (local === null || json.locals?.[local[1]] === undefined) throw new Error(`cannot resolve the secret data ${written}`);
  return json.locals[local[1]] as Record<string, string>;
}

/** All resources of one type, by Terraform name. */
export function resourcesOf(json: TerraformJson, type: string): Record<string, Record<string, unknown>> {
  return json.resource?.[type] ?? {};
}

export function onlyResource(json: TerraformJson, type: string): Record<string, unknown> {
  const all = Object.values(resourcesOf(json, type));
  if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
  return all[0];
}

/** The files of a chart that a stack ships as an asset, for its helm_release named `releaseName` (default: its only one). */
export function releaseChartFiles(app: SynthesizedApp, stackId: string, releaseName?: string): Record<string, string> {
  const releases = Object.values(resourcesOf(app.stack(stackId), "helm_release")) as { name: string; chart: string }[];
  const matching = releaseName === undefined ? releases : releases.filter((r) => r.name === releaseName);
  if (matching.length !== 1) throw new Error(`expected one helm_release ${releaseName ?? ""} in ${stackId}, found ${matching.length}`);
  return readTree(path.join(app.outdir, "stacks", stackId, matching[0].chart));
}

/** The objects each generated chart of a stack installs, by release name. */
export function chartObjectsByRelease(app: SynthesizedApp, stackId: string): Record<string, Record<string, unknown>[]> {
  const byRelease: Record<string, Record<string, unknown>[]> = {};
  for (const release of Object.values(resourcesOf(app.stack(stackId), "helm_release")) as { name: string; chart: string }[]) {
    if (!release.chart.startsWith("./")) continue; // a chart from a repository
    const files = releaseChartFiles(app, stackId, release.name);
    byRelease[release.name] = Object.entries(files)
      .filter(([name]) => name.startsWith("templates/"))
      .flatMap(([, text]) => yamlObjects(text));
  }
  return byRelease;
}

/** Objects of a YAML stream (chart templates). */
export function yamlObjects(text: string): Record<string, unknown>[] {
  return loadAll(text).filter((obj): obj is Record<string, unknown> => obj !== null && obj !== undefined);
}

export function parseYaml(text: string): unknown {
  return load(text);
}

/** Terraform JSON strings escape a literal "${" as "$${" (and "%{" as "%%{"). */
export function unescapeTerraformTemplate(text: string): string {
  return text.replace(/\$\$\{/g, "${").replace(/%%\{/g, "%{");
}
