/**
 * What a synthesized app pulls from the internet when it is applied, read from the output folder
 * alone (`manifest.json`, each stack's `cdk.tf.json` and the chart files it carries), so it knows
 * nothing of how the stacks are built and picks up any new image, chart or provider by itself:
 *
 * - **images**: the `image` of every container (containers, initContainers, ephemeralContainers)
 *   of every pod spec in the stacks' `kubernetes_*` resources and in the manifests of the local
 *   charts their `helm_release`s install, and the image values of every `helm_release` (`values`
 *   and `set`: an `image`/`*Image` key holding a reference, or `repository` with `registry`,
 *   `tag` or `digest`, as charts consume them);
 * - **charts**: every `helm_release` whose chart comes from a repository (https or oci://);
 * - **providers**: each stack's `terraform.required_providers`, for `terraform providers mirror`;
 * - **gitpod**: the installer config (the `gitpod.config.yaml` key of a ConfigMap) and the image of
 *   the pods that mount it: Gitpod's own images are known only to its installer
 *   (`installer mirror list`), not to this output.
 *
 * `gitpod-cdktf images` (bin/images-command.ts) prints it. Everything is sorted, so the same output
 * gives the same inventory.
 */
import * as fs from "fs";
import * as path from "path";
import { load, loadAll } from "js-yaml";
import { PipelineInputError, quote } from "./errors";
import { readManifest } from "./manifest";
import { readTextFile } from "../util/input-file";

/** cdktf writes at most a few MiB per stack for this app. */
const STACK_FILE_MAX_BYTES = 64 * 1024 * 1024;
/** A generated chart's file holds one object; far below this. */
const CHART_FILE_MAX_BYTES = 4 * 1024 * 1024;
/** Files looked at per local chart, and folder depth: a chart this project writes has a handful. */
const CHART_MAX_FILES = 2000;
const CHART_MAX_DEPTH = 8;
/** Nesting followed in a resource or object: Kubernetes objects are far shallower. */
const MAX_DEPTH = 64;

/** The key of the installer ConfigMap that holds Gitpod's installer config. */
export const INSTALLER_CONFIG_KEY = "gitpod.config.yaml";

export interface ImageLocation {
  readonly stack: string;
  /** Terraform address of the resource, e.g. `helm_release.cert-manager_release_27534094`. */
  readonly resource: string;
  /** For a chart the stack carries: the file in the chart, e.g. `templates/00-deployment-gitpod-mysql.yaml`. */
  readonly file?: string;
  /** Where in the resource or file, e.g. `spec.template.spec.containers[0].image`, `values[0].webhook.image`. */
  readonly field: string;
}

export interface InventoryImage {
  /** As the cluster pulls it: `repository[:tag][@digest]`. */
  readonly reference: string;
  /**
   * The public image this is the mirror's copy of (what the same place pulls without the `mirror`
   * section): only when they differ. Set by `withPublicOrigins`.
   */
  readonly copyOf?: string;
  readonly locations: readonly ImageLocation[];
}

export interface ChartLocation {
  readonly stack: string;
  readonly resource: string;
}

export interface ChartOrigin {
  readonly repository: string;
  readonly chart: string;
  readonly version?: string;
}

export interface InventoryChart extends ChartOrigin {
  /** The chart as it is without the mirror (its public repository), only when different. */
  readonly copyOf?: ChartOrigin;
  /** The images its values name (also in `images`); empty when it runs only its own defaults. */
  readonly images: readonly string[];
  readonly locations: readonly ChartLocation[];
}

export interface InventoryProvider {
  /** Fully qualified, as Terraform writes it: `registry.terraform.io/hashicorp/helm`. */
  readonly source: string;
  /** As required (this project pins exact versions). */
  readonly version: string;
  readonly stacks: readonly string[];
}

export interface GitpodInstallerConfig {
  readonly stack: string;
  /** The stack's folder relative to the output folder, e.g. `stacks/gitpod-release`. */
  readonly workingDirectory: string;
  /** The ConfigMap resource (`kubernetes_config_map_v1.<name>`), its object name, and the key. */
  readonly configMap: { readonly resource: string; readonly type: string; readonly resourceName: string; readonly name: string; readonly key: string };
  /** `repository` of the installer config: where Gitpod's images are pulled from. */
  readonly repository?: string;
  /** That repository without the mirror, only when different (`withPublicOrigins`). */
  readonly repositoryCopyOf?: string;
  /** The images of the pods that mount the ConfigMap: Gitpod's installer. */
  readonly installerImages: readonly string[];
}

