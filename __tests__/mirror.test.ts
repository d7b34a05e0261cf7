/**
 * No public registry left: with `mirror` (and a login), nothing in the synthesized output pulls
 * from a public registry or chart repository, and every pod can log in to the mirror
 * (docs/air-gapped.md). Checked on the RAW TEXT of every file of the output (each stack's
 * cdk.tf.json and the files of the charts it carries), independently of
 * pipeline/image-inventory.ts, whose findings are then cross-checked against that text.
 */
import * as path from "path";
import { CONFIG_ENV_VAR, loadConfig } from "../config/load";
import type { GitpodCdktfConfig } from "../config/schema";
import { readImageInventory } from "../pipeline/image-inventory";
import { CONFIG_VARIANTS } from "./support/config-variants";
import { config, parseYaml, synthApp, yamlObjects, type SynthesizedApp } from "./support/synth";

const MIRROR = { registry: "registry.acme.dev/mirror", username: "robot", chartRepository: "oci://registry.acme.dev/charts" };
const PULL_SECRET = "gitpod-mirror-pull";
const ROOT = path.resolve(__dirname, "..");

/** Public registries and chart repositories, as host names (not preceded or followed by more of a host name). */
const PUBLIC_HOSTS = [
  "docker\\.io",
  "registry-1\\.docker\\.io",
  "index\\.docker\\.io",
  "quay\\.io",
  "(?:[a-z0-9-]+\\.)*gcr\\.io",
  "registry\\.k8s\\.io",
  "k8s\\.gcr\\.io",
  "ghcr\\.io",
  "public\\.ecr\\.aws",
  "mcr\\.microsoft\\.com",
  "charts\\.jetstack\\.io",
  "kubernetes-sigs\\.github\\.io",
];
const PUBLIC_HOST = new RegExp(`(?<![a-z0-9.-])(?:${PUBLIC_HOSTS.join("|")})(?![a-z0-9-]|\\.[a-z])`, "gi");

/** Every public host in a text, with its line: `file:line: host`. */
function publicHostsIn(files: Record<string, string>): string[] {
  return Object.entries(files).flatMap(([file, text]) =>
    text.split("\n").flatMap((line, index) => [...line.matchAll(PUBLIC_HOST)].map((match) => `${file}:${index + 1}: ${match[0]}`)),
  );
}

/**
 * Every image reference the raw text names, found by plain text matching: `image: <ref>` (YAML),
 * `"image": "<ref>"` (JSON), and a chart's `image:` block of `registry`/`repository`/`tag`/`digest`
 * lines. JSON strings' "\n" are read as line ends first, so Helm values embedded in cdk.tf.json
 * are read like YAML files.
 */
