/**
 * gitpod-release.sh as its hook Job runs it (the Job's own command and environment, under busybox
 * ash like Gitpod's Alpine installer image), against a render in the installer's exact on-disk
 * format. Real kubectl edits the rendered objects and reads secrets; real helm reads the release's
 * status and renders the chart the script builds. The cluster is the in-memory Kubernetes API they
 * talk to; only what needs a real cluster or Gitpod is a stand-in: the installer binary, helm's
 * install/uninstall/rollback (the install is real helm in client dry-run mode: the same chart
 * loading, templating and manifest building, without applying) and gpctl.
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import { App, TerraformStack } from "cdktf";
import { dump, load, loadAll } from "js-yaml";
import type { IJob } from "kubernetes-models/batch/v1/Job";
import { GitpodInstallation, RELEASE_SCRIPT_PATH } from "../modules/gitpod/gitpod-installation";
import { helmReleaseSecret, startFakeKubeApi, type FakeKubeApi, type HelmReleaseStatus } from "./support/fake-kube-api";
import { installerRender, writeInstallerRender, type RenderedObject } from "./support/installer-render";
import { literalInstallationProps } from "./support/literal-installation";
import { makeCertificates } from "./support/servers/certificates";
import { scratchDir } from "./support/synth";
import { busyboxTool, describeWithTools, findTool, helmTool, KUBE_TOOLS_BIN, kubectlTool, kubeToolsEnv, sshKeygenTool } from "./support/tools";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const NAMESPACE = "gitpod";
/** Where the hook Jobs themselves run. */
const INSTALLER_NAMESPACE = "gitpod-installer";
const SECRETS = { database: "gitpod-database", objectStorage: "gitpod-object-storage", registry: "gitpod-registry-auth", authProvider: "gitpod-auth-github" };
const CHECKSUM = "gitpod-cdktf/secrets-checksum";
const MANAGED_BY = { "app.kubernetes.io/managed-by": "gitpod-cdktf" };

type RegistryKind = "external" | "in-cluster";

/** The hook Jobs exactly as the construct generates them, for secrets named like SECRETS. */
function generatedJobs(registry: RegistryKind): Record<"apply" | "uninstall", IJob> {
  const stack = new TerraformStack(new App({ skipValidation: true, outdir: scratchDir("release-job-app-") }), "jobs");
  const installation = new GitpodInstallation(
    stack,
    "gitpod",
    literalInstallationProps({
      namespace: NAMESPACE,
      containerRegistry:
        registry === "external"
          ? { kind: "external", url: "registry.acme.dev/gitpod", auth: { server: "registry.acme.dev", username: "u", password: "p" } }
          : { kind: "in-cluster", keepVolumeOnUninstall: true },
      authProviders: [{ id: "github", type: "GitHub", host: "github.com", clientId: "id", clientSecret: "secret" }],
      installTimeoutSeconds: 600,
    }),
  );
  const jobs = Object.values(installation.chart.files)
    .map((text) => load(text) as Json)
    .filter((object) => object.kind === "Job");
  const byAction = (action: string) => jobs.find((job) => job.spec.template.spec.containers[0].command[2] === action) as IJob;
  return { apply: byAction("apply"), uninstall: byAction("uninstall") };
}

const STAND_INS: Record<string, string> = {
  installer: `
echo "installer $*" >> "$FAKE_LOG"
case "$1 $2" in
  "validate config") [ -n "\${FAKE_VALIDATE_FAILS:-}" ] && { echo '{"valid": false, "fatal": ["Field domain is required"]}'; exit 1; }; echo '{"valid": true}' ;;
  "render --config")
    while [ $# -gt 0 ]; do [ "$1" = --output-split-files ] && dir=$2; shift; done
    [ -n "\${FAKE_RENDER_FAILS:-}" ] && { echo "Error: render: boom" >&2; exit 1; }
    [ -n "\${FAKE_RENDER_EMPTY:-}" ] || cp "$FAKE_RENDER"/*.yaml "$dir"/ ;;
  *) exit 99 ;;
esac`,
  // Real helm for everything that does not change a cluster (status talks to the fake API). What
  // an operation leaves in Helm's records (after-<operation>.json) is written with real kubectl.
  helm: `
echo "helm $*" >> "$FAKE_LOG"
records() { [ ! -e "$FAKE_STATE/after-$1.json" ] || kubectl create --validate=false -f "$FAKE_STATE/after-$1.json" >/dev/null; }
case $1 in
  upgrade)
    cp -r "$3" "$FAKE_STATE/chart"
    "$REAL_HELM" "$@" --dry-run=client --disable-openapi-validation -o json >"$FAKE_STATE/release.json" || exit
    records upgrade
    [ -z "\${FAKE_UPGRADE_ERROR:-}" ] || { echo "$FAKE_UPGRADE_ERROR" >&2; exit 1; } ;;
  uninstall)
    for record in $(kubectl get secrets --namespace "$NAMESPACE" -l "name=$2,owner=helm" -o name); do kubectl delete --namespace "$NAMESPACE" "$record" >/dev/null; done ;;
  rollback) records rollback ;;
  *) exec "$REAL_HELM" "$@" ;;
esac`,
  // gpctl lists what ws-manager knows, in the namespace it finds as gpctl 2022.11.3 does (client-go
  // 0.24): it reads only the kubeconfig of --kubeconfig (default ~/.kube/config, never KUBECONFIG);
  // a kubeconfig with a cluster gives the current context's namespace, one without (in the Job)
  // the in-cluster namespace: POD_NAMESPACE, else the pod's own. Logged without the flag.
  // The image's ssh-keygen as the Job runs it: under uid 65532, which the image's /etc/passwd does
  // not list, OpenSSH's ssh-keygen stops before doing anything.
  "ssh-keygen": `
echo "No user exists for uid 65532" >&2
exit 255`,
  gpctl: `
config=$HOME/.kube/config
while [ $# -gt 0 ]; do
  case $1 in
    --kubeconfig | -c) config=$2; shift 2 ;;
    --kubeconfig=*) config=\${1#--kubeconfig=}; shift ;;
    *) break ;;
  esac
done
echo "gpctl $*" >> "$FAKE_LOG"
[ -e "$config" ] || { echo "stat $config: no such file or directory" >&2; exit 1; }
if [ -n "$(KUBECONFIG=$config kubectl config view --minify -o 'jsonpath={.clusters[0].cluster.server}')" ]; then
  namespace=$(KUBECONFIG=$config kubectl config view --minify -o 'jsonpath={..namespace}')
  namespace=\${namespace:-default}
else
  namespace=\${POD_NAMESPACE:-$FAKE_POD_NAMESPACE}
fi
[ "$namespace" = "$FAKE_GITPOD_NAMESPACE" ] || { echo "gpctl: no ws-manager in namespace $namespace" >&2; exit 1; }
[ -z "\${FAKE_GPCTL_DOWN:-}" ] || { echo 'level=fatal msg="cannot connect" error="ws-manager: connection refused"' >&2; exit 1; }
list=$FAKE_STATE/workspaces.json
case "$1 $2" in
  "workspaces list") cat "$list" ;;
  "workspaces stop")
    if [ -n "\${FAKE_STOP_FAILS_ONCE:-}" ] && [ ! -e "$FAKE_STATE/stop-failed" ]; then touch "$FAKE_STATE/stop-failed"; exit 1; fi
    [ -n "\${FAKE_WORKSPACES_STUCK:-}" ] || jq -c --arg id "$3" '[.[] | select(.Instance != $id)] | if length == 0 then null else . end' "$list" > "$list.new" && mv "$list.new" "$list" ;;
  *) exit 99 ;;
esac`,
};

