/**
 * Every Helm chart the project generates (LocalChart, shipped as a TerraformAsset folder under
 * cdktf.out/stacks/<stack>/assets/...) passes REAL helm, for every configuration variant of
 * support/config-variants.ts:
 * - `helm lint --strict` with the values its helm_release passes, for the oldest and newest
 *   Kubernetes this project supports (lint's deprecation check is per version: an API deprecated or
 *   removed in that version fails under --strict);
 * - `helm template <release> <chart> --namespace <ns> --kube-version <v>` for both versions renders
 *   exactly the objects of the chart's templates (Helm changed nothing: same objects, field by field,
 *   once the release's values are put where the templates ask for them);
 * - every rendered object validates against its OpenAPI schema (kubernetes-models,
 *   @kubernetes-models/cert-manager) and uses an API that both Kubernetes versions serve.
 *
 * Kubernetes versions: 1.21 is the oldest Gitpod 2022.11.3 accepts (`installer validate cluster`
 * requires >= 1.21, docs/gitpod-installer.md, "Cluster"); 1.31 is the
 * newest this project tests against (kubectl 1.31 of the test tools).
 *
 * The values are the ones each helm_release passes (`values`, `set`, `set_sensitive`), read from
 * the synthesized cdk.tf.json, with placeholders for what Terraform knows only at apply (checksums
 * of secrets, role ARNs). A template that reads a value its release does not set fails here: Helm
 * would silently render an empty string (or the chart's values.yaml default, which never changes).
 */
import { execFile } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadAll } from "js-yaml";
import type { GitpodCdktfConfig } from "../config/schema";
import { CONFIG_VARIANTS, configModes, coveredModes, MODE_SECTIONS, variantConfig, type ConfigVariant } from "./support/config-variants";
import { parseYaml, readTree, resourcesOf, scratchDir, synthApp, type SynthesizedApp } from "./support/synth";
import { describeWithTools, helmTool, KUBE_TOOLS_BIN, kubeToolsEnv } from "./support/tools";

const ROOT = path.resolve(__dirname, "..");
/** Oldest (Gitpod's installer minimum) and newest (the test tools' kubectl) Kubernetes versions. */
const KUBE_VERSIONS = ["1.21.0", "1.31.0"] as const;
type KubeVersion = (typeof KUBE_VERSIONS)[number];
/** helm processes at a time: the CI machines have 2 cores. */
const POOL_SIZE = Math.max(2, Math.min(4, os.availableParallelism?.() ?? os.cpus().length));

/**
 * Where charts are made, and the charts each makes, by name without the installation's `<name>-`
 * prefix. Derived from the code: every file that constructs LocalChart, ChartRelease (which wraps
 * LocalChart) or PersistentServer (which wraps ChartRelease) is listed; a test below scans the
 * sources for those constructors, so a new chart-making call site fails until it is listed here and
 * a variant produces its chart.
 */
