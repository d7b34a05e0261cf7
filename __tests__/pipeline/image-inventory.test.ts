/**
 * pipeline/image-inventory.ts: what a synthesized app pulls, read from the output folder alone.
 * First on hand-written output (every shape it reads: the kubernetes provider's pod specs,
 * manifests, local charts with template actions, chart values and `set`, remote and oci charts,
 * provider sources, the installer ConfigMap), then on the app's own output for the default
 * config, a mirror and per-image overrides.
 */
import * as fs from "fs";
import * as path from "path";
import { dump } from "js-yaml";
import { PipelineInputError } from "../../pipeline/errors";
import {
  chartImageReference,
  findPodSpecs,
  findValueImages,
  providerAddress,
  readImageInventory,
  withPublicOrigins,
  type ImageInventory,
} from "../../pipeline/image-inventory";
import { config, scratchDir, synthApp } from "../support/synth";

type Files = Record<string, string>;

/** An output folder: manifest.json for `stacks`, and the given files (paths relative to the folder). */
function outputFolder(stacks: readonly string[], files: Files): string {
  const outdir = path.join(scratchDir("inventory-"), "cdktf.out");
  const manifest = { version: "0.21.0", stacks: Object.fromEntries(stacks.map((id) => [id, { name: id, dependencies: [], workingDirectory: `stacks/${id}` }])) };
  const all: Files = { "manifest.json": JSON.stringify(manifest), ...files };
  for (const [file, content] of Object.entries(all)) {
    fs.mkdirSync(path.dirname(path.join(outdir, file)), { recursive: true });
    fs.writeFileSync(path.join(outdir, file), content);
  }
  return outdir;
}

const stackJson = (json: Record<string, unknown>) => JSON.stringify({ terraform: { required_providers: {} }, ...json });

const references = (inventory: ImageInventory) => inventory.images.map((image) => image.reference);

describe("the pieces", () => {
  it("builds chart image references as charts do: registry, repository, then digest over tag", () => {
    expect(chartImageReference({ repository: "quay.io/jetstack/cert-manager-controller", tag: "v1.16.5" })).toBe("quay.io/jetstack/cert-manager-controller:v1.16.5");
    expect(chartImageReference({ registry: "registry.k8s.io", repository: "external-dns/external-dns", tag: "v0.21.0" })).toBe(
      "registry.k8s.io/external-dns/external-dns:v0.21.0",
    );
    expect(chartImageReference({ repository: "r.acme.dev/x", tag: "1", digest: "sha256:abc" })).toBe("r.acme.dev/x@sha256:abc");
    expect(chartImageReference({ repository: "r.acme.dev/x" })).toBe("r.acme.dev/x");
    expect(chartImageReference({ repository: "r.acme.dev/x", tag: 2 })).toBe("r.acme.dev/x:2");
    expect(chartImageReference({ name: "x" })).toBeUndefined();
  });

  it("finds image values at any depth, by `image` or `*Image` keys, not imagePullPolicy or imagePullSecrets", () => {
    const values = {
      image: { repository: "a/controller", tag: "1" },
      webhook: { image: { repository: "a/webhook", tag: "1" }, imagePullPolicy: "Always" },
      sidecars: [{ helperImage: "b/helper:2" }],
      global: { imagePullSecrets: [{ name: "pull" }] },
      source: { repository: "https://github.com/acme/x" },
    };
    expect(findValueImages(values, "values[0]")).toEqual([
      { field: "values[0].image", reference: "a/controller:1" },
      { field: "values[0].webhook.image", reference: "a/webhook:1" },
      { field: "values[0].sidecars[0].helperImage", reference: "b/helper:2" },
    ]);
  });

  it("finds pod specs in Kubernetes objects (camelCase) and kubernetes_* resources (the provider's blocks)", () => {
    const cronJob = {
      kind: "CronJob",
      spec: { jobTemplate: { spec: { template: { spec: { initContainers: [{ image: "a:1" }], containers: [{ image: "b:1" }, { image: "c:1" }] } } } } },
    };
    expect(findPodSpecs(cronJob).map((pod) => [pod.field, pod.containers])).toEqual([
      [
        "spec.jobTemplate.spec.template.spec",
        [
          { field: "spec.jobTemplate.spec.template.spec.initContainers[0].image", image: "a:1" },
          { field: "spec.jobTemplate.spec.template.spec.containers[0].image", image: "b:1" },
          { field: "spec.jobTemplate.spec.template.spec.containers[1].image", image: "c:1" },
        ],
      ],
    ]);
    const deployment = { metadata: { name: "x" }, spec: { template: { spec: { container: { image: "d:1" }, init_container: [{ image: "e:1" }] } } } };
    expect(findPodSpecs(deployment)[0].containers).toEqual([
      { field: "spec.template.spec.container.image", image: "d:1" },
      { field: "spec.template.spec.init_container[0].image", image: "e:1" },
    ]);
  });

  it("qualifies provider sources as Terraform does", () => {
    expect(providerAddress("helm")).toBe("registry.terraform.io/hashicorp/helm");
    expect(providerAddress("hashicorp/random")).toBe("registry.terraform.io/hashicorp/random");
    expect(providerAddress("app.terraform.io/acme/thing")).toBe("app.terraform.io/acme/thing");
  });
});