interface Scenario {
  readonly env?: Record<string, string>;
  /** Helm's record of the Gitpod release before the run (none: not installed). */
  readonly release?: { status: HelmReleaseStatus; revision: number };
  /** Running workspaces (gpctl's JSON); omitted: none (gpctl prints null). */
  readonly workspaces?: string[];
  /** Data of the watched secrets (base64 values); default a fixed set. */
  readonly secretData?: Partial<Record<keyof typeof SECRETS, Record<string, string>>>;
  readonly render?: readonly RenderedObject[];
  readonly tlsSecret?: boolean;
  /** Which registry the Jobs are generated for. Default external (its login is a watched secret). */
  readonly registry?: RegistryKind;
  readonly configure?: (api: FakeKubeApi) => void;
  /** Helm records an operation adds (a rollback's new revision...). */
  readonly recordsAfter?: { readonly upgrade?: Json[]; readonly rollback?: Json[] };
  /**
   * As in the Job: no KUBECONFIG (kubectl and helm find the cluster themselves, here through
   * ~/.kube/config), so the kubeconfig the script writes for gpctl has a context but no cluster.
   */
  readonly inTheJob?: boolean;
}

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Stand-in calls, in order. */
  readonly calls: string[];
  /** The release real helm built from the script's chart (client dry-run), if it got that far. */
  readonly release?: Json;
  readonly chartDir: string;
  readonly api: FakeKubeApi;
  /** The run's scratch folder (WORK_DIR is its work/). */
  readonly dir: string;
}

const DEFAULT_RENDER = installerRender({ namespace: NAMESPACE, secrets: SECRETS });
let jobs: Record<RegistryKind, ReturnType<typeof generatedJobs>>;

/** The Job container's env with valueFrom resolved as the kubelet would (the pod's namespace, seed secret). */
function jobEnv(job: IJob): Record<string, string> {
  const container = job.spec!.template.spec!.containers[0];
  return Object.fromEntries(
    (container.env ?? []).map((variable) => {
      if (variable.value !== undefined) return [variable.name, variable.value];
      if (variable.valueFrom?.fieldRef?.fieldPath === "metadata.namespace") return [variable.name, job.metadata!.namespace!];
      if (variable.valueFrom?.secretKeyRef?.key === "seed") return [variable.name, "1234567890123456789"];
      throw new Error(`unexpected env ${variable.name}`);
    }),
  );
}