const CHART_PRODUCERS: Readonly<Record<string, readonly string[]>> = {
  // Wrappers: the charts they make are named by their callers below.
  "modules/helm-chart/chart-release.ts": [],
  "modules/persistent-server/persistent-server.ts": [],
  // GitpodInstallation: `<name>-installer`, always (release stack).
  "modules/gitpod/gitpod-installation.ts": ["installer"],
  // EcrCredentialRefresher: `<name>-ecr-token-refresher` (ecrTokenRefresherServiceAccount), registry.type ecr.
  "modules/ecr-credentials/ecr-credential-refresher.ts": ["ecr-token-refresher"],
  // PersistentServer named `<name>-mysql` by stacks/in-cluster-services-stack.ts, database.type in-cluster.
  "modules/in-cluster-mysql/in-cluster-mysql-database.ts": ["mysql"],
  // PersistentServer named `<name>-minio` by stacks/in-cluster-services-stack.ts, storage.type in-cluster.
  "modules/in-cluster-minio/in-cluster-minio-storage.ts": ["minio"],
  // MysqlUser: `<name>-mysql-user-setup` (mysqlUserSetupName), database.type rds (release stack).
  "modules/mysql-user/mysql-user.ts": ["mysql-user-setup"],
};
/** helm_release fields that pass values: the ones this test models, and the others (refused). */
const SUPPORTED_RELEASE_VALUE_FIELDS = ["values", "set", "set_sensitive"];
const OTHER_VALUE_FIELDS = ["set_list", "set_wo", "set_wo_revision"];
const CHART_CONSTRUCTORS = /\bnew\s+(LocalChart|ChartRelease|PersistentServer)\s*\(/;
const SOURCE_DIRS = ["main.ts", "bin", "config", "modules", "pipeline", "preflight", "scripts", "stacks"];

/**
 * Kinds rendered by some chart that neither kubernetes-models nor @kubernetes-models/cert-manager
 * has a model for, so they are not schema-validated. Empty today; a test checks every entry is
 * still rendered somewhere.
 */
const KINDS_WITHOUT_MODEL: readonly string[] = [];

/**
 * A Kubernetes minor version by which each built-in API is served (GA), so an object is accepted by
 * every Kubernetes from there to 1.31; removals are helm lint's deprecation check (per version).
 * "crd": a custom resource, served by the operator that owns it whatever the Kubernetes version
 * (cert-manager.io/v1: cert-manager >= 1.0, installed by the cluster-prerequisites stack).
 */
const SERVED_SINCE: Readonly<Record<string, number | "crd">> = {
  v1: 0,
  "apps/v1": 9,
  "batch/v1 Job": 9,
  "batch/v1 CronJob": 21,
  "policy/v1 PodDisruptionBudget": 21,
  "rbac.authorization.k8s.io/v1": 8,
  "networking.k8s.io/v1 NetworkPolicy": 7,
  "networking.k8s.io/v1 Ingress": 19,
  "cert-manager.io/v1": "crd",
};

type K8sObject = { apiVersion: string; kind: string; metadata?: { name?: string; namespace?: string; annotations?: Record<string, unknown> } } & Record<
  string,
  unknown
>;

interface HelmReleaseJson {
  name: string;
  chart: string;
  namespace?: string;
  values?: string[];
  set?: { name: string; value: string; type?: string }[];
  set_sensitive?: { name: string; value: string; type?: string }[];
  [key: string]: unknown;
}

/** One chart folder as helm receives it, with what its release passes (deduplicated across variants). */
interface ChartCase {
  readonly id: string;
  readonly chartName: string;
  /** Chart name without the installation's `<name>-` prefix. */
  readonly role: string;
  readonly dir: string;
  readonly files: Readonly<Record<string, string>>;
  readonly releaseName: string;
  readonly namespace: string;
  readonly values: Record<string, unknown>;
  readonly variants: string[];
}

interface SynthesizedVariant {
  readonly variant: ConfigVariant;
  readonly cfg: GitpodCdktfConfig;
  readonly app: SynthesizedApp;
}

describeWithTools("every generated Helm chart passes real helm", [helmTool()], () => {
  // Each variant is synthesized once, while the tests are collected (the charts name the tests).
  const scratch = scratchDir("charts-");
  const synthesized: SynthesizedVariant[] = CONFIG_VARIANTS.map((variant, index) => {
    const cfg = variantConfig(variant);
    return { variant, cfg, app: synthApp(cfg, path.join(scratch, `variant-${index}`, "cdktf.out")) };
  });
  const { cases, problems } = collectCharts(synthesized);
  const results = new Map<string, HelmRuns>();

  beforeAll(async () => {
    const helm = path.join(KUBE_TOOLS_BIN, "helm");
    const env = kubeToolsEnv(scratchDir("helm-home-"));
    const tasks: (() => Promise<void>)[] = [];
    for (const chart of cases) {
      const valuesFile = path.join(scratch, `values-${chart.id}.yaml`);
      fs.writeFileSync(valuesFile, JSON.stringify(chart.values)); // JSON is YAML; strings stay strings
      const runs: HelmRuns = { lint: {}, template: {} };
      results.set(chart.id, runs);
      for (const version of KUBE_VERSIONS) {
        tasks.push(async () => {
          runs.lint[version] = await run(helm, ["lint", "--strict", chart.dir, "--values", valuesFile, "--namespace", chart.namespace, "--kube-version", version], env);
        });
        tasks.push(async () => {
          runs.template[version] = await run(
            helm,
            ["template", chart.releaseName, chart.dir, "--namespace", chart.namespace, "--kube-version", version, "--values", valuesFile],
            env,
          );
        });
      }
    }
    await runPool(tasks, POOL_SIZE);
  }, 180_000);

  describe("the configuration variants", () => {
    it("cover every mode of database, storage, registry and tls the config schema accepts", () => {
      const covered = coveredModes(synthesized.map((s) => s.cfg));
      for (const section of MODE_SECTIONS) expect({ section, modes: covered[section] }).toEqual({ section, modes: configModes(section) });
    });

    it("produce every chart the code can produce (CHART_PRODUCERS), and the producers list every call site", () => {
      expect(chartConstructingFiles()).toEqual(Object.keys(CHART_PRODUCERS).sort());
      const expected = [...new Set(Object.values(CHART_PRODUCERS).flat())].sort();
      expect([...new Set(cases.map((c) => c.role))].sort()).toEqual(expected);
    });

    it("ship each chart folder for a helm_release that installs it, named after the installation", () => {
      expect(problems).toEqual([]);
      expect(cases.length).toBeGreaterThan(0);
    });
  });

  it("KINDS_WITHOUT_MODEL lists only kinds some chart renders", () => {
    const kinds = new Set(cases.flatMap((chart) => Object.values(results.get(chart.id)!.template).flatMap((run) => yamlDocuments(run!.stdout).map((object) => object.kind))));
    expect(KINDS_WITHOUT_MODEL.filter((kind) => !kinds.has(kind))).toEqual([]);
  });

  const table = cases.map((chart) => [`${chart.chartName} (release ${chart.releaseName}, ${describeVariants(chart.variants)})`, chart] as const);
  if (table.length === 0) return;

  describe.each(table)("%s", (_, chart) => {
    const runsOf = () => results.get(chart.id)!;

    it.each(KUBE_VERSIONS)("helm lint --strict passes for Kubernetes %s", (version) => {
      const lint = runsOf().lint[version]!;
      expect({ exitCode: lint.code, output: lint.code === 0 ? "" : lint.stdout + lint.stderr }).toEqual({ exitCode: 0, output: "" });
      expect(lint.stdout).not.toMatch(/\[(WARNING|ERROR)\]/);
    });

    it.each(KUBE_VERSIONS)("helm template for Kubernetes %s renders exactly the chart's objects", (version) => {
      const template = runsOf().template[version]!;
      expect({ exitCode: template.code, stderr: template.stderr }).toEqual({ exitCode: 0, stderr: "" });
      const expected = expectedObjects(chart);
      const rendered = sortObjects(yamlDocuments(template.stdout));
      // Same count, kinds and names first (a readable failure), then field by field.
      expect(rendered.map(objectKey)).toEqual(expected.map(objectKey));
      expect(rendered).toEqual(expected);
    });

    it("renders only objects that validate against their schema and that Kubernetes 1.21 to 1.31 all serve", () => {
      const rendered = yamlDocuments(runsOf().template[KUBE_VERSIONS[0]]!.stdout);
      expect(rendered.length).toBeGreaterThan(0);
      const problems: string[] = [];
      for (const object of rendered) {
        const Model = modelFor(object.apiVersion, object.kind);
        if (Model === undefined) {
          if (!KINDS_WITHOUT_MODEL.includes(object.kind)) problems.push(`${objectKey(object)}: no model in kubernetes-models or @kubernetes-models/cert-manager; list the kind in KINDS_WITHOUT_MODEL`);
        } else {
          try {
            new Model(object as never).validate();
          } catch (error) {
            problems.push(`${objectKey(object)}: ${(error as Error).message}`);
          }
        }
        const since = servedSince(object);
        if (since === undefined) problems.push(`${objectKey(object)}: API not in SERVED_SINCE; add the Kubernetes version that made it GA`);
        for (const version of KUBE_VERSIONS) {
          if (typeof since === "number" && minor(version) < since) problems.push(`${objectKey(object)}: not served by Kubernetes ${version} (GA in 1.${since})`);
        }
      }
      expect(problems).toEqual([]);
    });
  });
});

// ---- Finding the charts ----------------------------------------------------------------------

function collectCharts(synthesized: readonly SynthesizedVariant[]): { cases: ChartCase[]; problems: string[] } {
  const byId = new Map<string, ChartCase>();
  const problems: string[] = [];
  for (const { variant, cfg, app } of synthesized) {
    const chartDirs = findChartDirs(app.outdir);
    const installed = new Set<string>();
    for (const stackId of app.stackIds) {
      for (const release of Object.values(resourcesOf(app.stack(stackId), "helm_release")) as unknown as HelmReleaseJson[]) {
        if (!release.chart.startsWith("./")) continue; // a chart from a repository (cert-manager)
        const dir = path.join(app.outdir, "stacks", stackId, release.chart);
        if (!chartDirs.includes(dir)) {
          problems.push(`${variant.name}: helm_release ${release.name} in ${stackId} installs ${release.chart}, which holds no Chart.yaml`);
          continue;
        }
        installed.add(dir);
        const files = readTree(dir);
        const chartName = String((parseYaml(files["Chart.yaml"]) as { name?: unknown }).name);
        const prefix = `${cfg.name}-`;
        if (!chartName.startsWith(prefix)) problems.push(`${variant.name}: chart ${chartName} is not prefixed with the installation's name (${prefix})`);
        // A release's namespace is a reference to the prerequisites stack's namespace: Gitpod's.
        const namespace = release.namespace !== undefined && !hasInterpolation(release.namespace) ? release.namespace : cfg.gitpod.namespace;
        const values = releaseValues(release);
        const id = sha256(JSON.stringify([Object.entries(files).sort(), release.name, namespace, values])).slice(0, 16);
        const existing = byId.get(id);
        if (existing) existing.variants.push(variant.name);
        else byId.set(id, { id, chartName, role: chartName.slice(prefix.length), dir, files, releaseName: release.name, namespace, values, variants: [variant.name] });
      }
    }
    for (const dir of chartDirs) {
      if (!installed.has(dir)) problems.push(`${variant.name}: ${path.relative(app.outdir, dir)} is shipped but no helm_release installs it`);
    }
  }
  return { cases: [...byId.values()], problems };
}

/** Every folder holding a Chart.yaml under the synthesized output. */
function findChartDirs(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    const entries = fs.readdirSync(dir, { withFileTypes: true });
    if (entries.some((entry) => entry.isFile() && entry.name === "Chart.yaml")) found.push(dir);
    for (const entry of entries) if (entry.isDirectory()) walk(path.join(dir, entry.name));
  };
  walk(root);
  return found.sort();
}