export interface ImageInventory {
  readonly stacks: readonly string[];
  readonly images: readonly InventoryImage[];
  readonly charts: readonly InventoryChart[];
  readonly providers: readonly InventoryProvider[];
  readonly gitpod: readonly GitpodInstallerConfig[];
  /** What could not be read, or may be missing from the lists (one line each). */
  readonly warnings: readonly string[];
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);

/** Terraform JSON strings write a literal "${" as "$${" (and "%{" as "%%{"). */
const unescapeTemplate = (text: string) => text.replace(/\$\$\{/g, "${").replace(/%%\{/g, "%{");

/** A block of the kubernetes provider is an object or a list of them. */
const blocks = (value: unknown): Json[] => (Array.isArray(value) ? value.filter(isObject) : isObject(value) ? [value] : []);

const join = (at: string, key: string | number) => (typeof key === "number" ? `${at}[${key}]` : at === "" ? key : `${at}.${key}`);

// ---- Containers of pod specs ----------------------------------------------------------------

/** Keys of container lists: Kubernetes' own (manifests) and the kubernetes provider's (resources). */
const CONTAINER_KEYS = new Set([
  "containers",
  "initContainers",
  "ephemeralContainers",
  "container",
  "init_container",
  "ephemeral_container",
]);

export interface PodSpecFound {
  /** Where the pod spec is, e.g. `spec.jobTemplate.spec.template.spec`. */
  readonly field: string;
  readonly spec: Json;
  readonly containers: readonly { readonly field: string; readonly image: unknown }[];
}

/**
 * Every pod spec (an object holding a container list) in a Kubernetes object or a kubernetes_*
 * resource, with its containers' images, in document order.
 */
export function findPodSpecs(node: unknown, at = ""): PodSpecFound[] {
  const found: PodSpecFound[] = [];
  const visit = (value: unknown, where: string, depth: number) => {
    if (depth > MAX_DEPTH) return;
    if (Array.isArray(value)) {
      value.forEach((child, index) => visit(child, join(where, index), depth + 1));
      return;
    }
    if (!isObject(value)) return;
    const lists = Object.keys(value).filter((key) => CONTAINER_KEYS.has(key));
    if (lists.length > 0) {
      const containers = lists.flatMap((key) => {
        const list = value[key];
        const items = Array.isArray(list) ? list : [list];
        return items.flatMap((container, index) =>
          isObject(container) ? [{ field: join(Array.isArray(list) ? join(join(where, key), index) : join(where, key), "image"), image: container.image }] : [],
        );
      });
      found.push({ field: where, spec: value, containers });
    }
    for (const [key, child] of Object.entries(value)) {
      if (key === "//" || CONTAINER_KEYS.has(key)) continue;
      visit(child, join(where, key), depth + 1);
    }
  };
  visit(node, at, 0);
  return found;
}

/** The ConfigMaps a pod spec mounts (volumes, projected volumes), by name. */
function mountedConfigMaps(spec: Json): Set<string> {
  const names = new Set<string>();
  const visit = (value: unknown, depth: number) => {
    if (depth > MAX_DEPTH) return;
    if (Array.isArray(value)) return value.forEach((child) => visit(child, depth + 1));
    if (!isObject(value)) return;
    for (const [key, child] of Object.entries(value)) {
      if (key === "configMap" || key === "config_map") {
        for (const block of blocks(child)) if (typeof block.name === "string") names.add(block.name);
      } else visit(child, depth + 1);
    }
  };
  for (const key of ["volumes", "volume"]) visit(spec[key], 0);
  return names;
}

// ---- Image values of Helm charts --------------------------------------------------------------

/** A key whose value is an image: `image`, `initImage`, `sidecarImage`... (not `imagePullPolicy`). */
const IMAGE_KEY = /(^i|I)mage$/;

const scalar = (value: unknown): string | undefined =>
  typeof value === "string" && value !== "" ? value : typeof value === "number" ? String(value) : undefined;

/**
 * The reference a chart builds from `{registry, repository, tag, digest}`: `repository@digest`
 * when there is a digest (the charts ignore the tag then), else `repository:tag`; without either,
 * the chart's own default tag is used and the reference has none.
 */
export function chartImageReference(image: Json): string | undefined {
  const repository = scalar(image.repository);
  if (repository === undefined) return undefined;
  const registry = scalar(image.registry);
  const name = registry === undefined ? repository : `${registry.replace(/\/+$/, "")}/${repository}`;
  const digest = scalar(image.digest);
  if (digest !== undefined) return `${name}@${digest}`;
  const tag = scalar(image.tag);
  return tag === undefined ? name : `${name}:${tag}`;
}

/** The images of Helm values: `image: <reference>` or `image: {repository, ...}`, at any depth. */
export function findValueImages(values: unknown, at = ""): { field: string; reference: string }[] {
  const found: { field: string; reference: string }[] = [];
  const visit = (value: unknown, where: string, depth: number) => {
    if (depth > MAX_DEPTH) return;
    if (Array.isArray(value)) return value.forEach((child, index) => visit(child, join(where, index), depth + 1));
    if (!isObject(value)) return;
    for (const [key, child] of Object.entries(value)) {
      const field = join(where, key);
      if (IMAGE_KEY.test(key)) {
        const reference = typeof child === "string" ? scalar(child) : isObject(child) ? chartImageReference(child) : undefined;
        if (reference !== undefined) {
          found.push({ field, reference });
          continue;
        }
      }
      visit(child, field, depth + 1);
    }
  };
  visit(values, at, 0);
  return found;
}

/** `set` entries (`{name: "image.tag", value}`) as the nested values they stand for. */
function valuesOfSet(entries: readonly Json[]): Json {
  const root: Json = {};
  for (const entry of entries) {
    if (typeof entry.name !== "string") continue;
    // Helm's --set syntax: "." separates keys, "\." is a dot inside one.
    const keys = entry.name.split(/(?<!\\)\./).map((key) => key.replace(/\\\./g, "."));
    let node = root;
    keys.forEach((key, index) => {
      if (index === keys.length - 1) node[key] = entry.value;
      else node = (isObject(node[key]) ? node[key] : (node[key] = {})) as Json;
    });
  }
  return root;
}

// ---- Reading the output folder ----------------------------------------------------------------

interface Found {
  readonly reference: string;
  readonly location: ImageLocation;
}

function readFileOrThrow(file: string, maxBytes: number, shownAs: string): string {
  const read = readTextFile(file, maxBytes);
  if ("problem" in read) throw new PipelineInputError(`${shownAs} ${read.problem}`);
  return read.text;
}

/** Files of a local chart, relative to its folder (bounded: a chart this project writes has a few). */
function chartFiles(folder: string, shownAs: string): string[] {
  const files: string[] = [];
  const walk = (relative: string, depth: number) => {
    if (depth > CHART_MAX_DEPTH) throw new PipelineInputError(`${shownAs}: folders nested deeper than ${CHART_MAX_DEPTH}`);
    for (const entry of fs.readdirSync(path.join(folder, relative), { withFileTypes: true })) {
      const child = relative === "" ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) walk(child, depth + 1);
      else if (entry.isFile()) files.push(child);
      if (files.length > CHART_MAX_FILES) throw new PipelineInputError(`${shownAs}: more than ${CHART_MAX_FILES} files`);
    }
  };
  walk("", 0);
  return files.sort();
}

/** Helm template actions (`{{ .Values.x | quote }}`) as plain text, so the manifest parses as YAML. */
const withoutTemplateActions = (text: string) => text.replace(/\{\{-?[\s\S]*?-?\}\}/g, "HELM_TEMPLATE_ACTION");

/** Where a helm_release's chart comes from: a repository, or a folder of the stack. */
function chartSource(release: Json): { remote: ChartOrigin } | { local: string } | undefined {
  const chart = typeof release.chart === "string" ? release.chart : undefined;
  if (chart === undefined || chart === "") return undefined;
  const version = typeof release.version === "string" && release.version !== "" ? release.version : undefined;
  const withVersion = (origin: { repository: string; chart: string }): ChartOrigin => (version === undefined ? origin : { ...origin, version });
  if (typeof release.repository === "string" && release.repository !== "") return { remote: withVersion({ repository: release.repository, chart }) };
  if (/^(oci|https?):\/\//.test(chart)) {
    const slash = chart.lastIndexOf("/");
    return { remote: withVersion({ repository: chart.slice(0, slash), chart: chart.slice(slash + 1) }) };
  }
  if (chart.startsWith("./") || chart.startsWith("../") || chart.startsWith("/")) return { local: chart };
  // `<repo alias>/<chart>` from the helm configuration of the machine that runs Terraform.
  return { remote: withVersion({ repository: "", chart }) };
}

interface StackReading {
  readonly found: Found[];
  readonly charts: { origin: ChartOrigin; location: ChartLocation; images: string[] }[];
  readonly providers: { source: string; version: string }[];
  readonly configMaps: { type: string; resourceName: string; name: string; repository?: string }[];
  readonly podSpecs: { spec: Json; images: string[] }[];
  readonly warnings: string[];
}

/** The fully qualified source address Terraform gives a provider source: `helm` is `registry.terraform.io/hashicorp/helm`. */
export function providerAddress(source: string): string {
  const parts = source.split("/");
  if (parts.length === 1) return `registry.terraform.io/hashicorp/${source}`.toLowerCase();
  if (parts.length === 2) return `registry.terraform.io/${source}`.toLowerCase();
  return source.toLowerCase();
}

function readStack(outdir: string, stack: string, workingDirectory: string): StackReading {
  const reading: StackReading = { found: [], charts: [], providers: [], configMaps: [], podSpecs: [], warnings: [] };
  const stackDir = path.resolve(outdir, workingDirectory);
  const stackFile = path.join(workingDirectory, "cdk.tf.json");
  let json: Json;
  try {
    const parsed: unknown = JSON.parse(readFileOrThrow(path.join(stackDir, "cdk.tf.json"), STACK_FILE_MAX_BYTES, stackFile));
    if (!isObject(parsed)) throw new PipelineInputError(`${stackFile} is not a Terraform JSON configuration (not an object)`);
    json = parsed;
  } catch (error) {
    if (error instanceof SyntaxError) throw new PipelineInputError(`${stackFile} is not valid JSON (${error.message.slice(0, 160)})`);
    throw error;
  }

  const requiredProviders = isObject(json.terraform) && isObject(json.terraform.required_providers) ? json.terraform.required_providers : {};
  for (const [name, requirement] of Object.entries(requiredProviders)) {
    const source = isObject(requirement) && typeof requirement.source === "string" ? requirement.source : name;
    const version = isObject(requirement) && typeof requirement.version === "string" ? requirement.version : "";
    reading.providers.push({ source: providerAddress(source), version });
  }

  const resources = isObject(json.resource) ? json.resource : {};
  for (const [type, byName] of Object.entries(resources)) {
    if (!isObject(byName)) continue;
    for (const [name, body] of Object.entries(byName)) {
      if (!isObject(body)) continue;
      const resource = `${type}.${name}`;
      if (type.startsWith("kubernetes_")) {
        for (const pod of findPodSpecs(body)) {
          const images: string[] = [];
          for (const container of pod.containers) {
            if (typeof container.image !== "string") continue;
            const reference = unescapeTemplate(container.image);
            images.push(reference);
            reading.found.push({ reference, location: { stack, resource, field: container.field } });
          }
          reading.podSpecs.push({ spec: pod.spec, images });
        }
        const data = blocks(body.data)[0];
        if (type.startsWith("kubernetes_config_map") && data !== undefined && typeof data[INSTALLER_CONFIG_KEY] === "string") {
          const metadata = blocks(body.metadata)[0];
          const objectName = typeof metadata?.name === "string" ? metadata.name : "";
          let repository: string | undefined;
          try {
            const config: unknown = load(unescapeTemplate(data[INSTALLER_CONFIG_KEY] as string));
            if (isObject(config) && typeof config.repository === "string") repository = config.repository;
          } catch {
            reading.warnings.push(`${stack}: ${resource}: its ${INSTALLER_CONFIG_KEY} is not YAML, so Gitpod's repository is not known`);
          }
          reading.configMaps.push({ type, resourceName: name, name: objectName, ...(repository === undefined ? {} : { repository }) });
        }
      }
      if (type === "helm_release") readRelease(reading, stack, stackDir, resource, body);
    }
  }
  return reading;
}

function readRelease(reading: StackReading, stack: string, stackDir: string, resource: string, release: Json): void {
  const releaseImages: string[] = [];
  const add = (reference: string, location: ImageLocation) => {
    releaseImages.push(reference);
    reading.found.push({ reference, location });
  };
  const values = Array.isArray(release.values) ? release.values : [];
  values.forEach((text, index) => {
    if (typeof text !== "string") return;
    let parsed: unknown;
    try {
      parsed = load(unescapeTemplate(text));
    } catch {
      reading.warnings.push(`${stack}: ${resource}: values[${index}] is not YAML, so the images it may name are not listed`);
      return;
    }
    for (const { field, reference } of findValueImages(parsed, `values[${index}]`)) add(reference, { stack, resource, field });
  });
  const set = blocks(release.set);
  if (set.length > 0) {
    for (const { field, reference } of findValueImages(valuesOfSet(set), "set")) add(unescapeTemplate(reference), { stack, resource, field });
  }

  const source = chartSource(release);
  if (source === undefined) return;
  if ("remote" in source) {
    reading.charts.push({ origin: source.remote, location: { stack, resource }, images: releaseImages });
    return;
  }
  const folder = path.resolve(stackDir, source.local);
  const shownFolder = `${path.basename(stackDir)}/${source.local.replace(/^\.\//, "")}`;
  if (!folder.startsWith(stackDir + path.sep)) {
    throw new PipelineInputError(`${stack}: ${resource}: chart ${quote(source.local)} is outside the stack's folder`);
  }
  for (const file of chartFiles(folder, shownFolder)) {
    const isTemplate = /(^|\/)templates\/[^/]+\.ya?ml$/.test(file);
    const isValues = /(^|\/)values\.ya?ml$/.test(file) && !/(^|\/)templates\//.test(file);
    if (!isTemplate && !isValues) continue;
    const text = withoutTemplateActions(readFileOrThrow(path.join(folder, file), CHART_FILE_MAX_BYTES, `${shownFolder}/${file}`));
    let documents: unknown[];
    try {
      documents = isTemplate ? loadAll(text) : [load(text)];
    } catch {
      reading.warnings.push(`${stack}: ${resource}: ${file} is not YAML, so the images it may name are not listed`);
      continue;
    }
    documents.forEach((document, index) => {
      const at = documents.length > 1 ? `[${index}]` : "";
      if (isValues) {
        for (const { field, reference } of findValueImages(document, at)) add(reference, { stack, resource, file, field });
        return;
      }
      for (const pod of findPodSpecs(document, at)) {
        const images: string[] = [];
        for (const container of pod.containers) {
          if (typeof container.image !== "string") continue;
          images.push(container.image);
          reading.found.push({ reference: container.image, location: { stack, resource, file, field: container.field } });
        }
        reading.podSpecs.push({ spec: pod.spec, images });
      }
    });
  }
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const locationKey = (location: ImageLocation) => [location.stack, location.resource, location.file ?? "", location.field].join("\u0000");
const chartKey = (origin: ChartOrigin) => [origin.repository, origin.chart, origin.version ?? ""].join("\u0000");
const uniqueSorted = (values: Iterable<string>) => [...new Set(values)].sort(compare);

/**
 * Reads the inventory of a synthesized app from `outdir` (the folder holding manifest.json).
 * Problems with the folder are PipelineInputErrors, one line each; what is readable but may be
 * incomplete is in `warnings`.
 */
export function readImageInventory(outdir: string): ImageInventory {
  const manifest = readManifest(outdir);
  const stacks = [...manifest.stacks.values()];
  const readings = stacks.map((stack) => ({ stack, reading: readStack(outdir, stack.id, stack.workingDirectory) }));

  const images = new Map<string, ImageLocation[]>();
  for (const { reading } of readings) {
    for (const { reference, location } of reading.found) images.set(reference, [...(images.get(reference) ?? []), location]);
  }

  const charts = new Map<string, { origin: ChartOrigin; images: Set<string>; locations: ChartLocation[] }>();
  for (const { reading } of readings) {
    for (const chart of reading.charts) {
      const key = chartKey(chart.origin);
      const entry = charts.get(key) ?? { origin: chart.origin, images: new Set<string>(), locations: [] };
      chart.images.forEach((image) => entry.images.add(image));
      entry.locations.push(chart.location);
      charts.set(key, entry);
    }
  }

  const providers = new Map<string, { source: string; version: string; stacks: string[] }>();
  for (const { stack, reading } of readings) {
    for (const provider of reading.providers) {
      const key = `${provider.source}\u0000${provider.version}`;
      const entry = providers.get(key) ?? { ...provider, stacks: [] };
      entry.stacks.push(stack.id);
      providers.set(key, entry);
    }
  }

  const warnings = readings.flatMap(({ reading }) => reading.warnings);
  const allPodSpecs = readings.flatMap(({ reading }) => reading.podSpecs);
  const gitpod: GitpodInstallerConfig[] = readings.flatMap(({ stack, reading }) =>
    reading.configMaps.map((configMap) => {
      const installerImages = uniqueSorted(allPodSpecs.filter((pod) => mountedConfigMaps(pod.spec).has(configMap.name)).flatMap((pod) => pod.images));
      if (installerImages.length === 0) warnings.push(`${stack.id}: no pod mounts ConfigMap ${quote(configMap.name)}, which holds ${INSTALLER_CONFIG_KEY}: the installer image is not known`);
      return {
        stack: stack.id,
        workingDirectory: stack.workingDirectory,
        configMap: { resource: `${configMap.type}.${configMap.resourceName}`, type: configMap.type, resourceName: configMap.resourceName, name: configMap.name, key: INSTALLER_CONFIG_KEY },
        ...(configMap.repository === undefined ? {} : { repository: configMap.repository }),
        installerImages,
      };
    }),
  );

  for (const chart of charts.values()) {
    if (chart.images.size === 0) {
      warnings.push(
        `chart ${chart.origin.chart} from ${chart.origin.repository || "a repository alias"}: its values name no image, so the images it runs by default are not listed (helm template shows them)`,
      );
    }
  }

  return {
    stacks: stacks.map((stack) => stack.id).sort(compare),
    images: [...images.entries()]
      .map(([reference, locations]) => ({ reference, locations: sortLocations(locations) }))
      .sort((a, b) => compare(a.reference, b.reference)),
    charts: [...charts.values()]
      .map(({ origin, images: chartImages, locations }) => ({
        ...origin,
        images: uniqueSorted(chartImages),
        locations: [...locations].sort((a, b) => compare(`${a.stack}\u0000${a.resource}`, `${b.stack}\u0000${b.resource}`)),
      }))
      .sort((a, b) => compare(chartKey(a), chartKey(b))),
    providers: [...providers.values()]
      .map((provider) => ({ ...provider, stacks: uniqueSorted(provider.stacks) }))
      .sort((a, b) => compare(`${a.source}\u0000${a.version}`, `${b.source}\u0000${b.version}`)),
    gitpod: gitpod.sort((a, b) => compare(`${a.stack}\u0000${a.configMap.resource}`, `${b.stack}\u0000${b.configMap.resource}`)),
    warnings: uniqueSorted(warnings),
  };
}

function sortLocations(locations: readonly ImageLocation[]): ImageLocation[] {
  const unique = new Map(locations.map((location) => [locationKey(location), location]));
  return [...unique.entries()].sort(([a], [b]) => compare(a, b)).map(([, location]) => location);
}

/**
 * The inventory of a mirrored app with, for each image, chart and Gitpod repository, what it is a
 * copy of: what the same place holds in `publicInventory`, the same app synthesized without the
 * `mirror` section. Places are matched by stack, resource, file and field. An image whose places
 * hold different public images in the other output (two registries' images mapped to one mirror
 * path) gets a warning and the first of them.
 */
export function withPublicOrigins(inventory: ImageInventory, publicInventory: ImageInventory): ImageInventory {
  const publicAt = new Map<string, string>();
  for (const image of publicInventory.images) for (const location of image.locations) publicAt.set(locationKey(location), image.reference);
  const publicChartAt = new Map<string, ChartOrigin>();
  for (const chart of publicInventory.charts) {
    for (const location of chart.locations) {
      publicChartAt.set(`${location.stack}\u0000${location.resource}`, { repository: chart.repository, chart: chart.chart, ...(chart.version === undefined ? {} : { version: chart.version }) });
    }
  }
  const warnings = [...inventory.warnings];

  const images = inventory.images.map((image) => {
    const origins = uniqueSorted(image.locations.flatMap((location) => publicAt.get(locationKey(location)) ?? []));
    if (origins.length > 1) warnings.push(`${image.reference} is the mirror's copy of several images: ${origins.join(", ")}; only one can be copied there`);
    const origin = origins[0];
    return origin === undefined || origin === image.reference ? image : { reference: image.reference, copyOf: origin, locations: image.locations };
  });

  const charts = inventory.charts.map((chart) => {
    const origin = chart.locations.map((location) => publicChartAt.get(`${location.stack}\u0000${location.resource}`)).find((found) => found !== undefined);
    return origin === undefined || chartKey(origin) === chartKey(chart) ? chart : { ...chart, copyOf: origin };
  });

  const gitpod = inventory.gitpod.map((entry) => {
    const publicEntry = publicInventory.gitpod.find((candidate) => candidate.stack === entry.stack && candidate.configMap.resource === entry.configMap.resource);
    const origin = publicEntry?.repository;
    return origin === undefined || origin === entry.repository ? entry : { ...entry, repositoryCopyOf: origin };
  });

  return { ...inventory, images, charts, gitpod, warnings: uniqueSorted(warnings) };
}