function runProcess(command: string, args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

async function run(action: "apply" | "uninstall", scenario: Scenario = {}): Promise<Run> {
  const dir = scratchDir("release-script-");
  const [bin, state, render] = ["bin", "state", "render"].map((name) => path.join(dir, name));
  for (const folder of [bin, state]) fs.mkdirSync(folder);
  for (const [name, body] of Object.entries(STAND_INS)) fs.writeFileSync(path.join(bin, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  writeInstallerRender(render, scenario.render ?? DEFAULT_RENDER);
  fs.writeFileSync(path.join(dir, "gitpod.config.yaml"), "apiVersion: v1\ndomain: gitpod.acme.dev\n");
  fs.writeFileSync(path.join(dir, "calls.log"), "");
  const workspaces = scenario.workspaces ?? [];
  fs.writeFileSync(
    path.join(state, "workspaces.json"),
    workspaces.length === 0 ? "null\n" : JSON.stringify(workspaces.map((id) => ({ Owner: "u1", WorkspaceID: `ws-${id}`, Instance: id, Phase: "RUNNING" }))),
  );

  for (const [operation, records] of Object.entries(scenario.recordsAfter ?? {})) {
    fs.writeFileSync(path.join(state, `after-${operation}.json`), JSON.stringify({ apiVersion: "v1", kind: "List", items: records }));
  }
  const api = await startFakeKubeApi();
  api.put({ apiVersion: "v1", kind: "Namespace", metadata: { name: NAMESPACE } });
  if (scenario.tlsSecret ?? true) api.put({ apiVersion: "v1", kind: "Secret", metadata: { name: "https-certificates", namespace: NAMESPACE }, data: { "tls.crt": "Y2VydA==" } });
  for (const [key, name] of Object.entries(SECRETS)) {
    const data = scenario.secretData?.[key as keyof typeof SECRETS] ?? { value: Buffer.from(`${key}-v1`).toString("base64") };
    api.put({ apiVersion: "v1", kind: "Secret", metadata: { name, namespace: NAMESPACE }, data });
  }
  if (scenario.release) {
    for (let revision = 1; revision <= scenario.release.revision; revision++) {
      api.put(helmReleaseSecret("gitpod", NAMESPACE, revision, revision === scenario.release.revision ? scenario.release.status : "superseded"));
    }
  }
  scenario.configure?.(api);

  const job = jobs[scenario.registry ?? "external"][action];
  const command = job.spec!.template.spec!.containers[0].command!;
  expect(command).toEqual(["/bin/sh", "/gitpod-release/gitpod-release.sh", action]);
  const kubeconfig = api.writeKubeconfig(dir);
  if (scenario.inTheJob) {
    fs.mkdirSync(path.join(dir, ".kube"));
    fs.copyFileSync(kubeconfig, path.join(dir, ".kube", "config"));
  }
  const result = await runProcess("busybox", ["sh", RELEASE_SCRIPT_PATH, action], {
    ...kubeToolsEnv(dir, scenario.inTheJob ? "" : kubeconfig),
    ...jobEnv(job),
    // Where the image keeps its tools, the ConfigMap mounts its inputs, and the emptyDir is.
    PATH: `${bin}:${KUBE_TOOLS_BIN}:/usr/bin:/bin`,
    HOME: dir,
    CONFIG_FILE: path.join(dir, "gitpod.config.yaml"),
    INSTALLER: path.join(bin, "installer"),
    GPCTL: path.join(bin, "gpctl"),
    WORK_DIR: path.join(dir, "work"),
    POLL_SECONDS: "0",
    REAL_HELM: path.join(KUBE_TOOLS_BIN, "helm"),
    FAKE_LOG: path.join(dir, "calls.log"),
    FAKE_STATE: state,
    FAKE_RENDER: render,
    FAKE_GITPOD_NAMESPACE: NAMESPACE,
    FAKE_POD_NAMESPACE: job.metadata!.namespace!,
    ...scenario.env,
  });
  await api.close();
  const releaseFile = path.join(state, "release.json");
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    calls: fs.readFileSync(path.join(dir, "calls.log"), "utf8").trim().split("\n").filter(Boolean).map((line) => line.split(dir).join("<dir>")),
    release: fs.existsSync(releaseFile) ? JSON.parse(fs.readFileSync(releaseFile, "utf8")) : undefined,
    chartDir: path.join(state, "chart"),
    api,
    dir,
  };
}

/** The objects of a Helm manifest, by "Kind/name". */
function manifestObjects(manifest: string): Record<string, Json> {
  const objects: Record<string, Json> = {};
  for (const document of loadAll(manifest)) {
    if (!document) continue;
    const object = document as Json;
    const id = `${object.kind}/${object.metadata.name}`;
    expect(objects[id]).toBeUndefined();
    objects[id] = object;
  }
  return objects;
}

const renderedObjects = (render: readonly RenderedObject[]) => Object.fromEntries(render.map((item) => [`${item.object.kind}/${(item.object.metadata as Json).name}`, item.object]));

/** A render object with only the annotations the script adds on purpose removed. */
function withoutScriptAnnotations(object: Json): Json {
  const copy = JSON.parse(JSON.stringify(object));
  const drop = (holder: Json | undefined, key: string) => {
    if (!holder?.annotations) return;
    delete holder.annotations[key];
    if (Object.keys(holder.annotations).length === 0) delete holder.annotations;
  };
  drop(copy.metadata, "helm.sh/resource-policy");
  drop(copy.spec?.template?.metadata, CHECKSUM);
  return copy;
}

const checksumOf = (object: Json): string | undefined => object.spec?.template?.metadata?.annotations?.[CHECKSUM];
const readersIn = (objects: Record<string, Json>) =>
  Object.entries(objects)
    .filter(([, object]) => checksumOf(object) !== undefined)
    .map(([id]) => id)
    .sort();

/** Secrets the script itself creates (SSH_GATEWAY_HOST_KEY_SECRET, CUSTOM_CA_BUNDLE_SECRET). */
const HOST_KEY = "gitpod-ssh-gateway-host-key";
const BUNDLE = "gitpod-custom-ca";

const secretObject = (name: string, data: Record<string, string>, labels?: Record<string, string>): Json => ({
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name, namespace: NAMESPACE, ...(labels ? { labels } : {}) },
  data: Object.fromEntries(Object.entries(data).map(([key, value]) => [key, Buffer.from(value).toString("base64")])),
});
const secretIn = (result: Run, name: string) => result.api.get("v1", "Secret", NAMESPACE, name) as Json | undefined;
const decoded = (secret: Json, key: string) => Buffer.from(secret.data[key], "base64").toString("utf8");

/** The requests of a run that created, changed or deleted secret `name`. */
const writesTo = (result: Run, name: string) =>
  result.api.requests.filter(
    (request) => request.method !== "GET" && (request.path.endsWith(`/secrets/${name}`) || (request.path.endsWith("/secrets") && (request.body as Json | undefined)?.metadata?.name === name)),
  );

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(file) : entry.isFile() ? [file] : [];
  });
}

/** What would betray a private key: its PEM markers, every line of its body, its base64 as stored. */
const keyTraces = (pem: string, stored: string) => ["PRIVATE KEY", ...pem.split("\n").filter((line) => line && !line.startsWith("-----")), stored.slice(0, 64)];

/** The subjects of the certificates openssl finds in a PEM bundle, in order. */
function certificateSubjects(pem: string): string[] {
  const file = path.join(scratchDir("bundle-"), "bundle.crt");
  fs.writeFileSync(file, pem);
  const pkcs7 = spawnSync("openssl", ["crl2pkcs7", "-nocrl", "-certfile", file], { encoding: "utf8" });
  if (pkcs7.status !== 0) return [];
  const certificates = spawnSync("openssl", ["pkcs7", "-print_certs", "-noout"], { input: pkcs7.stdout, encoding: "utf8" });
  return certificates.stdout.split("\n").filter((line) => line.startsWith("subject="));
}

/** The render with one more secret volume in a workload's pod template (as customCACert adds one). */
function withSecretVolume(render: readonly RenderedObject[], fileSuffix: string, secretName: string): RenderedObject[] {
  return render.map((item) => {
    if (!item.fileName.endsWith(fileSuffix)) return item;
    const object = JSON.parse(JSON.stringify(item.object)) as Json;
    object.spec.template.spec.volumes = [...(object.spec.template.spec.volumes ?? []), { name: "custom-ca-certificate", secret: { secretName } }];
    const text = `---\n# ${object.apiVersion}/${object.kind} ${object.metadata.name}\n${dump(object, { sortKeys: true, noArrayIndent: true, lineWidth: -1 }).trimEnd()}`;
    return { ...item, object, text };
  });
}