/** Project source files (not tests) that construct a chart-making class. */
function chartConstructingFiles(): string[] {
  const files: string[] = [];
  const walk = (entry: string) => {
    const full = path.join(ROOT, entry);
    if (!fs.existsSync(full)) return;
    if (fs.statSync(full).isDirectory()) {
      for (const child of fs.readdirSync(full)) walk(path.join(entry, child));
    } else if (entry.endsWith(".ts") && !entry.endsWith(".d.ts") && CHART_CONSTRUCTORS.test(fs.readFileSync(full, "utf8"))) {
      files.push(entry.split(path.sep).join("/"));
    }
  };
  SOURCE_DIRS.forEach(walk);
  return files.sort();
}

function describeVariants(variants: readonly string[]): string {
  return variants.length === 1 ? `variant "${variants[0]}"` : `${variants.length} variants, first "${variants[0]}"`;
}

// ---- The values a release passes ------------------------------------------------------------

/**
 * The values helm receives from a helm_release (`values` documents, then `set` and
 * `set_sensitive`), with a placeholder for each value Terraform knows only at apply.
 */
function releaseValues(release: HelmReleaseJson): Record<string, unknown> {
  for (const field of OTHER_VALUE_FIELDS) {
    if (release[field] !== undefined) throw new Error(`helm_release ${release.name}: ${field} is not modelled by this test (supported: ${SUPPORTED_RELEASE_VALUE_FIELDS.join(", ")})`);
  }
  const values: Record<string, unknown> = {};
  for (const document of release.values ?? []) deepMerge(values, valuesDocument(document, release.name));
  for (const item of [...(release.set ?? []), ...(release.set_sensitive ?? [])]) {
    const keys = item.name.split(/(?<!\\)\./).map((key) => key.replace(/\\\./g, "."));
    setPath(values, keys, hasInterpolation(item.value) ? placeholder(keys) : setValue(item.value, item.type));
  }
  return values;
}