function imagesInText(text: string): string[] {
  const lines = text.replace(/\\n/g, "\n").split("\n");
  const found: string[] = [];
  lines.forEach((line, index) => {
    const inline = /(?:^|[\s"{,])"?image"?:[ \t]*"?([^\s"',{}]+)"?/.exec(line);
    if (inline) {
      found.push(inline[1]);
      return;
    }
    const block = /^([ \t]*)(?:- )?"?image"?:[ \t]*$/.exec(line);
    if (!block) return;
    const parts: Record<string, string> = {};
    for (const next of lines.slice(index + 1)) {
      const indent = /^[ \t]*/.exec(next)![0].length;
      if (next.trim() === "" || indent <= block[1].length) break;
      const field = /^\s*(registry|repository|tag|digest):\s*["']?([^\s"']+)/.exec(next);
      if (field) parts[field[1]] = field[2];
    }
    if (parts.repository === undefined) return;
    const name = parts.registry === undefined ? parts.repository : `${parts.registry}/${parts.repository}`;
    found.push(parts.digest !== undefined ? `${name}@${parts.digest}` : parts.tag !== undefined ? `${name}:${parts.tag}` : name);
  });
  return found;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);

/** Pod specs (objects with a container list) anywhere in a value, with where they are. */
function podSpecs(value: unknown, where: string, containerKey: string): { where: string; spec: Json }[] {
  if (Array.isArray(value)) return value.flatMap((child, index) => podSpecs(child, `${where}[${index}]`, containerKey));
  if (!isObject(value)) return [];
  const own = containerKey in value ? [{ where, spec: value }] : [];
  return [...own, ...Object.entries(value).flatMap(([key, child]) => podSpecs(child, where === "" ? key : `${where}.${key}`, containerKey))];
}

const pullSecretNames = (spec: Json, key: string) =>
  (Array.isArray(spec[key]) ? (spec[key] as unknown[]) : isObject(spec[key]) ? [spec[key]] : []).map((entry) => (isObject(entry) ? entry.name : undefined));

/** Every pod spec of the output, each with the pull secrets it names: chart manifests and kubernetes_* resources. */
function everyPodSpec(app: SynthesizedApp): { where: string; pullSecrets: unknown[] }[] {
  return app.stackIds.flatMap((id) => {
    const stack = app.stack(id);
    const fromResources = Object.entries(stack.resource ?? {})
      .filter(([type]) => type.startsWith("kubernetes_"))
      .flatMap(([type, byName]) =>
        Object.entries(byName).flatMap(([name, body]) =>
          podSpecs(body, "", "container").map(({ where, spec }) => ({ where: `${id}: ${type}.${name} ${where}`, pullSecrets: pullSecretNames(spec, "image_pull_secrets") })),
        ),
      );
    const chartFiles = Object.entries(app.files()).filter(([file]) => file.startsWith(`stacks/${id}/`) && /\/templates\/[^/]+\.ya?ml$/.test(file));
    const fromCharts = chartFiles.flatMap(([file, text]) =>
      yamlObjects(text.replace(/\{\{[\s\S]*?\}\}/g, "TEMPLATE")).flatMap((object) =>
        podSpecs(object, "", "containers").map(({ where, spec }) => ({ where: `${file} (${String(object.kind)}) ${where}`, pullSecrets: pullSecretNames(spec, "imagePullSecrets") })),
      ),
    );
    return [...fromResources, ...fromCharts];
  });
}

/** The names listed under every `imagePullSecrets`/`*.imagePullSecrets` key of Helm values. */
function pullSecretsInValues(value: unknown): unknown[] {
  if (Array.isArray(value)) return value.flatMap(pullSecretsInValues);
  if (!isObject(value)) return [];
  return Object.entries(value).flatMap(([key, child]) =>
    (key === "imagePullSecrets" || key.endsWith("ImagePullSecrets")) && Array.isArray(child)
      ? child.map((entry) => (isObject(entry) ? entry.name : entry))
      : pullSecretsInValues(child),
  );
}

/** The values of every helm_release installing the chart `chart` from a repository, parsed. */
function remoteChartValues(app: SynthesizedApp, chart: string): Json[] {
  return app.stackIds.flatMap((id) =>
    Object.values(app.stack(id).resource?.helm_release ?? {})
      .filter((release) => release.chart === chart && typeof release.repository === "string")
      .flatMap((release) => ((release.values as string[] | undefined) ?? []).map((text) => parseYaml(text) as Json)),
  );
}

const allAws = CONFIG_VARIANTS.find((variant) => variant.name.startsWith("all-AWS: RDS + S3 + ECR + Route53"));
if (allAws === undefined) throw new Error("support/config-variants.ts has no all-AWS variant");

const CASES: Array<[string, () => GitpodCdktfConfig, number]> = [
  ["in the cluster, with a login", () => config({ mirror: MIRROR }), 4],
  ["all-AWS (RDS, ECR, ACME on Route53), with a login", () => config({ ...allAws.input, mirror: MIRROR }), 5],
  [
    "all-AWS with external-dns, with a login",
    () => config({ ...allAws.input, mirror: MIRROR, dns: { type: "external-dns-route53", hostedZoneId: "Z0123456789ABCDEFGHIJ" } }),
    // external-dns's pods are its remote chart's: their pull secret is checked in its values.
    5,
  ],
  ["examples/air-gapped-mirror", () => loadConfig({ env: { [CONFIG_ENV_VAR]: "examples/air-gapped-mirror/gitpod-cdktf.yaml" }, cwd: ROOT }).config, 4],
];

describe.each(CASES)("a mirror: %s", (_name, makeConfig, expectedPodSpecs) => {
  const cfg = makeConfig();
  const app = synthApp(cfg);
  const files = app.files();
  const registry = cfg.mirror!.registry;

  it("leaves no public registry or chart repository anywhere in the output", () => {
    expect(Object.keys(files).length).toBeGreaterThan(5);
    expect(publicHostsIn(files)).toEqual([]);
  });

  it("pulls every image the raw text names from the mirror", () => {
    const named = Object.values(files).flatMap(imagesInText);
    expect(named.length).toBeGreaterThanOrEqual(8);
    expect(named.filter((image) => !image.startsWith(`${registry}/`))).toEqual([]);
  });

  it("has an inventory of mirror references only, holding every image the raw text names", () => {
    const inventory = readImageInventory(app.outdir);
    const listed = inventory.images.map((image) => image.reference);
    expect(listed.filter((image) => !image.startsWith(`${registry}/`))).toEqual([]);
    const named = [...new Set(Object.values(files).flatMap(imagesInText))].sort();
    expect(named.filter((image) => !listed.includes(image))).toEqual([]);
    expect(inventory.charts.map((chart) => chart.repository)).toEqual(inventory.charts.map(() => cfg.tls.certManager.chartRepository ?? cfg.mirror!.chartRepository));
  });

  it(`gives every pod spec the pull secret ${PULL_SECRET}`, () => {
    const pods = everyPodSpec(app);
    expect(pods.length).toBe(expectedPodSpecs);
    expect(pods.filter((pod) => !pod.pullSecrets.includes(PULL_SECRET)).map((pod) => pod.where)).toEqual([]);
  });

  it("gives cert-manager's chart the pull secret as global.imagePullSecrets", () => {
    const values = remoteChartValues(app, "cert-manager");
    expect(values.length).toBe(1);
    expect((values[0].global as Json | undefined)?.imagePullSecrets).toEqual([{ name: PULL_SECRET }]);
  });

  it("gives every chart from a repository the pull secret in its values (an `imagePullSecrets` key at any depth)", () => {
    const releases = app.stackIds.flatMap((id) =>
      Object.entries(app.stack(id).resource?.helm_release ?? {})
        .filter(([, release]) => typeof release.repository === "string")
        .map(([name, release]) => ({ where: `${id}: helm_release.${name} (${String(release.chart)})`, values: ((release.values as string[] | undefined) ?? []).map((text) => parseYaml(text)) })),
    );
    expect(releases.length).toBeGreaterThan(0);
    expect(releases.filter(({ values }) => !pullSecretsInValues(values).includes(PULL_SECRET)).map(({ where }) => where)).toEqual([]);
  });

  it("creates the pull secret in Gitpod's, the installer's and cert-manager's namespaces (and external-dns's)", () => {
    const prerequisites = app.stack(`${cfg.name}-cluster-prerequisites`);
    const namespaces = prerequisites.resource?.kubernetes_namespace_v1 ?? {};
    const secretNamespaces = Object.values(prerequisites.resource?.kubernetes_secret_v1 ?? {})
      .map((secret) => (secret as { metadata: { name: string; namespace: string } }).metadata)
      .filter((metadata) => metadata.name === PULL_SECRET)
      .map((metadata) => {
        const reference = /^\$\{kubernetes_namespace_v1\.([\w-]+)\.metadata\[0\]\.name\}$/.exec(metadata.namespace);
        return reference === null ? metadata.namespace : (namespaces[reference[1]] as { metadata: { name: string } }).metadata.name;
      });
    const externalDns = cfg.dns.type === "none" ? [] : [`${cfg.name}-external-dns`];
    expect(secretNamespaces.sort()).toEqual([cfg.tls.certManager.namespace, cfg.gitpod.namespace, `${cfg.name}-installer`, ...externalDns].sort());
  });
});

describe("a mirror on every config variant", () => {
  // A value the config itself sets (an image or chart repository of a public registry) wins over the
  // mirror by design: only what the config does not name must move.
  it.each(CONFIG_VARIANTS.map((variant) => [variant.name, variant] as const))("%s: a public host only where the config names one", (_name, variant) => {
    const named = new Set(publicHostsIn({ config: JSON.stringify(variant.input) }).map((found) => found.split(": ")[1].toLowerCase()));
    const app = synthApp(config({ ...variant.input, mirror: MIRROR }));
    expect(publicHostsIn(app.files()).filter((found) => !named.has(found.split(": ").pop()!.toLowerCase()))).toEqual([]);
  });
});

describe("the checks themselves, on the output without a mirror", () => {
  const app = synthApp(config({ database: { type: "in-cluster", image: "mysql:5.7.44" } }));
  const files = app.files();

  it("find the public hosts, each where it is", () => {
    const hosts = new Set(publicHostsIn(files).map((found) => found.split(": ").pop()));
    expect([...hosts].sort()).toEqual(["charts.jetstack.io", "eu.gcr.io", "quay.io"]);
    expect(publicHostsIn({ "a.txt": "x\nimage: docker.io/library/a:1 and registry-1.docker.io, not notquay.io nor quay.io.example.com" })).toEqual([
      "a.txt:2: docker.io",
      "a.txt:2: registry-1.docker.io",
    ]);
  });

  it("find every image by text, a Docker Hub short name among them", () => {
    expect([...new Set(Object.values(files).flatMap(imagesInText))].sort()).toEqual([
      "eu.gcr.io/gitpod-core-dev/build/installer:release-2022.11.3",
      "mysql:5.7.44",
      "quay.io/jetstack/cert-manager-acmesolver:v1.16.5",
      "quay.io/jetstack/cert-manager-cainjector:v1.16.5",
      "quay.io/jetstack/cert-manager-controller:v1.16.5",
      "quay.io/jetstack/cert-manager-startupapicheck:v1.16.5",
      "quay.io/jetstack/cert-manager-webhook:v1.16.5",
      "quay.io/minio/minio:RELEASE.2025-04-22T22-12-26Z",
    ]);
  });

  it("name each pod spec and chart without the pull secret", () => {
    expect(everyPodSpec(app).filter((pod) => !pod.pullSecrets.includes(PULL_SECRET)).map((pod) => pod.where.replace(/assets\/[^/]+\/[^/]+\//, "assets/.../"))).toEqual([
      "stacks/gitpod-in-cluster-services/assets/.../templates/00-deployment-gitpod-minio.yaml (Deployment) spec.template.spec",
      "stacks/gitpod-in-cluster-services/assets/.../templates/00-deployment-gitpod-mysql.yaml (Deployment) spec.template.spec",
      "stacks/gitpod-release/assets/.../templates/04-job-gitpod-installer-apply.yaml (Job) spec.template.spec",
      "stacks/gitpod-release/assets/.../templates/05-job-gitpod-installer-uninstall.yaml (Job) spec.template.spec",
    ]);
    expect(pullSecretsInValues(remoteChartValues(app, "cert-manager"))).toEqual([]);
    expect(pullSecretsInValues({ global: { imagePullSecrets: [{ name: "a" }] }, imagePullSecrets: ["b"], controller: { podImagePullSecrets: [{ name: "c" }] } })).toEqual(["a", "b", "c"]);
    const resource = { spec: { template: { spec: { container: [{ image: "a:1" }], image_pull_secrets: [{ name: PULL_SECRET }] } } } };
    expect(podSpecs(resource, "", "container").map(({ spec }) => pullSecretNames(spec, "image_pull_secrets"))).toEqual([[PULL_SECRET]]);
  });
});