describe("an output folder with every shape the inventory reads", () => {
  const chart = "stacks/app/assets/chart/ABC";
  const installerConfigMapData = "apiVersion: v1\ndomain: gitpod.acme.dev\nrepository: registry.acme.dev/gitpod\nobjectStorage:\n  s3:\n    endpoint: minio.${var.namespace}.svc:9000\n";
  const outdir = outputFolder(["app", "base"], {
    "stacks/base/cdk.tf.json": stackJson({
      terraform: { required_providers: { kubernetes: { source: "kubernetes", version: "2.38.0" }, random: { source: "hashicorp/random", version: "3.7.2" } } },
      resource: {
        kubernetes_deployment_v1: {
          web: { metadata: { name: "web" }, spec: { template: { spec: { container: [{ name: "web", image: "docker.io/library/nginx:1.27" }] } } } },
        },
        kubernetes_manifest: {
          pod: { manifest: { apiVersion: "v1", kind: "Pod", spec: { containers: [{ name: "x", image: "ghcr.io/acme/tool:3" }] } } },
        },
        random_password: { p: { length: 10 } },
      },
    }),
    "stacks/app/cdk.tf.json": stackJson({
      terraform: {
        required_providers: { helm: { source: "helm", version: "3.1.1" }, kubernetes: { source: "kubernetes", version: "2.38.0" } },
      },
      resource: {
        helm_release: {
          jetstack: {
            name: "cert-manager",
            repository: "https://charts.jetstack.io",
            chart: "cert-manager",
            version: "v1.16.5",
            values: ["image:\n  repository: quay.io/jetstack/cert-manager-controller\n  tag: v1.16.5\nwebhook:\n  image:\n    repository: quay.io/jetstack/cert-manager-webhook\n    digest: sha256:1234\n"],
          },
          dns: {
            name: "external-dns",
            chart: "oci://registry.acme.dev/charts/external-dns",
            version: "1.21.1",
            set: [
              { name: "image.repository", value: "registry.k8s.io/external-dns/external-dns" },
              { name: "image.tag", value: "v0.21.0" },
            ],
          },
          bare: { name: "bare", repository: "https://charts.acme.dev", chart: "bare", version: "1.0.0", values: ["${yamlencode({a = 1})}", "a: [unclosed"] },
          local: { name: "installer", chart: "./assets/chart/ABC", values: ["${yamlencode({\"checksums\" = {}})}"] },
        },
        kubernetes_config_map_v1: {
          "installer-inputs_1234": { metadata: { name: "gitpod-installer", namespace: "gitpod-installer" }, data: { "gitpod.config.yaml": installerConfigMapData } },
          other: { metadata: { name: "other" }, data: { "a.yaml": "image: not/an:image-of-a-pod" } },
        },
      },
    }),
    [`${chart}/Chart.yaml`]: "apiVersion: v2\nname: installer\nversion: 1.0.0\n",
    [`${chart}/values.yaml`]: "checksums:\n  inputs: ''\nhelper:\n  image: registry.acme.dev/helper:1\n",
    [`${chart}/templates/00-job-apply.yaml`]: dump({
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "apply" },
      spec: {
        template: {
          metadata: { annotations: { "checksum/inputs": "PLACEHOLDER" } },
          spec: { containers: [{ name: "installer", image: "eu.gcr.io/gitpod-core-dev/build/installer:release-2022.11.3" }], volumes: [{ name: "inputs", configMap: { name: "gitpod-installer" } }] },
        },
      },
    }).replace("PLACEHOLDER", "{{ .Values.checksums.inputs | quote }}"),
    [`${chart}/templates/01-two-documents.yaml`]: "kind: Service\nmetadata:\n  name: a\n---\nkind: Pod\nspec:\n  containers:\n    - name: b\n      image: registry.acme.dev/b:1\n",
  });
  const inventory = readImageInventory(outdir);

  it("lists every image once, sorted, wherever it is", () => {
    expect(references(inventory)).toEqual([
      "docker.io/library/nginx:1.27",
      "eu.gcr.io/gitpod-core-dev/build/installer:release-2022.11.3",
      "ghcr.io/acme/tool:3",
      "quay.io/jetstack/cert-manager-controller:v1.16.5",
      "quay.io/jetstack/cert-manager-webhook@sha256:1234",
      "registry.acme.dev/b:1",
      "registry.acme.dev/helper:1",
      "registry.k8s.io/external-dns/external-dns:v0.21.0",
    ]);
  });

  it("says where each image is: stack, resource, chart file and field", () => {
    const at = (reference: string) => inventory.images.find((image) => image.reference === reference)?.locations;
    expect(at("docker.io/library/nginx:1.27")).toEqual([{ stack: "base", resource: "kubernetes_deployment_v1.web", field: "spec.template.spec.container[0].image" }]);
    expect(at("ghcr.io/acme/tool:3")).toEqual([{ stack: "base", resource: "kubernetes_manifest.pod", field: "manifest.spec.containers[0].image" }]);
    expect(at("registry.acme.dev/b:1")).toEqual([{ stack: "app", resource: "helm_release.local", file: "templates/01-two-documents.yaml", field: "[1].spec.containers[0].image" }]);
    expect(at("registry.acme.dev/helper:1")).toEqual([{ stack: "app", resource: "helm_release.local", file: "values.yaml", field: "helper.image" }]);
    expect(at("registry.k8s.io/external-dns/external-dns:v0.21.0")).toEqual([{ stack: "app", resource: "helm_release.dns", field: "set.image" }]);
    expect(at("quay.io/jetstack/cert-manager-webhook@sha256:1234")).toEqual([{ stack: "app", resource: "helm_release.jetstack", field: "values[0].webhook.image" }]);
  });

  it("lists the remote charts (repository, oci:// chart URL), with the images their values name", () => {
    expect(inventory.charts.map(({ repository, chart, version, images }) => ({ repository, chart, version, images }))).toEqual([
      { repository: "https://charts.acme.dev", chart: "bare", version: "1.0.0", images: [] },
      {
        repository: "https://charts.jetstack.io",
        chart: "cert-manager",
        version: "v1.16.5",
        images: ["quay.io/jetstack/cert-manager-controller:v1.16.5", "quay.io/jetstack/cert-manager-webhook@sha256:1234"],
      },
      { repository: "oci://registry.acme.dev/charts", chart: "external-dns", version: "1.21.1", images: ["registry.k8s.io/external-dns/external-dns:v0.21.0"] },
    ]);
  });

  it("lists each provider once, fully qualified, with its version and the stacks that require it", () => {
    expect(inventory.providers).toEqual([
      { source: "registry.terraform.io/hashicorp/helm", version: "3.1.1", stacks: ["app"] },
      { source: "registry.terraform.io/hashicorp/kubernetes", version: "2.38.0", stacks: ["app", "base"] },
      { source: "registry.terraform.io/hashicorp/random", version: "3.7.2", stacks: ["base"] },
    ]);
  });

  it("finds the installer config, Gitpod's repository and the image of the pods that mount it", () => {
    expect(inventory.gitpod).toEqual([
      {
        stack: "app",
        workingDirectory: "stacks/app",
        configMap: {
          resource: "kubernetes_config_map_v1.installer-inputs_1234",
          type: "kubernetes_config_map_v1",
          resourceName: "installer-inputs_1234",
          name: "gitpod-installer",
          key: "gitpod.config.yaml",
        },
        repository: "registry.acme.dev/gitpod",
        installerImages: ["eu.gcr.io/gitpod-core-dev/build/installer:release-2022.11.3"],
      },
    ]);
  });

  it("warns about what may be missing: values that are not YAML, a remote chart whose values name no image", () => {
    expect(inventory.warnings).toEqual([
      "app: helm_release.bare: values[1] is not YAML, so the images it may name are not listed",
      "chart bare from https://charts.acme.dev: its values name no image, so the images it runs by default are not listed (helm template shows them)",
    ]);
  });

  it("gives the same inventory for the same output", () => {
    expect(readImageInventory(outdir)).toEqual(inventory);
  });
});

