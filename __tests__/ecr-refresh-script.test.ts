/**
 * ecr-refresh.sh as the refresher's pod runs it: under busybox sh with busybox's base64/tr/cat (the
 * installer image is Alpine), with the environment of the synthesized Job's containers, and, for
 * `store`, the real kubectl talking to an in-memory Kubernetes API that enforces the synthesized
 * Role the way RBAC would. Only the `aws` CLI is a stand-in (it cannot reach AWS here).
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import type { IEnvVar } from "kubernetes-models/v1/EnvVar";
import {
  ECR_REFRESH_SCRIPT_PATH,
  EcrCredentialRefresher,
  GITPOD_REGISTRY_SECRET_SUBPATH_WORKLOADS,
} from "../modules/ecr-credentials/ecr-credential-refresher";
import { startFakeKubeApi, type FakeKubeApi, type RecordedRequest } from "./support/fake-kube-api";
import { moduleStack, onlyResource, scratchDir, synthStack } from "./support/synth";
import { busyboxTool, describeWithTools, KUBE_TOOLS_BIN, kubectlTool, kubeToolsEnv } from "./support/tools";

const TOKEN = "eyJwYXlsb2FkIjoiZmFrZS1lY3ItdG9rZW4ifQ==";
const NAMESPACE = "gitpod";
const REGISTRY = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";
const RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";
/** The scripts run with a PATH of busybox applets and kubectl only, so busybox is named by its path. */
const BUSYBOX = spawnSync("sh", ["-c", "command -v busybox"], { encoding: "utf8" }).stdout.trim() || "busybox";

const stack = moduleStack();
const refresher = new EcrCredentialRefresher(stack, "ecr", {
  namespace: NAMESPACE,
  namePrefix: "gitpod",
  registryServer: REGISTRY,
  region: "eu-west-1",
  roleArn: "arn:aws:iam::123456789012:role/gitpod-ecr-token-refresher",
  awsCliImage: "public.ecr.aws/aws-cli/aws-cli:2.27.49",
  kubectlImage: "eu.gcr.io/gitpod-core-dev/build/installer:release-2022.11.3",
  intervalHours: 4,
});
const synthesized = synthStack(stack);
const role = onlyResource(synthesized, "kubernetes_role_v1") as { rule: { api_groups: string[]; resources: string[]; resource_names: string[]; verbs: string[] }[] };
const jobPod = (refresher.manifests[1] as any).spec.template.spec;

/** A container's environment as the kubelet gives it (the downward API's namespace resolved). */
function containerEnv(container: { env: IEnvVar[] }): Record<string, string> {
  return Object.fromEntries(
    container.env.map((variable) => {
      if (variable.value !== undefined) return [variable.name, variable.value];
      if (variable.valueFrom?.fieldRef?.fieldPath === "metadata.namespace") return [variable.name, NAMESPACE];
      throw new Error(`unexpected env source for ${variable.name}`);
    }),
  );
}
const LOGIN_ENV = containerEnv(jobPod.initContainers[0]);
const STORE_ENV = containerEnv(jobPod.containers[0]);

/** "verb group/resource/name" for each permission a Role rule grants. */
function grants(rules: typeof role.rule): string[] {
  return rules.flatMap((rule) =>
    rule.api_groups.flatMap((group) =>
      rule.resources.flatMap((resource) => rule.resource_names.flatMap((name) => rule.verbs.map((verb) => `${verb} ${group}/${resource}/${name}`))),
    ),
  );
}

const RESOURCE_PATH = /^\/(?:api\/(v1)|apis\/([^/]+)\/[^/]+)(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+))?$/;
const VERB_OF_METHOD: Record<string, string> = { GET: "get", PATCH: "patch", PUT: "update", DELETE: "delete", POST: "create" };

/** The permission a recorded request needs ("verb group/resource/name"), or undefined for discovery. */
function permissionOf(request: RecordedRequest): string | undefined {
  const match = RESOURCE_PATH.exec(request.path);
  if (!match) return undefined;
  const group = match[1] ? "" : match[2];
  const verb = request.method === "GET" && match[5] === undefined ? "list" : VERB_OF_METHOD[request.method];
  return `${verb} ${group}/${match[4]}/${match[5] ?? ""}`;
}

