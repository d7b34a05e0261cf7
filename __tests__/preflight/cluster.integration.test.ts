/**
 * The cluster checks. No API server can run here, so they run against recorded API responses:
 * first the assessments on their own, then the whole command against a local HTTPS server that
 * serves those responses, through a kubeconfig (CA, token or exec plugin) as users have it.
 */
import * as fs from "fs";
import * as path from "path";
import type { ServerResponse } from "http";
import type { CheckResult } from "../../preflight/checks";
import { assessCertManager, assessContainerRuntimes, assessKernels, assessKubernetesVersion, assessNodeLabels, assessStorageClasses, CERT_MANAGER_CRDS } from "../../preflight/cluster";
import type { JsonReport } from "../../preflight/report";
import { makeCertificates, type TestCertificates } from "../support/servers/certificates";
import { sendJson, startHttpsStub, type StubServer } from "../support/servers/https-stub";
import { freePort } from "../support/servers/processes";
import { runCli, type CliResult } from "../support/preflight-cli";
import { scratchDir } from "../support/synth";
import { describeWithTools, findTool } from "../support/tools";
import * as recorded from "./fixtures/kubernetes-api";

describe("cluster assessments of recorded API objects", () => {
  it("Kubernetes: >= 1.21 passes (EKS minor '27+'), 1.20 fails", () => {
    expect(assessKubernetesVersion(recorded.VERSION)).toMatchObject({ status: "pass", detail: "Kubernetes v1.27.16-eks-a18cd3a" });
    expect(assessKubernetesVersion(recorded.OLD_VERSION)).toMatchObject({ status: "fail", detail: "Kubernetes v1.20.15-eks-14c7a48 is older than 1.21" });
    expect(assessKubernetesVersion({ major: "1", minor: "21" }).status).toBe("pass");
  });

  it("container runtime: containerd everywhere passes; a Docker node fails, by name", () => {
    expect(assessContainerRuntimes(recorded.NODES.items)).toMatchObject({ status: "pass", detail: "all 2 nodes on containerd://1.7.11" });
    expect(assessContainerRuntimes(recorded.NODES_WITH_DOCKER.items)).toMatchObject({
      status: "fail",
      detail: "not on containerd: ip-10-0-3-56.eu-west-1.compute.internal (docker://20.10.25)",
    });
  });

  it("kernel: 5.4 and newer pass; 4.14 fails, by name", () => {
    expect(assessKernels(recorded.NODES.items).status).toBe("pass");
    expect(assessKernels([{ metadata: { name: "a" }, status: { nodeInfo: { kernelVersion: "5.4.0-1103-aws" } } }]).status).toBe("pass");
    expect(assessKernels(recorded.NODES_WITH_OLD_KERNEL.items)).toMatchObject({
      status: "fail",
      detail: "kernel older than 5.4: ip-10-0-4-78.eu-west-1.compute.internal (4.14.336-257.562.amzn2.x86_64)",
    });
  });

  it("node labels: every workload label on some node with value \"true\"", () => {
    expect(assessNodeLabels(recorded.NODES.items)).toMatchObject({
      status: "pass",
      detail: "nodes per label: meta: 1, ide: 1, workspace_services: 1, workspace_regular: 1, workspace_headless: 1",
    });
    const missing = assessNodeLabels(recorded.NODES_WITHOUT_HEADLESS.items);
    expect(missing).toMatchObject({ status: "fail", detail: "no node labelled gitpod.io/workload_workspace_headless=true" });
    expect(missing.hint).toContain("kubectl label node <name> gitpod.io/workload_workspace_headless=true");
  });

  it("StorageClass: a default is needed by in-cluster volumes; named classes must exist", () => {
    const needs = { namedStorageClasses: [], defaultStorageClassNeededBy: ["the in-cluster MySQL volume"] };
    expect(assessStorageClasses(recorded.STORAGE_CLASSES.items, needs)).toMatchObject({ status: "pass", detail: "default: gp3" });
    expect(assessStorageClasses(recorded.STORAGE_CLASSES_WITHOUT_DEFAULT.items, needs)).toMatchObject({
      status: "fail",
      detail: "no default StorageClass (the cluster has: gp2, gp3); needed by the in-cluster MySQL volume",
    });
    expect(assessStorageClasses(recorded.STORAGE_CLASSES_WITHOUT_DEFAULT.items, { namedStorageClasses: [], defaultStorageClassNeededBy: [] }).status).toBe("warn");
    expect(
      assessStorageClasses(recorded.STORAGE_CLASSES.items, { namedStorageClasses: [{ name: "io2", usedBy: "database.storageClass" }], defaultStorageClassNeededBy: [] }),
    ).toMatchObject({ status: "fail", detail: 'no StorageClass "io2" (database.storageClass); the cluster has: gp2, gp3' });
  });

  it("cert-manager: missing CRDs warn while the prerequisites stack will install it, fail when it will not", () => {
    const none = Object.fromEntries(CERT_MANAGER_CRDS.map((crd) => [crd, false]));
    expect(assessCertManager(Object.fromEntries(CERT_MANAGER_CRDS.map((crd) => [crd, true])), true).status).toBe("pass");
    expect(assessCertManager(none, true)).toMatchObject({ status: "warn" });
    expect(assessCertManager(none, true).detail).toMatch(/^not yet installed \(apply the cluster-prerequisites stack first\)/);
    expect(assessCertManager(none, false)).toMatchObject({ status: "fail" });
  });
});