describe("output it refuses, in one line", () => {
  it("a folder without manifest.json", () => {
    expect(() => readImageInventory(scratchDir("no-manifest-"))).toThrow(PipelineInputError);
  });

  it("a stack whose cdk.tf.json is not JSON", () => {
    const outdir = outputFolder(["a"], { "stacks/a/cdk.tf.json": "{not json" });
    expect(() => readImageInventory(outdir)).toThrow(/^stacks\/a\/cdk\.tf\.json is not valid JSON/);
  });

  it("a chart outside its stack's folder", () => {
    const outdir = outputFolder(["a"], { "stacks/a/cdk.tf.json": stackJson({ resource: { helm_release: { x: { chart: "../../elsewhere" } } } }) });
    expect(() => readImageInventory(outdir)).toThrow('a: helm_release.x: chart "../../elsewhere" is outside the stack\'s folder');
  });
});

describe("withPublicOrigins", () => {
  const location = (field: string) => ({ stack: "s", resource: "helm_release.r", field });
  const inventory = (images: Record<string, string[]>, chartRepository: string): ImageInventory => ({
    stacks: ["s"],
    images: Object.entries(images).map(([reference, fields]) => ({ reference, locations: fields.map(location) })),
    charts: [{ repository: chartRepository, chart: "c", version: "1", images: [], locations: [{ stack: "s", resource: "helm_release.r" }] }],
    providers: [],
    gitpod: [],
    warnings: [],
  });

  it("names the public image of each mirror copy, matched by place, and the chart's public repository", () => {
    const mirrored = inventory({ "m.acme.dev/x/a:1": ["a"], "m.acme.dev/x/b:1": ["b"], "pinned/c:1": ["c"] }, "oci://m.acme.dev/charts");
    const original = inventory({ "quay.io/x/a:1": ["a"], "docker.io/x/b:1": ["b"], "pinned/c:1": ["c"] }, "https://charts.example.org");
    const paired = withPublicOrigins(mirrored, original);
    expect(paired.images.map(({ reference, copyOf }) => [reference, copyOf])).toEqual([
      ["m.acme.dev/x/a:1", "quay.io/x/a:1"],
      ["m.acme.dev/x/b:1", "docker.io/x/b:1"],
      ["pinned/c:1", undefined],
    ]);
    expect(paired.charts[0].copyOf).toEqual({ repository: "https://charts.example.org", chart: "c", version: "1" });
    expect(paired.warnings).toEqual([]);
  });

  it("warns when one mirror path is the copy of two public images", () => {
    const mirrored = inventory({ "m.acme.dev/minio/minio:1": ["a", "b"] }, "x");
    const original = inventory({ "quay.io/minio/minio:1": ["a"], "docker.io/minio/minio:1": ["b"] }, "x");
    expect(withPublicOrigins(mirrored, original).warnings).toEqual([
      "m.acme.dev/minio/minio:1 is the mirror's copy of several images: docker.io/minio/minio:1, quay.io/minio/minio:1; only one can be copied there",
    ]);
  });
});