describeWithTools("gitpod-release.sh, as its hook Job runs it under busybox, with real kubectl and helm", [busyboxTool(), helmTool(), kubectlTool(), findTool("jq")], () => {
  beforeAll(() => {
    jobs = { external: generatedJobs("external"), "in-cluster": generatedJobs("in-cluster") };
  });

  describe("a first install of a render in the installer's real format", () => {
    let first: Run;
    beforeAll(async () => {
      first = await run("apply");
    });

    it("succeeds, installing atomically with the seed and the Job's timeout", () => {
      expect(first.stderr).toContain("gitpod-release: rendered 189 objects");
      expect(first.status).toBe(0);
      expect(first.calls).toEqual([
        "installer validate config --config <dir>/gitpod.config.yaml",
        "installer render --config <dir>/gitpod.config.yaml --namespace gitpod --seed 1234567890123456789 --output-split-files <dir>/work/objects",
        "helm status gitpod --namespace gitpod",
        "helm upgrade gitpod <dir>/work/chart --install --atomic --cleanup-on-fail --wait --timeout 600s --namespace gitpod",
      ]);
    });

    it("the fixture is a realistic render: ~190 files, ~290 KB, none ending in a newline", () => {
      expect(DEFAULT_RENDER).toHaveLength(189);
      const size = DEFAULT_RENDER.reduce((total, item) => total + item.text.length, 0);
      expect(size).toBeGreaterThan(260_000);
      expect(size).toBeLessThan(320_000);
      expect(DEFAULT_RENDER.filter((item) => item.text.endsWith("\n"))).toEqual([]);
    });

    it("Helm's manifest holds every rendered object unchanged, beyond the annotations the script adds", () => {
      const installed = manifestObjects(first.release!.manifest);
      const rendered = renderedObjects(DEFAULT_RENDER);
      expect(Object.keys(installed).sort()).toEqual(Object.keys(rendered).sort());
      for (const [id, object] of Object.entries(rendered)) {
        expect([id, withoutScriptAnnotations(installed[id])]).toEqual([id, object]);
      }
      // The text that once broke the install survives: Go-template-like strings and binary data.
      expect(installed["ConfigMap/openvsx-proxy"].data["nginx.conf"]).toContain("{{extensionsGalleryItemUrl}}");
      expect(installed["ConfigMap/openvsx-proxy"].data["nginx.conf"]).toContain("{{- if .Values.cache }}");
      expect(installed["ConfigMap/ws-manager"].data["template.yaml"]).toBe("name: {{ .Prefix }}-{{ .InstanceID }}\nowner: {{ .Owner }}");
      expect(installed["StatefulSet/messagebus"].metadata.namespace).toBe("gitpod");
    });

    it("leaves volumes to Helm when the registry is not Gitpod's own (nothing of value on them)", () => {
      const installed = manifestObjects(first.release!.manifest);
      expect(Object.values(installed).filter((object) => object.metadata.annotations?.["helm.sh/resource-policy"])).toEqual([]);
    });

    it("marks exactly the workloads that read a Terraform-managed secret with a checksum of its data", () => {
      const installed = manifestObjects(first.release!.manifest);
      // Facts of 2022.11.3: server reads the database and auth providers, content-service and
      // ws-daemon the storage, image-builder-mk3/registry-facade/blobserve the registry login.
      expect(readersIn(installed)).toEqual([
        "DaemonSet/registry-facade",
        "DaemonSet/ws-daemon",
        "Deployment/blobserve",
        "Deployment/content-service",
        "Deployment/image-builder-mk3",
        "Deployment/public-api-server",
        "Deployment/server",
        "Deployment/usage",
        "Deployment/ws-manager-bridge",
      ]);
      expect(first.stderr).toContain("9 workload(s) read the watched secrets");
    });

    it("builds a chart that real helm lints strictly and templates the same way", async () => {
      const env = kubeToolsEnv(scratchDir("release-chart-"));
      const lint = await runProcess("helm", ["lint", "--strict", first.chartDir], env);
      expect(lint.stdout + lint.stderr).toContain("1 chart(s) linted, 0 chart(s) failed");
      const template = await runProcess("helm", ["template", "gitpod", first.chartDir, "--namespace", NAMESPACE, "--kube-version", "1.21.0"], env);
      expect(template.status).toBe(0);
      expect(Object.keys(manifestObjects(template.stdout)).sort()).toEqual(Object.keys(manifestObjects(first.release!.manifest)).sort());
    });

    it("keeps Helm's release record far below its 1 MiB limit", () => {
      // What the secret storage driver writes: base64(gzip(release JSON)).
      const stored = zlib.gzipSync(Buffer.from(JSON.stringify(first.release))).toString("base64");
      expect(stored.length).toBeLessThan(400 * 1024);
    });
  });

  it("keeps the volumes on uninstall with Gitpod's own registry (Helm's resource policy), and only those", async () => {
    const result = await run("apply", { registry: "in-cluster" });
    expect(result.status).toBe(0);
    const installed = manifestObjects(result.release!.manifest);
    const kept = Object.entries(installed).filter(([, object]) => object.metadata.annotations?.["helm.sh/resource-policy"] === "keep");
    expect(kept.map(([id]) => id).sort()).toEqual(["PersistentVolumeClaim/minio", "PersistentVolumeClaim/registry"]);
    // The rest of each volume claim is untouched.
    expect(withoutScriptAnnotations(installed["PersistentVolumeClaim/registry"])).toEqual(renderedObjects(DEFAULT_RENDER)["PersistentVolumeClaim/registry"]);
  });

  it("stays under Helm's 1 MiB release record for a render twice as large", async () => {
    const render = installerRender({ namespace: NAMESPACE, secrets: SECRETS, copies: 2 });
    const result = await run("apply", { render });
    expect(result.status).toBe(0);
    expect(Object.keys(manifestObjects(result.release!.manifest))).toHaveLength(2 * 189);
    const stored = zlib.gzipSync(Buffer.from(JSON.stringify(result.release))).toString("base64");
    expect(stored.length).toBeLessThan(1024 * 1024);
  });

  it("a changed secret changes the checksum of exactly the workloads that read it", async () => {
    const before = manifestObjects((await run("apply")).release!.manifest);
    const rotated = await run("apply", { secretData: { objectStorage: { value: Buffer.from("rotated").toString("base64") } } });
    const after = manifestObjects(rotated.release!.manifest);
    const changed = Object.keys(after).filter((id) => JSON.stringify(after[id]) !== JSON.stringify(before[id]));
    expect(changed.sort()).toEqual(["DaemonSet/ws-daemon", "Deployment/content-service"]);
    expect(checksumOf(after["Deployment/content-service"])).not.toBe(checksumOf(before["Deployment/content-service"]));
  });

  it("refuses a render containing '<no value>', which Helm would silently delete", async () => {
    const render = DEFAULT_RENDER.map((item) =>
      item.fileName.includes("ConfigMap_dashboard") ? { ...item, text: `${item.text.replace("data:", "data:\n  broken: x <no value> y")}` } : item,
    );
    const result = await run("apply", { render });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/ERROR: the rendered objects contain the text '<no value>', which Helm would silently delete: .*ConfigMap_dashboard\.yaml/);
    expect(result.calls.some((call) => call.startsWith("helm upgrade"))).toBe(false);
  });

  describe("upgrading a deployed release", () => {
    it("stops running workspaces first, in Gitpod's namespace, retrying once, then upgrades", async () => {
      const result = await run("apply", { release: { status: "deployed", revision: 3 }, workspaces: ["a1", "b2"], env: { FAKE_STOP_FAILS_ONCE: "1" } });
      expect(result.status).toBe(0);
      expect(result.calls.filter((call) => !call.startsWith("installer"))).toEqual([
        "helm status gitpod --namespace gitpod",
        "gpctl workspaces list -o json",
        "gpctl workspaces stop a1",
        "gpctl workspaces stop a1",
        "gpctl workspaces stop b2",
        "gpctl workspaces list -o json",
        "helm upgrade gitpod <dir>/work/chart --install --atomic --cleanup-on-fail --wait --timeout 600s --namespace gitpod",
      ]);
      expect(result.stderr).toContain("stopping 2 running workspace(s) first (up to 900s)");
      expect(result.stderr).toContain("all workspaces are stopped");
    });

    it("finds ws-manager in Gitpod's namespace from inside the Job, which runs in the installer's", async () => {
      expect(jobs.external.apply.metadata!.namespace).toBe(INSTALLER_NAMESPACE);
      const result = await run("apply", { release: { status: "deployed", revision: 3 }, workspaces: ["a1"], inTheJob: true });
      expect(result.status).toBe(0);
      expect(result.calls.filter((call) => call.startsWith("gpctl"))).toEqual(["gpctl workspaces list -o json", "gpctl workspaces stop a1", "gpctl workspaces list -o json"]);
      expect(result.stderr).toContain("all workspaces are stopped");
    });

    it("(the gpctl stand-in is faithful: without POD_NAMESPACE, in the Job it looks in the Job's own namespace)", async () => {
      const dir = scratchDir("gpctl-stand-in-");
      fs.writeFileSync(path.join(dir, "gpctl"), `#!/bin/sh\n${STAND_INS.gpctl}\n`, { mode: 0o755 });
      const config = path.join(dir, "context-only.kubeconfig");
      fs.writeFileSync(config, "apiVersion: v1\nkind: Config\ncontexts:\n- name: job\n  context:\n    namespace: gitpod\ncurrent-context: job\n");
      const env = { ...kubeToolsEnv(dir), FAKE_LOG: path.join(dir, "calls.log"), FAKE_GITPOD_NAMESPACE: NAMESPACE, FAKE_POD_NAMESPACE: INSTALLER_NAMESPACE };
      const gpctl = (extra: Record<string, string>) => runProcess("busybox", ["sh", path.join(dir, "gpctl"), "--kubeconfig", config, "workspaces", "bogus"], { ...env, ...extra });
      expect((await gpctl({})).stderr).toContain("gpctl: no ws-manager in namespace gitpod-installer");
      expect((await gpctl({ POD_NAMESPACE: NAMESPACE })).status).toBe(99);
      // And it never reads KUBECONFIG.
      const ignored = await runProcess("busybox", ["sh", path.join(dir, "gpctl"), "workspaces", "list"], { ...env, KUBECONFIG: config });
      expect(ignored.stderr).toContain(`stat ${dir}/.kube/config: no such file or directory`);
    });

    it("leaves Gitpod as it is when workspaces do not stop in time", async () => {
      const result = await run("apply", { release: { status: "deployed", revision: 3 }, workspaces: ["a1"], env: { FAKE_WORKSPACES_STUCK: "1", WORKSPACE_STOP_SECONDS: "0" } });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain("ERROR: workspaces still running after 0s, so Gitpod was left as it is: a1");
      expect(result.calls.some((call) => call.startsWith("helm upgrade"))).toBe(false);
    });

    it("goes on, with a warning, when ws-manager cannot be reached (nothing could save them)", async () => {
      const result = await run("apply", { release: { status: "deployed", revision: 3 }, env: { FAKE_GPCTL_DOWN: "1" } });
      expect(result.status).toBe(0);
      expect(result.stderr).toContain('WARNING: could not list workspaces (level=fatal msg="cannot connect" error="ws-manager: connection refused"); continuing');
    });

    it("says the upgrade was rolled back only when Helm really rolled it back", async () => {
      // --atomic's rollback leaves a new deployed revision behind.
      const rolledBack = await run("apply", {
        release: { status: "deployed", revision: 3 },
        env: { FAKE_UPGRADE_ERROR: "Error: UPGRADE FAILED: release gitpod failed, and has been rolled back due to atomic being set: context deadline exceeded" },
        recordsAfter: { upgrade: [helmReleaseSecret("gitpod", NAMESPACE, 4, "failed"), helmReleaseSecret("gitpod", NAMESPACE, 5, "deployed")] },
      });
      expect(rolledBack.status).toBe(1);
      expect(rolledBack.stderr).toContain("ERROR: upgrading Gitpod failed and Helm rolled it back: revision 5 is deployed and runs the previous version (Error: UPGRADE FAILED:");

      const untouched = await run("apply", {
        release: { status: "deployed", revision: 3 },
        env: { FAKE_UPGRADE_ERROR: 'Error: UPGRADE FAILED: Kubernetes cluster unreachable: Get "https://10.0.0.1/version": dial tcp: i/o timeout' },
      });
      expect(untouched.status).toBe(1);
      expect(untouched.stderr).toContain("ERROR: helm upgrade failed before changing anything: the release is still 'deployed' at revision 3 (Error: UPGRADE FAILED: Kubernetes cluster unreachable");
    });

    it("reports a first install that Helm removed again", async () => {
      const result = await run("apply", { env: { FAKE_UPGRADE_ERROR: "Error: INSTALLATION FAILED: release gitpod failed, and has been uninstalled due to atomic being set: timed out waiting for the condition" } });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain("ERROR: installing Gitpod failed and nothing of it is left installed (Error: INSTALLATION FAILED:");
    });
  });

  describe("an interrupted release", () => {
    it.each([
      ["pending-install", 1],
      ["failed", 1],
    ] as const)("'%s' at revision %d (a first install) is uninstalled, then installed afresh", async (status, revision) => {
      const result = await run("apply", { release: { status, revision } });
      expect(result.status).toBe(0);
      expect(result.stderr).toContain(`release gitpod is '${status}' at revision ${revision} (an interrupted install): uninstalling it before installing again`);
      expect(result.calls.filter((call) => !call.startsWith("installer"))).toEqual([
        "helm status gitpod --namespace gitpod",
        "helm uninstall gitpod --namespace gitpod --wait --timeout 600s",
        "helm status gitpod --namespace gitpod",
        expect.stringMatching(/^helm upgrade gitpod /),
      ]);
      expect(result.release!.version).toBe(1);
    });

    it.each([
      ["pending-upgrade", 4],
      ["pending-rollback", 4],
      ["failed", 4],
    ] as const)("'%s' at revision %d (a later revision) is rolled back, then upgraded with workspaces stopped", async (status, revision) => {
      const result = await run("apply", { release: { status, revision }, recordsAfter: { rollback: [helmReleaseSecret("gitpod", NAMESPACE, revision + 1, "deployed")] } });
      expect(result.status).toBe(0);
      expect(result.calls.filter((call) => !call.startsWith("installer"))).toEqual([
        "helm status gitpod --namespace gitpod",
        "helm rollback gitpod --namespace gitpod --wait --timeout 600s",
        "helm status gitpod --namespace gitpod",
        "gpctl workspaces list -o json",
        expect.stringMatching(/^helm upgrade gitpod /),
      ]);
      expect(result.release!.version).toBe(revision + 2);
    });

    it("a deployed release is not 'recovered'", async () => {
      const result = await run("apply", { release: { status: "deployed", revision: 7 } });
      expect(result.status).toBe(0);
      expect(result.calls.filter((call) => /^helm (rollback|uninstall)/.test(call))).toEqual([]);
    });

    it("nothing is changed when helm cannot read the release (RBAC), with Helm's own reason", async () => {
      const result = await run("apply", { release: { status: "pending-upgrade", revision: 4 }, configure: (api) => api.forbid("GET", /\/secrets$/) });
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/ERROR: cannot tell whether release gitpod is installed in gitpod, so nothing was changed: helm status said: Error: query: failed to query with labels: .*forbidden/);
      expect(result.calls.filter((call) => call.startsWith("helm"))).toEqual(["helm status gitpod --namespace gitpod"]);
    });
  });

  describe("before the install", () => {
    it("waits for the TLS secret until cert-manager has issued it", async () => {
      let polls = 0;
      const result = await run("apply", {
        tlsSecret: false,
        configure: (api) =>
          // cert-manager issues the secret while the script waits: it is there at the third look.
          api.onRequest((request) => {
            if (request.path.endsWith("/secrets/https-certificates") && ++polls === 3) {
              api.put({ apiVersion: "v1", kind: "Secret", metadata: { name: "https-certificates", namespace: NAMESPACE }, data: {} });
            }
          }),
      });
      expect(result.status).toBe(0);
      expect(polls).toBe(3);
      expect(result.stderr).toContain("waiting up to 600s for TLS secret https-certificates");
    });

    it("gives up on a TLS secret that never appears, says where to look, and installs nothing", async () => {
      const result = await run("apply", { tlsSecret: false, env: { TIMEOUT_SECONDS: "0", TLS_SECRET: "my-tls" } });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain("ERROR: TLS secret my-tls did not appear in namespace gitpod within 0s; check its Certificate: kubectl describe certificate --namespace gitpod");
      expect(result.calls.some((call) => call.startsWith("installer render") || call.startsWith("helm"))).toBe(false);
    });

    it("fails at once, instead of waiting, when it may not read the TLS secret", async () => {
      const result = await run("apply", { configure: (api) => api.forbid("GET", /\/secrets\/https-certificates$/) });
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/ERROR: could not look for TLS secret https-certificates: Error from server \(Forbidden\)/);
    });

    it("stops when the installer rejects the config, before touching the cluster", async () => {
      const result = await run("apply", { env: { FAKE_VALIDATE_FAILS: "1" } });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain("ERROR: the installer rejected the configuration");
      expect(result.calls).toEqual(["installer validate config --config <dir>/gitpod.config.yaml"]);
    });

    it.each([
      ["missing", ""],
      ["zero", "0"],
      ["not a number", "12ab"],
    ])("refuses a %s render seed (random credentials would change on every upgrade)", async (_, seed) => {
      const result = await run("apply", { env: { RENDER_SEED: seed } });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain("RENDER_SEED must be a positive integer");
      expect(result.calls).toEqual([]);
    });

    it("fails when render fails or renders nothing, without installing", async () => {
      for (const [env, message] of [
        [{ FAKE_RENDER_FAILS: "1" }, "ERROR: installer render failed"],
        [{ FAKE_RENDER_EMPTY: "1" }, "ERROR: installer render produced no objects"],
      ] as const) {
        const result = await run("apply", { env });
        expect(result.status).toBe(1);
        expect(result.stderr).toContain(message);
        expect(result.calls.some((call) => call.startsWith("helm"))).toBe(false);
      }
    });

    it("fails clearly, installing nothing, when a secret Gitpod's config refers to is missing or unreadable", async () => {
      const missing = await run("apply", { configure: (api) => api.remove("v1", "Secret", NAMESPACE, "gitpod-object-storage") });
      expect(missing.status).toBe(1);
      expect(missing.stderr).toContain(`ERROR: could not read secret gitpod-object-storage, which Gitpod's config refers to: Error from server (NotFound): secrets "gitpod-object-storage" not found`);
      const forbidden = await run("apply", { configure: (api) => api.forbid("GET", /\/secrets\/gitpod-object-storage$/) });
      expect(forbidden.stderr).toMatch(/ERROR: could not read secret gitpod-object-storage, which Gitpod's config refers to: Error from server \(Forbidden\)/);
      for (const result of [missing, forbidden]) expect(result.calls.some((call) => call.startsWith("helm"))).toBe(false);
    });
  });

  describeWithTools("the SSH gateway host key (SSH_GATEWAY_HOST_KEY_SECRET)", [sshKeygenTool()], () => {
    const env = { SSH_GATEWAY_HOST_KEY_SECRET: HOST_KEY };
    let first: Run;
    beforeAll(async () => {
      first = await run("apply", { env });
    });

    it("is created before render when missing: a secret in Gitpod's namespace with one key, host.key", () => {
      expect(first.status).toBe(0);
      const secret = secretIn(first, HOST_KEY)!;
      expect(secret.metadata).toMatchObject({ name: HOST_KEY, namespace: NAMESPACE, labels: MANAGED_BY });
      expect(secret.type).toBe("Opaque");
      expect(Object.keys(secret.data)).toEqual(["host.key"]);
      expect(first.calls.slice(0, 3)).toEqual([
        "installer validate config --config <dir>/gitpod.config.yaml",
        `helm template ssh-gateway-host-key <dir>/work/host-key --set-string name=${HOST_KEY}`,
        expect.stringMatching(/^installer render /),
      ]);
      expect(first.stderr).toContain(`created SSH gateway host key secret ${HOST_KEY}`);
    });

    it("holds an RSA 4096 private key in PEM that OpenSSH reads (ws-proxy parses it with Go's ssh.ParsePrivateKey)", () => {
      const pem = decoded(secretIn(first, HOST_KEY)!, "host.key");
      expect(pem).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n[A-Za-z0-9+/=\n]+\n-----END RSA PRIVATE KEY-----\n$/);
      const file = path.join(scratchDir("host-key-"), "host.key");
      fs.writeFileSync(file, pem, { mode: 0o600 });
      const publicKey = spawnSync("ssh-keygen", ["-y", "-f", file], { encoding: "utf8" });
      expect([publicKey.status, publicKey.stderr]).toEqual([0, ""]);
      expect(publicKey.stdout).toMatch(/^ssh-rsa AAAA/);
      expect(spawnSync("ssh-keygen", ["-l", "-f", file], { encoding: "utf8" }).stdout).toMatch(/^4096 SHA256:\S+ .*\(RSA\)$/m);
    });

    it("leaves nothing of the key in the script's output, its calls or its files", () => {
      const secret = secretIn(first, HOST_KEY)!;
      const traces = keyTraces(decoded(secret, "host.key"), secret.data["host.key"]);
      const output = [first.stdout, first.stderr, ...first.calls].join("\n");
      expect(traces.filter((trace) => output.includes(trace))).toEqual([]);
      const files = filesUnder(first.dir).filter((file) => traces.some((trace) => fs.readFileSync(file, "latin1").includes(trace)));
      expect(files).toEqual([]);
      expect(fs.existsSync(path.join(first.dir, "work", "host-key"))).toBe(false);
    });

    it("is kept by the next apply: not written, no other key generated", async () => {
      const original = secretIn(first, HOST_KEY)!;
      const second = await run("apply", { env, configure: (api) => api.put(JSON.parse(JSON.stringify(original))) });
      expect(second.status).toBe(0);
      expect(second.stderr).toContain(`SSH gateway host key secret ${HOST_KEY} exists: left as it is`);
      expect(secretIn(second, HOST_KEY)).toEqual(original);
      expect(writesTo(second, HOST_KEY)).toEqual([]);
      expect(second.calls.filter((call) => call.startsWith("helm template"))).toEqual([]);
    });

    it("leaves a secret the admin made alone, whatever its keys and labels", async () => {
      const own = { apiVersion: "v1", kind: "Secret", metadata: { name: HOST_KEY, namespace: NAMESPACE }, data: { id_ed25519: Buffer.from("the admin's key").toString("base64") } };
      const result = await run("apply", { env, configure: (api) => api.put(JSON.parse(JSON.stringify(own))) });
      expect(result.status).toBe(0);
      expect(secretIn(result, HOST_KEY)).toEqual(own);
      expect(writesTo(result, HOST_KEY)).toEqual([]);
    });

    it("fails, generating and installing nothing, when it cannot tell whether the secret exists (not NotFound)", async () => {
      const result = await run("apply", { env, configure: (api) => api.forbid("GET", new RegExp(`/secrets/${HOST_KEY}$`)) });
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(new RegExp(`ERROR: could not look for SSH gateway host key secret ${HOST_KEY}: Error from server \\(Forbidden\\)`));
      expect(writesTo(result, HOST_KEY)).toEqual([]);
      expect(result.calls).toEqual(["installer validate config --config <dir>/gitpod.config.yaml"]);
    });

    it("fails clearly when it may not create the secret, and leaves no key behind", async () => {
      const result = await run("apply", { env, configure: (api) => api.forbid("POST", /\/secrets$/) });
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(new RegExp(`ERROR: could not create SSH gateway host key secret ${HOST_KEY}: Error from server \\(Forbidden\\)`));
      expect(result.stdout + result.stderr).not.toContain("PRIVATE KEY");
      expect(fs.existsSync(path.join(result.dir, "work", "host-key"))).toBe(false);
      expect(result.calls.some((call) => call.startsWith("installer render") || call.startsWith("helm upgrade"))).toBe(false);
    });
  });

  describeWithTools("the custom CA bundle (CUSTOM_CA_BUNDLE_SECRET, CUSTOM_CA_BUNDLE_SOURCES)", [findTool("openssl", ["version"])], () => {
    /** cert-manager's secret of the self-signed CA (ca.crt, tls.crt, tls.key), then a Terraform-written one. */
    const SELF_SIGNED = "gitpod-self-signed-ca";
    const CORPORATE = "gitpod-corporate-ca";
    const env = { CUSTOM_CA_BUNDLE_SECRET: BUNDLE, CUSTOM_CA_BUNDLE_SOURCES: `${SELF_SIGNED} ${CORPORATE}` };
    let ca: Record<"selfSigned" | "corporate" | "corporate2", string>;
    beforeAll(() => {
      const dir = scratchDir("ca-bundle-");
      ca = {
        // One source without a final newline, one with.
        selfSigned: makeCertificates(path.join(dir, "self-signed"), "Gitpod self-signed CA").caPem.trimEnd(),
        corporate: makeCertificates(path.join(dir, "corporate"), "ACME corporate CA").caPem,
        corporate2: makeCertificates(path.join(dir, "corporate2"), "ACME corporate CA 2").caPem,
      };
      expect(ca.corporate.endsWith("\n")).toBe(true);
    });

    const sources = (api: FakeKubeApi, corporate = ca.corporate) => {
      api.put(secretObject(SELF_SIGNED, { "ca.crt": ca.selfSigned, "tls.crt": ca.selfSigned, "tls.key": "not a key" }));
      api.put(secretObject(CORPORATE, { "ca.crt": corporate }));
    };
    const bundleIn = (result: Run) => decoded(secretIn(result, BUNDLE)!, "ca.crt");

    it("concatenates the sources' ca.crt in order, with or without a final newline, into one secret", async () => {
      const result = await run("apply", { env, configure: (api) => sources(api) });
      expect(result.status).toBe(0);
      const secret = secretIn(result, BUNDLE)!;
      expect(secret.metadata).toMatchObject({ name: BUNDLE, namespace: NAMESPACE, labels: MANAGED_BY });
      expect(Object.keys(secret.data)).toEqual(["ca.crt"]);
      expect(bundleIn(result)).toBe(`${ca.selfSigned}\n${ca.corporate}`);
      expect(certificateSubjects(bundleIn(result))).toEqual(["subject=CN = Gitpod self-signed CA", "subject=CN = ACME corporate CA"]);
      // (Without the newline in between, openssl would not find both.)
      expect(certificateSubjects(ca.selfSigned + ca.corporate)).not.toHaveLength(2);
      expect(result.stderr).toContain(`CA bundle ${BUNDLE} created from: ${SELF_SIGNED} ${CORPORATE}`);
      // After the TLS wait: the self-signed CA's secret is read only once the TLS secret is there.
      const paths = result.api.requests.map((request) => request.path);
      expect(paths.indexOf(`/api/v1/namespaces/${NAMESPACE}/secrets/${SELF_SIGNED}`)).toBeGreaterThan(paths.indexOf(`/api/v1/namespaces/${NAMESPACE}/secrets/https-certificates`));
    });

    it("rewrites the bundle when a source changed, and leaves it alone when nothing did", async () => {
      const previous = secretObject(BUNDLE, { "ca.crt": `${ca.selfSigned}\n${ca.corporate}` }, MANAGED_BY);
      const changed = await run("apply", { env, configure: (api) => (sources(api, ca.corporate2), api.put(previous)) });
      expect(changed.status).toBe(0);
      expect(bundleIn(changed)).toBe(`${ca.selfSigned}\n${ca.corporate2}`);
      expect(certificateSubjects(bundleIn(changed))).toEqual(["subject=CN = Gitpod self-signed CA", "subject=CN = ACME corporate CA 2"]);
      expect(writesTo(changed, BUNDLE).map((request) => request.method)).toEqual(["PATCH"]);
      expect(changed.stderr).toContain(`CA bundle ${BUNDLE} updated from: ${SELF_SIGNED} ${CORPORATE}`);

      const same = await run("apply", { env, configure: (api) => (sources(api), api.put(previous)) });
      expect(same.status).toBe(0);
      expect(writesTo(same, BUNDLE)).toEqual([]);
      expect(same.stderr).toContain(`CA bundle ${BUNDLE} is up to date`);
    });

    it("fails clearly, installing nothing, when a source secret or its ca.crt is missing", async () => {
      const missing = await run("apply", { env, configure: (api) => api.put(secretObject(SELF_SIGNED, { "ca.crt": ca.selfSigned })) });
      expect(missing.stderr).toContain(
        `ERROR: could not read secret ${CORPORATE}, a source of the CA bundle ${BUNDLE}: Error from server (NotFound): secrets "${CORPORATE}" not found`,
      );
      const noKey = await run("apply", { env, configure: (api) => (sources(api), api.put(secretObject(CORPORATE, { "tls.crt": ca.corporate }))) });
      expect(noKey.stderr).toContain(`ERROR: secret ${CORPORATE}, a source of the CA bundle ${BUNDLE}, has no key ca.crt`);
      const notPem = await run("apply", { env, configure: (api) => (sources(api), api.put(secretObject(CORPORATE, { "ca.crt": "not a certificate" }))) });
      expect(notPem.stderr).toContain(`ERROR: key ca.crt of secret ${CORPORATE}, a source of the CA bundle ${BUNDLE}, holds no PEM certificate`);
      const noSources = await run("apply", { env: { CUSTOM_CA_BUNDLE_SECRET: BUNDLE } });
      expect(noSources.stderr).toContain(`ERROR: CUSTOM_CA_BUNDLE_SOURCES names no secret for the CA bundle ${BUNDLE}`);
      for (const result of [missing, noKey, notPem, noSources]) {
        expect(result.status).toBe(1);
        expect(writesTo(result, BUNDLE)).toEqual([]);
        expect(result.calls.some((call) => call.startsWith("installer render") || call.startsWith("helm"))).toBe(false);
      }
    });

    it("gives the workloads that read the bundle a checksum of the bundle as this very apply wrote it", async () => {
      // customCACert makes workloads mount the bundle; here the proxy does.
      const render = withSecretVolume(DEFAULT_RENDER, "_Deployment_proxy.yaml", BUNDLE);
      const watched = { ...env, WATCHED_SECRETS: `${jobEnv(jobs.external.apply).WATCHED_SECRETS} ${BUNDLE}` };
      const first = await run("apply", { env: watched, render, configure: (api) => sources(api) });
      // The corporate CA changes: the bundle the previous apply wrote is stale when this one starts.
      const stale = secretIn(first, BUNDLE)!;
      const rotated = await run("apply", { env: watched, render, configure: (api) => (sources(api, ca.corporate2), api.put(JSON.parse(JSON.stringify(stale)))) });
      // The next apply, with the bundle as the rotation left it.
      const settled = await run("apply", { env: watched, render, configure: (api) => (sources(api, ca.corporate2), api.put(JSON.parse(JSON.stringify(secretIn(rotated, BUNDLE))))) });
      for (const result of [first, rotated, settled]) expect(result.status).toBe(0);
      const [before, after, next] = [first, rotated, settled].map((result) => manifestObjects(result.release!.manifest));
      expect(readersIn(before)).toContain("Deployment/proxy");
      expect(checksumOf(after["Deployment/proxy"])).not.toBe(checksumOf(before["Deployment/proxy"]));
      expect(checksumOf(after["Deployment/proxy"])).toBe(checksumOf(next["Deployment/proxy"]));
      const changed = Object.keys(after).filter((id) => JSON.stringify(after[id]) !== JSON.stringify(before[id]));
      expect(changed).toEqual(["Deployment/proxy"]);
    });
  });

  describe("uninstall (the pre-delete hook)", () => {
    it("stops running workspaces, then uninstalls and waits for the objects to go", async () => {
      const result = await run("uninstall", { release: { status: "deployed", revision: 2 }, workspaces: ["a1"] });
      expect(result.status).toBe(0);
      expect(result.calls).toEqual([
        "helm status gitpod --namespace gitpod",
        "gpctl workspaces list -o json",
        "gpctl workspaces stop a1",
        "gpctl workspaces list -o json",
        "helm uninstall gitpod --namespace gitpod --wait --timeout 600s",
      ]);
    });

    it("succeeds without doing anything when Gitpod is not installed", async () => {
      const result = await run("uninstall");
      expect(result.status).toBe(0);
      expect(result.calls).toEqual(["helm status gitpod --namespace gitpod"]);
      expect(result.stderr).toContain("nothing to uninstall");
    });

    it("fails, keeping Terraform from deleting Gitpod's secrets, when the cluster cannot be reached", async () => {
      const result = await run("uninstall", { release: { status: "deployed", revision: 2 }, env: { KUBECONFIG: path.join(scratchDir("unreachable-"), "kubeconfig") } });
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/ERROR: cannot tell whether release gitpod is installed in gitpod, so nothing was changed: helm status said: Error: Kubernetes cluster unreachable/);
      expect(result.calls).toEqual(["helm status gitpod --namespace gitpod"]);
    });

    it("fails when it may not read Helm's records (RBAC)", async () => {
      const result = await run("uninstall", { release: { status: "deployed", revision: 2 }, configure: (api) => api.forbid("GET", /\/secrets$/) });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain("cannot tell whether release gitpod is installed");
    });
  });

  it("rejects an unknown action with a usage message", async () => {
    const dir = scratchDir("release-usage-");
    const result = await runProcess("busybox", ["sh", RELEASE_SCRIPT_PATH, "destroy"], { PATH: "/usr/bin:/bin", WORK_DIR: dir });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("usage:");
  });
});