/** What the recorded API server answers for one scenario (chosen by the kubeconfig's token). */
interface Scenario {
  readonly version?: unknown;
  readonly nodes?: unknown;
  readonly storageClasses?: unknown;
  readonly certManager?: boolean;
}

const SCENARIOS: Readonly<Record<string, Scenario>> = {
  healthy: {},
  "old-kubernetes": { version: recorded.OLD_VERSION },
  "docker-node": { nodes: recorded.NODES_WITH_DOCKER },
  "old-kernel": { nodes: recorded.NODES_WITH_OLD_KERNEL },
  "missing-label": { nodes: recorded.NODES_WITHOUT_HEADLESS },
  "no-default-storageclass": { storageClasses: recorded.STORAGE_CLASSES_WITHOUT_DEFAULT },
  "no-cert-manager": { certManager: false },
};

function answer(scenario: Scenario, url: string, response: ServerResponse): void {
  const crd = /^\/apis\/apiextensions\.k8s\.io\/v1\/customresourcedefinitions\/(.+)$/.exec(url);
  if (url === "/version") return sendJson(response, 200, scenario.version ?? recorded.VERSION);
  if (url === "/api/v1/nodes") return sendJson(response, 200, scenario.nodes ?? recorded.NODES);
  if (url === "/apis/storage.k8s.io/v1/storageclasses") return sendJson(response, 200, scenario.storageClasses ?? recorded.STORAGE_CLASSES);
  if (crd) return scenario.certManager === false ? sendJson(response, 404, recorded.NOT_FOUND(crd[1])) : sendJson(response, 200, recorded.crd(crd[1]));
  sendJson(response, 404, { kind: "Status", code: 404 });
}

function kubeconfig(server: string, ca: string, user: Record<string, unknown>): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "eks", cluster: { server, "certificate-authority-data": Buffer.from(ca).toString("base64") } }],
    users: [{ name: "admin", user }],
    contexts: [{ name: "eks-admin", context: { cluster: "eks", user: "admin" } }],
    "current-context": "eks-admin",
  });
}

const clusterRows = (result: CliResult) => (JSON.parse(result.stdout) as JsonReport).checks.filter((check) => check.dependency === "cluster");
const row = (rows: CheckResult[], check: string) => rows.find((r) => r.check === check)!;
const statuses = (rows: CheckResult[]) => Object.fromEntries(rows.map((r) => [r.check, r.status]));