/** Answers 403 to every request outside `rules`, as the API server does for the refresher's service account. */
function enforceRole(api: FakeKubeApi, rules: typeof role.rule) {
  const allowed = new Set(grants(rules));
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  for (const [method, verb] of Object.entries(VERB_OF_METHOD)) {
    const paths = [...allowed]
      .filter((grant) => grant.startsWith(`${verb} `))
      .map((grant) => {
        const [group, resource, name] = grant.slice(verb.length + 1).split("/");
        return `${group === "" ? "/api/v1" : `/apis/${group}/v1`}/namespaces/${NAMESPACE}/${resource}/${name}`;
      });
    const lookahead = paths.length === 0 ? "" : `(?!(?:${paths.map(escape).join("|")})$)`;
    api.forbid(method, new RegExp(`^${lookahead}/(?:api/v1|apis/[^/]+/[^/]+)/.+`));
  }
  // Namespaces are cluster-scoped: a Role never grants them. kubectl asks for its namespace after
  // a NotFound (to report a missing namespace instead), and must cope with the 403.
  api.forbid("GET", /^\/api\/v1\/namespaces\/[^/]+$/);
}

const workload = (kind: "Deployment" | "DaemonSet", name: string) => ({
  apiVersion: "apps/v1",
  kind,
  metadata: { name, namespace: NAMESPACE },
  spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [] } } },
});
const GITPOD_WORKLOADS = [workload("Deployment", "image-builder-mk3"), workload("DaemonSet", "registry-facade"), workload("Deployment", "blobserve")];

interface Run {
  status: number | null;
  output: string;
  /** Calls of the stand-in aws CLI. */
  awsCalls: string[];
  dir: string;
}

/**
 * Runs the script asynchronously (the fake API answers from this process, so a synchronous spawn
 * would deadlock) with busybox as /bin/sh and as base64, tr, cat, dirname and rm.
 */