describe("the app's own output", () => {
  const CERT_MANAGER = ["acmesolver", "cainjector", "controller", "startupapicheck", "webhook"];
  const INSTALLER = "eu.gcr.io/gitpod-core-dev/build/installer:release-2022.11.3";

  it("default config: cert-manager's five images at v1.16.5, MySQL, MinIO, the installer; the jetstack chart; the providers", () => {
    const inventory = readImageInventory(synthApp(config()).outdir);
    expect(references(inventory)).toEqual(
      [
        ...CERT_MANAGER.map((component) => `quay.io/jetstack/cert-manager-${component}:v1.16.5`),
        "docker.io/library/mysql:5.7.44",
        "quay.io/minio/minio:RELEASE.2025-04-22T22-12-26Z",
        INSTALLER,
      ].sort(),
    );
    expect(inventory.charts.map(({ repository, chart, version }) => ({ repository, chart, version }))).toEqual([
      { repository: "https://charts.jetstack.io", chart: "cert-manager", version: "v1.16.5" },
    ]);
    expect(inventory.providers.map(({ source, version }) => `${source} ${version}`)).toEqual([
      "registry.terraform.io/hashicorp/helm 3.1.1",
      "registry.terraform.io/hashicorp/kubernetes 2.38.0",
      "registry.terraform.io/hashicorp/random 3.7.2",
    ]);
    expect(inventory.gitpod.map((entry) => [entry.stack, entry.configMap.name, entry.repository, entry.installerImages])).toEqual([
      ["gitpod-release", "gitpod-installer", "eu.gcr.io/gitpod-core-dev/build", [INSTALLER]],
    ]);
    expect(inventory.warnings).toEqual([]);
  });

  it("mirror: only mirror references, and each names its public original", () => {
    const mirror = { registry: "registry.acme.dev/mirror", chartRepository: "oci://registry.acme.dev/charts" };
    const inventory = readImageInventory(synthApp(config({ mirror })).outdir);
    expect(inventory.images.length).toBe(8);
    expect(references(inventory).filter((reference) => !reference.startsWith("registry.acme.dev/mirror/"))).toEqual([]);
    expect(inventory.charts.map((chart) => chart.repository)).toEqual(["oci://registry.acme.dev/charts"]);
    expect(inventory.gitpod[0].repository).toBe("registry.acme.dev/mirror/gitpod-core-dev/build");

    const paired = withPublicOrigins(inventory, readImageInventory(synthApp(config()).outdir));
    expect(Object.fromEntries(paired.images.map((image) => [image.reference, image.copyOf]))).toMatchObject({
      "registry.acme.dev/mirror/library/mysql:5.7.44": "docker.io/library/mysql:5.7.44",
      "registry.acme.dev/mirror/jetstack/cert-manager-controller:v1.16.5": "quay.io/jetstack/cert-manager-controller:v1.16.5",
      "registry.acme.dev/mirror/gitpod-core-dev/build/installer:release-2022.11.3": INSTALLER,
    });
    expect(paired.gitpod[0].repositoryCopyOf).toBe("eu.gcr.io/gitpod-core-dev/build");
  });

  it("per-image overrides: listed as given, over the mirror", () => {
    const digest = `sha256:${"7".repeat(64)}`;
    const inventory = readImageInventory(
      synthApp(
        config({
          mirror: { registry: "registry.acme.dev/mirror" },
          gitpod: { installerImage: `pinned.acme.dev/installer:release-2022.11.3@${digest}` },
          database: { type: "in-cluster", image: "pinned.acme.dev/mysql:5.7.44" },
          storage: { type: "in-cluster", image: "pinned.acme.dev/minio:2025" },
          tls: { type: "self-signed", certManager: { images: { controller: `pinned.acme.dev/cert-manager-controller@${digest}` } } },
        }),
      ).outdir,
    );
    expect(references(inventory)).toEqual(
      expect.arrayContaining([
        `pinned.acme.dev/installer:release-2022.11.3@${digest}`,
        "pinned.acme.dev/mysql:5.7.44",
        "pinned.acme.dev/minio:2025",
        `pinned.acme.dev/cert-manager-controller@${digest}`,
        "registry.acme.dev/mirror/jetstack/cert-manager-webhook:v1.16.5",
      ]),
    );
    expect(references(inventory).filter((reference) => !/^(pinned\.acme\.dev|registry\.acme\.dev\/mirror)\//.test(reference))).toEqual([]);
    expect(inventory.gitpod[0].installerImages).toEqual([`pinned.acme.dev/installer:release-2022.11.3@${digest}`]);
  });
});