describeWithTools("gitpod-cdktf preflight against a recorded Kubernetes API", [findTool("openssl", ["version"])], () => {
  let certificates: TestCertificates;
  let api: StubServer;
  const runs: Record<string, CliResult> = {};

  /** Runs the command with a config whose dependencies are all in-cluster: only the cluster is checked. */
  async function preflight(name: string, user: Record<string, unknown>, options: { server?: string; certManagerInstall?: boolean; context?: string } = {}) {
    const dir = scratchDir(`cluster-${name}-`);
    fs.writeFileSync(path.join(dir, "kubeconfig"), kubeconfig(options.server ?? `https://${api.address}`, certificates.caPem, user));
    fs.writeFileSync(
      path.join(dir, "gitpod-cdktf.yaml"),
      [
        "domain: gitpod.acme.dev",
        "kubernetes:",
        "  configPath: ./kubeconfig",
        ...(options.context ? [`  context: ${options.context}`] : []),
        "tls:",
        "  type: self-signed",
        "  certManager:",
        `    install: ${options.certManagerInstall ?? true}`,
      ].join("\n") + "\n",
    );
    runs[name] = await runCli(["preflight", "--json", "--timeout", "5"], { cwd: dir });
  }

  beforeAll(async () => {
    certificates = makeCertificates(path.join(scratchDir("kube-ca-"), "ca"));
    api = await startHttpsStub(certificates, (request, response) => {
      const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? "")?.[1] ?? "";
      const scenario = SCENARIOS[token];
      if (!scenario) return sendJson(response, 401, { kind: "Status", status: "Failure", message: "Unauthorized", reason: "Unauthorized", code: 401 });
      answer(scenario, request.url ?? "/", response);
    });
    const credentialPlugin = path.join(scratchDir("exec-plugin-"), "get-token.js");
    // What `aws eks get-token` prints.
    fs.writeFileSync(
      credentialPlugin,
      `process.stdout.write(JSON.stringify({ kind: "ExecCredential", apiVersion: "client.authentication.k8s.io/v1beta1", spec: {}, status: { token: "healthy", expirationTimestamp: "2099-01-01T00:00:00Z" } }));\n`,
    );
    // One process per scenario, all at once: each loads Node.js and the Kubernetes client.
    await Promise.all([
      ...Object.keys(SCENARIOS).map((name) => preflight(name, { token: name })),
      preflight("no-cert-manager-not-installed-by-us", { token: "no-cert-manager" }, { certManagerInstall: false }),
      preflight("exec-plugin", { exec: { apiVersion: "client.authentication.k8s.io/v1beta1", command: process.execPath, args: [credentialPlugin], interactiveMode: "Never" } }),
      preflight("wrong-token", { token: "expired" }),
      preflight("unknown-context", { token: "healthy" }, { context: "prod" }),
      freePort().then((port) => preflight("not-answering", { token: "healthy" }, { server: `https://127.0.0.1:${port}` })),
    ]);
  });

  afterAll(() => api?.close());

  it("passes a healthy cluster, reached with the kubeconfig's CA and token", () => {
    expect(runs.healthy.status).toBe(0);
    const rows = clusterRows(runs.healthy);
    expect(rows.map((r) => `${r.check}: ${r.status}`)).toEqual([
      "kubeconfig: pass",
      "API server: pass",
      "Kubernetes version: pass",
      "container runtime: pass",
      "kernel: pass",
      "node labels: pass",
      "StorageClass: pass",
      "cert-manager: pass",
    ]);
    expect(row(rows, "kubeconfig").detail).toBe(`context eks-admin, API server https://${api.address}`);
    expect(runs.healthy.stderr).toContain("preflight: cluster: listing nodes");
  });

  it("gets its token from an exec credential plugin (as aws eks get-token)", () => {
    expect(runs["exec-plugin"].status).toBe(0);
    expect(clusterRows(runs["exec-plugin"]).every((r) => r.status === "pass")).toBe(true);
  });

  it("fails Kubernetes older than 1.21", () => {
    expect(runs["old-kubernetes"].status).toBe(1);
    expect(row(clusterRows(runs["old-kubernetes"]), "Kubernetes version")).toMatchObject({ status: "fail", detail: "Kubernetes v1.20.15-eks-14c7a48 is older than 1.21" });
  });

  it("fails a node on Docker (dockershim)", () => {
    expect(runs["docker-node"].status).toBe(1);
    expect(statuses(clusterRows(runs["docker-node"]))).toMatchObject({ "container runtime": "fail", kernel: "pass", "node labels": "pass" });
    expect(row(clusterRows(runs["docker-node"]), "container runtime").detail).toContain("docker://20.10.25");
  });

  it("fails a node with a kernel older than 5.4", () => {
    expect(runs["old-kernel"].status).toBe(1);
    expect(row(clusterRows(runs["old-kernel"]), "kernel").detail).toContain("4.14.336-257.562.amzn2.x86_64");
  });

  it("fails when no node carries one of Gitpod's workload labels", () => {
    expect(runs["missing-label"].status).toBe(1);
    expect(row(clusterRows(runs["missing-label"]), "node labels")).toMatchObject({ status: "fail", detail: "no node labelled gitpod.io/workload_workspace_headless=true" });
  });

  it("fails without a default StorageClass when in-cluster volumes need one", () => {
    expect(runs["no-default-storageclass"].status).toBe(1);
    expect(row(clusterRows(runs["no-default-storageclass"]), "StorageClass").detail).toContain("needed by the in-cluster MySQL volume, the in-cluster MinIO volume, Gitpod's in-cluster registry volume");
  });

  it("warns (exit 0) when cert-manager's CRDs are missing and the prerequisites stack will install them", () => {
    expect(runs["no-cert-manager"].status).toBe(0);
    expect(row(clusterRows(runs["no-cert-manager"]), "cert-manager")).toMatchObject({ status: "warn" });
    expect(row(clusterRows(runs["no-cert-manager"]), "cert-manager").detail).toMatch(/^not yet installed \(apply the cluster-prerequisites stack first\)/);
  });

  it("fails when cert-manager's CRDs are missing and tls.certManager.install is false", () => {
    expect(runs["no-cert-manager-not-installed-by-us"].status).toBe(1);
    expect(row(clusterRows(runs["no-cert-manager-not-installed-by-us"]), "cert-manager").status).toBe("fail");
  });

  it("fails when the API server rejects the credentials", () => {
    expect(runs["wrong-token"].status).toBe(1);
    expect(row(clusterRows(runs["wrong-token"]), "API server")).toMatchObject({ status: "fail", detail: `https://${api.address} rejects the kubeconfig's credentials (HTTP 401)` });
  });

  it("fails a kubernetes.context the kubeconfig does not have", () => {
    expect(runs["unknown-context"].status).toBe(1);
    expect(row(clusterRows(runs["unknown-context"]), "kubeconfig").detail).toContain('context "prod" is not in');
  });

  it("warns (exit 0) and skips the rest when the API server does not answer", () => {
    expect(runs["not-answering"].status).toBe(0);
    const rows = clusterRows(runs["not-answering"]);
    expect(row(rows, "API server")).toMatchObject({ status: "warn" });
    expect(row(rows, "API server").detail).toMatch(/^not reachable: https:\/\/127\.0\.0\.1:\d+ refused the connection/);
    expect(rows.slice(2).every((r) => r.status === "skip" && r.detail === 'not checked: see "API server"')).toBe(true);
  });

  it("warns (exit 0) when there is no kubeconfig at all", async () => {
    const dir = scratchDir("no-kubeconfig-");
    fs.writeFileSync(path.join(dir, "gitpod-cdktf.yaml"), "domain: gitpod.acme.dev\n");
    const result = await runCli(["preflight", "--json"], { cwd: dir });
    expect(result.status).toBe(0);
    expect(row(clusterRows(result), "kubeconfig")).toMatchObject({ status: "warn", detail: `not reachable: no kubeconfig at ${path.join(dir, ".kube", "config")}` });
  });
});