async function runScript(action: string, env: Record<string, string>, options: { kubeconfig?: string; awsFails?: boolean } = {}): Promise<Run> {
  const dir = scratchDir("ecr-refresh-");
  const bin = path.join(dir, "bin");
  fs.mkdirSync(bin);
  for (const applet of ["base64", "cat", "dirname", "rm", "tr"]) fs.symlinkSync(BUSYBOX, path.join(bin, applet));
  const awsLog = path.join(dir, "aws.log");
  fs.writeFileSync(
    path.join(bin, "aws"),
    `#!${BUSYBOX} sh\necho "aws $*" >> "${awsLog}"\n${options.awsFails ? 'echo "An error occurred (AccessDeniedException)" >&2; exit 255' : `printf '%s' '${TOKEN}'`}\n`,
    { mode: 0o755 },
  );
  const child = spawn(BUSYBOX, ["sh", ECR_REFRESH_SCRIPT_PATH, action], {
    env: { ...kubeToolsEnv(dir, options.kubeconfig), PATH: `${bin}:${KUBE_TOOLS_BIN}`, ...env },
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const status = await new Promise<number | null>((resolve, reject) => child.on("error", reject).on("close", resolve));
  const awsCalls = fs.existsSync(awsLog) ? fs.readFileSync(awsLog, "utf8").trim().split("\n") : [];
  return { status, output, awsCalls, dir };
}

/** A token file as the login step leaves it. */
function tokenFile(): string {
  const dir = scratchDir("ecr-token-");
  fs.writeFileSync(path.join(dir, "password"), TOKEN);
  return path.join(dir, "password");
}

describeWithTools("ecr-refresh.sh login", [busyboxTool()], () => {
  it("fetches a token for the region into the shared file", async () => {
    const token = path.join(scratchDir("ecr-token-"), "password");
    const result = await runScript("login", { ...LOGIN_ENV, TOKEN_FILE: token });
    expect(result.status).toBe(0);
    expect(result.awsCalls).toEqual(["aws ecr get-login-password --region eu-west-1"]);
    expect(fs.readFileSync(token, "utf8")).toBe(TOKEN);
    expect(result.output).not.toContain(TOKEN);
  });

  it("fails with a hint when AWS refuses", async () => {
    const result = await runScript("login", { ...LOGIN_ENV, TOKEN_FILE: path.join(scratchDir("ecr-token-"), "password") }, { awsFails: true });
    expect(result.status).toBe(1);
    expect(result.output).toContain("is the service account's IAM role allowed ecr:GetAuthorizationToken?");
  });
});

describeWithTools("ecr-refresh.sh store, with real kubectl against an API enforcing the refresher's Role", [busyboxTool(), kubectlTool()], () => {
  let api: FakeKubeApi;
  let kubeconfig: string;

  beforeEach(async () => {
    api = await startFakeKubeApi();
    kubeconfig = api.writeKubeconfig(scratchDir("ecr-kube-"), NAMESPACE);
    api.put({ apiVersion: "v1", kind: "Secret", type: "kubernetes.io/dockerconfigjson", metadata: { name: "gitpod-ecr-auth", namespace: NAMESPACE }, data: {} });
    enforceRole(api, role.rule);
  });
  afterEach(() => api.close());

  // HOME stays the test's scratch folder: the pod's own /home/refresher does not exist here.
  const { HOME: _podHome, ...storeEnv } = STORE_ENV;
  const store = (env: Record<string, string> = {}) => runScript("store", { ...storeEnv, TOKEN_FILE: tokenFile(), ...env }, { kubeconfig });
  const resourceRequests = () => api.requests.filter((request) => permissionOf(request) !== undefined);
  const restarts = () =>
    api.requests
      .filter((request) => request.method === "PATCH" && request.path.startsWith("/apis/apps/"))
      .map((request) => ({ path: request.path, restartedAt: (request.body as any)?.spec?.template?.metadata?.annotations?.[RESTARTED_AT] }));

  // docs/gitpod-installer.md, "Run time: what a Terraform apply cannot see": these three mount the registry secret with subPath.
  it("restarts exactly image-builder-mk3, registry-facade and blobserve, in Gitpod's namespace", () => {
    expect(GITPOD_REGISTRY_SECRET_SUBPATH_WORKLOADS).toEqual([
      { kind: "deployment", name: "image-builder-mk3" },
      { kind: "daemonset", name: "registry-facade" },
      { kind: "deployment", name: "blobserve" },
    ]);
    expect(STORE_ENV).toEqual({
      HOME: "/home/refresher",
      REGISTRY_SERVER: REGISTRY,
      SECRET_NAME: "gitpod-ecr-auth",
      NAMESPACE,
      RESTART_WORKLOADS: "deployment/image-builder-mk3 daemonset/registry-facade deployment/blobserve",
    });
  });

  it("stores the token in the secret, then restarts the three workloads that cannot see the update", async () => {
    GITPOD_WORKLOADS.forEach((object) => api.put(object));
    const tokenPath = tokenFile();
    const result = await store({ TOKEN_FILE: tokenPath });
    expect(result.output).not.toContain("ERROR");
    expect(result.status).toBe(0);

    // docs/gitpod-installer.md, "Secret keys": {"auths":{"<host>":{"username","password","auth":base64("user:pass")}}}.
    const secret = api.get("v1", "Secret", NAMESPACE, "gitpod-ecr-auth") as any;
    expect(JSON.parse(Buffer.from(secret.data[".dockerconfigjson"], "base64").toString())).toEqual({
      auths: { [REGISTRY]: { username: "AWS", password: TOKEN, auth: Buffer.from(`AWS:${TOKEN}`).toString("base64") } },
    });
    expect(secret.type).toBe("kubernetes.io/dockerconfigjson");
    // The patch file (which holds the token) is removed after use; the token is never printed.
    expect(fs.readdirSync(path.dirname(tokenPath))).toEqual(["password"]);
    expect(result.output).not.toContain(TOKEN);

    // kubectl rollout restart: a PATCH of the pod template's restartedAt annotation, after the secret.
    const secretPatch = api.requests.findIndex((request) => request.method === "PATCH" && request.path.endsWith("/secrets/gitpod-ecr-auth"));
    const firstRestart = api.requests.findIndex((request) => request.method === "PATCH" && request.path.startsWith("/apis/apps/"));
    expect(secretPatch).toBeGreaterThanOrEqual(0);
    expect(firstRestart).toBeGreaterThan(secretPatch);
    expect(restarts()).toEqual([
      { path: "/apis/apps/v1/namespaces/gitpod/deployments/image-builder-mk3", restartedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
      { path: "/apis/apps/v1/namespaces/gitpod/daemonsets/registry-facade", restartedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
      { path: "/apis/apps/v1/namespaces/gitpod/deployments/blobserve", restartedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
    ]);
    for (const object of GITPOD_WORKLOADS) {
      const stored = api.get("apps/v1", object.kind, NAMESPACE, object.metadata.name) as any;
      expect(stored.spec.template.metadata.annotations[RESTARTED_AT]).toEqual(expect.any(String));
    }
    expect(result.output).toContain("deployment/image-builder-mk3: restarted to pick up the new token");

    // Least privilege: every request was allowed by the Role, and the Role allows nothing this
    // run did not use.
    const used = [...new Set(resourceRequests().map(permissionOf))].sort();
    expect(used).toEqual([...grants(role.rule)].sort());
    expect(role.rule).toEqual([
      { api_groups: [""], resources: ["secrets"], resource_names: ["gitpod-ecr-auth"], verbs: ["get", "patch"] },
      { api_groups: ["apps"], resources: ["deployments"], resource_names: ["image-builder-mk3", "blobserve"], verbs: ["get", "patch"] },
      { api_groups: ["apps"], resources: ["daemonsets"], resource_names: ["registry-facade"], verbs: ["get", "patch"] },
    ]);
  });

  it("before Gitpod is installed: stores the token and logs that there is nothing to restart yet", async () => {
    const result = await store();
    expect(result.status).toBe(0);
    expect(api.get("v1", "Secret", NAMESPACE, "gitpod-ecr-auth")).toMatchObject({ data: { ".dockerconfigjson": expect.any(String) } });
    expect(result.output).toContain("deployment/image-builder-mk3: not installed yet, nothing to restart");
    expect(result.output).toContain("daemonset/registry-facade: not installed yet, nothing to restart");
    expect(result.output).toContain("deployment/blobserve: not installed yet, nothing to restart");
    expect(restarts()).toEqual([]);
    // Requests outside the Role: only kubectl's look-up of the namespace after a NotFound, which
    // RBAC refuses, and which kubectl then ignores.
    const outside = resourceRequests().filter((request) => !grants(role.rule).includes(permissionOf(request)!));
    expect(new Set(outside.map((request) => `${request.method} ${request.path}`))).toEqual(new Set(["GET /api/v1/namespaces/gitpod"]));
  });

  it("restarts what is installed and skips what is not", async () => {
    api.put(workload("DaemonSet", "registry-facade"));
    const result = await store();
    expect(result.status).toBe(0);
    expect(restarts().map((restart) => restart.path)).toEqual(["/apis/apps/v1/namespaces/gitpod/daemonsets/registry-facade"]);
    expect(result.output).toContain("deployment/blobserve: not installed yet");
  });

  it("fails when a workload cannot be looked up (403), after restarting the others", async () => {
    GITPOD_WORKLOADS.forEach((object) => api.put(object));
    api.forbid("GET", /\/daemonsets\/registry-facade$/);
    const result = await store();
    expect(result.status).toBe(1);
    expect(result.output).toContain('Error from server (Forbidden)');
    expect(result.output).toContain("ERROR: could not look up daemonset/registry-facade in gitpod");
    expect(result.output).toContain("does the refresher's Role allow get on it?");
    expect(result.output).toContain("the secret was updated, but these keep the old token until restarted: daemonset/registry-facade");
    expect(restarts().map((restart) => restart.path)).toEqual([
      "/apis/apps/v1/namespaces/gitpod/deployments/image-builder-mk3",
      "/apis/apps/v1/namespaces/gitpod/deployments/blobserve",
    ]);
  });

  it("fails when a restart is refused (403)", async () => {
    GITPOD_WORKLOADS.forEach((object) => api.put(object));
    api.forbid("PATCH", /\/deployments\/blobserve$/);
    const result = await store();
    expect(result.status).toBe(1);
    expect(result.output).toContain("ERROR: could not restart deployment/blobserve in gitpod");
    expect(result.output).toContain("does the refresher's Role allow patch on it?");
    expect(result.output).toContain("these keep the old token until restarted: deployment/blobserve");
  });

  it("fails when the secret cannot be patched, without restarting anything", async () => {
    GITPOD_WORKLOADS.forEach((object) => api.put(object));
    api.forbid("PATCH", /\/secrets\/gitpod-ecr-auth$/);
    const result = await store();
    expect(result.status).toBe(1);
    expect(result.output).toContain("could not update secret gitpod-ecr-auth in gitpod (does the refresher's Role allow patch on it?)");
    expect(resourceRequests().filter((request) => request.path.startsWith("/apis/apps/"))).toEqual([]);
  });

  it("fails when the API server cannot be reached", async () => {
    await api.close();
    const result = await store();
    expect(result.status).toBe(1);
    expect(result.output).toMatch(/connection to the server 127\.0\.0\.1:\d+ was refused/);
    expect(result.output).toContain("could not update secret gitpod-ecr-auth in gitpod");
    api = await startFakeKubeApi(); // for afterEach
  });

  it("refuses to run without a token, before any request", async () => {
    const result = await store({ TOKEN_FILE: path.join(scratchDir("ecr-token-"), "password") });
    expect(result.status).toBe(1);
    expect(result.output).toContain("the login step did not run or failed");
    expect(api.requests).toEqual([]);
  });

  it("requires its settings and an action", async () => {
    expect((await store({ RESTART_WORKLOADS: "" })).status).not.toBe(0);
    expect((await store({ SECRET_NAME: "" })).status).not.toBe(0);
    expect((await runScript("nonsense", STORE_ENV)).status).toBe(2);
    expect(api.requests).toEqual([]);
  });
});