function valuesDocument(document: string, releaseName: string): Record<string, unknown> {
  const yamlencode = /^\$\{yamlencode\(([\s\S]*)\)\}$/.exec(document.trim());
  if (yamlencode) {
    const parsed = parseHcl(yamlencode[1]);
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error(`helm_release ${releaseName}: values ${document} is not an object`);
    return parsed as Record<string, unknown>;
  }
  if (!hasInterpolation(document)) return (parseYaml(document.replace(/\$\$\{/g, "${").replace(/%%\{/g, "%{")) ?? {}) as Record<string, unknown>;
  throw new Error(`helm_release ${releaseName}: values ${document} is neither plain YAML nor \${yamlencode({...})}; extend valuesDocument`);
}

/** helm's --set parsing of a literal (type "string" keeps it a string). */
function setValue(value: string, type: string | undefined): unknown {
  if (type === "string") return value;
  if (value === "true" || value === "false") return value === "true";
  if (/^-?[0-9]+$/.test(value)) return Number(value);
  return value;
}

/** A stand-in for an apply-time value: a hex digest, like the checksums releases carry. */
function placeholder(keys: readonly string[]): string {
  return sha256(`placeholder:${keys.join(".")}`);
}

function hasInterpolation(text: string): boolean {
  return /(^|[^$])\$\{|(^|[^%])%\{/.test(text);
}

/**
 * Parses the HCL object literal cdktf writes for `Fn.yamlencode({...})`: nested objects keep their
 * keys, literals their value, and any other expression becomes a placeholder.
 */
function parseHcl(text: string): unknown {
  const state = { text, i: 0 };
  const value = hclValue(state, []);
  skipSpace(state);
  if (state.i !== text.length) throw new Error(`unparsed HCL after ${state.i}: ${text.slice(state.i)}`);
  return value;
}

type HclState = { text: string; i: number };

function skipSpace(s: HclState): void {
  while (s.i < s.text.length && /\s/.test(s.text[s.i])) s.i++;
}

function hclValue(s: HclState, keys: string[]): unknown {
  skipSpace(s);
  if (s.text[s.i] === "{") return hclObject(s, keys);
  const start = s.i;
  let depth = 0;
  while (s.i < s.text.length) {
    const c = s.text[s.i];
    if (c === '"') {
      skipHclString(s);
      continue;
    }
    if ("([{".includes(c)) depth++;
    else if (")]}".includes(c)) {
      if (depth === 0) break;
      depth--;
    } else if ((c === "," || c === "\n") && depth === 0) break;
    s.i++;
  }
  const expression = s.text.slice(start, s.i).trim();
  if (/^"(?:[^"\\$%]|\\.)*"$/.test(expression)) return JSON.parse(expression);
  if (/^-?[0-9]+(\.[0-9]+)?$/.test(expression)) return Number(expression);
  if (expression === "true" || expression === "false") return expression === "true";
  if (expression === "null") return null;
  return placeholder(keys);
}

function hclObject(s: HclState, keys: string[]): Record<string, unknown> {
  s.i++; // {
  const object: Record<string, unknown> = {};
  for (;;) {
    while (s.i < s.text.length && /[\s,]/.test(s.text[s.i])) s.i++;
    if (s.i >= s.text.length) throw new Error("unterminated HCL object");
    if (s.text[s.i] === "}") {
      s.i++;
      return object;
    }
    let key: string;
    if (s.text[s.i] === '"') {
      const start = s.i;
      skipHclString(s);
      key = JSON.parse(s.text.slice(start, s.i));
    } else {
      const match = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(s.text.slice(s.i));
      if (!match) throw new Error(`HCL object key expected at ${s.text.slice(s.i, s.i + 40)}`);
      key = match[0];
      s.i += key.length;
    }
    skipSpace(s);
    if (s.text[s.i] !== "=" && s.text[s.i] !== ":") throw new Error(`"=" expected after HCL key ${key}`);
    s.i++;
    object[key] = hclValue(s, [...keys, key]);
  }
}

/** Skips a quoted HCL string, including `${...}` interpolations that hold strings of their own. */
function skipHclString(s: HclState): void {
  s.i++; // opening quote
  while (s.i < s.text.length) {
    const c = s.text[s.i];
    if (c === "\\") s.i += 2;
    else if (c === '"') {
      s.i++;
      return;
    } else if ((c === "$" || c === "%") && s.text[s.i + 1] === "{" && s.text[s.i - 1] !== c) {
      s.i += 2;
      let depth = 1;
      while (s.i < s.text.length && depth > 0) {
        if (s.text[s.i] === '"') skipHclString(s);
        else {
          if (s.text[s.i] === "{") depth++;
          else if (s.text[s.i] === "}") depth--;
          s.i++;
        }
      }
    } else s.i++;
  }
  throw new Error("unterminated HCL string");
}

function deepMerge(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(source)) {
    const current = target[key];
    if (isPlainObject(current) && isPlainObject(value)) deepMerge(current, value);
    else target[key] = value;
  }
}

function setPath(target: Record<string, unknown>, keys: readonly string[], value: unknown): void {
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (!isPlainObject(node[key])) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]] = value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

// ---- What helm must render ------------------------------------------------------------------

/**
 * The chart's objects as Helm must render them: each template with the release's values (and
 * .Release/.Chart fields) put where it asks for them. Only the template actions the project uses
 * are modelled; any other action fails here, to be modelled explicitly.
 */
function expectedObjects(chart: ChartCase): K8sObject[] {
  const chartMeta = parseYaml(chart.files["Chart.yaml"]) as Record<string, unknown>;
  const defaults = chart.files["values.yaml"] === undefined ? {} : ((parseYaml(chart.files["values.yaml"]) ?? {}) as Record<string, unknown>);
  const values: Record<string, unknown> = {};
  deepMerge(values, structuredClone(defaults));
  deepMerge(values, structuredClone(chart.values));
  const scope: Record<string, unknown> = {
    Values: values,
    Release: { Name: chart.releaseName, Namespace: chart.namespace },
    Chart: { Name: chartMeta.name, Version: chartMeta.version, AppVersion: chartMeta.appVersion },
  };
  const objects: K8sObject[] = [];
  for (const [name, text] of Object.entries(chart.files)) {
    if (!name.startsWith("templates/")) continue;
    const base = path.posix.basename(name);
    if (base.startsWith("_")) continue; // partials render nothing
    if (!/\.(ya?ml|json)$/.test(base)) throw new Error(`${chart.chartName}: unexpected template ${name}`);
    objects.push(...yamlDocuments(renderTemplate(text, scope, chart.values, `${chart.chartName}/${name}`)));
  }
  return sortObjects(objects);
}

/** `releaseSet`: the values the release itself passes (scope.Values adds the chart's defaults). */
function renderTemplate(text: string, scope: Record<string, unknown>, releaseSet: Record<string, unknown>, where: string): string {
  return text.replace(/\{\{(-?)(.*?)(-?)\}\}/gs, (action, trimLeft: string, body: string, trimRight: string) => {
    if (trimLeft || trimRight) throw new Error(`${where}: whitespace-trimming action ${action} is not modelled by this test`);
    const match = /^\s*(?:(quote)\s+(\.[A-Za-z0-9_.]+)|(\.[A-Za-z0-9_.]+)(?:\s*\|\s*(quote))?)\s*$/.exec(body);
    if (!match) throw new Error(`${where}: template action ${action} is not modelled by this test (only {{ .Path }} and quote)`);
    const reference = match[2] ?? match[3];
    const quoted = match[1] !== undefined || match[4] !== undefined;
    const keys = reference.slice(1).split(".");
    const lookup = (root: unknown, path: readonly string[]) => path.reduce<unknown>((node, key) => (isPlainObject(node) ? node[key] : undefined), root);
    const value = lookup(scope, keys);
    const isScalar = (v: unknown) => v !== undefined && v !== null && !isPlainObject(v) && !Array.isArray(v);
    // A value only the chart's values.yaml sets would render its default, which never changes.
    if (keys[0] === "Values" && !isScalar(lookup(releaseSet, keys.slice(1)))) {
      throw new Error(`${where}: ${action} reads ${reference}, which the release does not set (Helm would render ${isScalar(value) ? `the chart's default ${JSON.stringify(value)}` : "an empty string"}); the release sets: ${JSON.stringify(releaseSet)}`);
    }
    if (!isScalar(value)) throw new Error(`${where}: ${action} reads ${reference}, which is not set (Helm would render it empty)`);
    return quoted ? JSON.stringify(String(value)) : String(value);
  });
}

function yamlDocuments(text: string): K8sObject[] {
  return loadAll(text).filter((document): document is K8sObject => document !== null && document !== undefined);
}

function objectKey(object: K8sObject): string {
  return `${object.apiVersion} ${object.kind} ${object.metadata?.name ?? "<unnamed>"}`;
}

function sortObjects(objects: K8sObject[]): K8sObject[] {
  return [...objects].sort((a, b) => objectKey(a).localeCompare(objectKey(b)) || JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

// ---- Schemas and API versions ----------------------------------------------------------------

type Model = new (data: never) => { validate(): void };

/** The kubernetes-models (or cert-manager models) class for a kind, if either package has one. */
function modelFor(apiVersion: string, kind: string): Model | undefined {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : [undefined, apiVersion];
  const modules =
    group === undefined
      ? [`kubernetes-models/${version}/${kind}`]
      : [`kubernetes-models/${group}/${version}/${kind}`, `@kubernetes-models/cert-manager/${group}/${version}/${kind}`];
  for (const id of modules) {
    let loaded: Record<string, unknown>;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      loaded = require(id);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "MODULE_NOT_FOUND" && String((error as Error).message).includes(id)) continue;
      throw error;
    }
    if (typeof loaded[kind] === "function") return loaded[kind] as Model;
  }
  return undefined;
}

function servedSince(object: K8sObject): number | "crd" | undefined {
  return SERVED_SINCE[`${object.apiVersion} ${object.kind}`] ?? SERVED_SINCE[object.apiVersion];
}

function minor(version: KubeVersion): number {
  return Number(version.split(".")[1]);
}

// ---- Running helm ---------------------------------------------------------------------------

interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

interface HelmRuns {
  lint: Partial<Record<KubeVersion, RunResult>>;
  template: Partial<Record<KubeVersion, RunResult>>;
}

function run(file: string, args: string[], env: Record<string, string>): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(file, args, { env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
      resolve({ code, stdout, stderr: error && code === -1 ? `${stderr}${error.message}` : stderr });
    });
  });
}

async function runPool(tasks: readonly (() => Promise<void>)[], size: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) await tasks[next++]();
  };
  await Promise.all(Array.from({ length: Math.min(size, tasks.length) }, worker));
}

function sha256(text: string): string {
  return crypto.createHash("sha256").update(text).digest("hex");
}
