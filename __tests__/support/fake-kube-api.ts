/**
 * An in-memory Kubernetes API on 127.0.0.1, the one stand-in for a cluster: real `helm` and
 * `kubectl` talk to it over HTTP as they would to an API server, so their requests, output and
 * error messages are their own. It serves discovery for the kinds the tests use, GET of one object
 * or a label-selected list, PATCH (merge), POST and DELETE, and answers like the API server does
 * (Status objects, 404 NotFound, 403 Forbidden). Requests are recorded for the tests to inspect.
 */
import * as http from "http";
import type { AddressInfo } from "net";
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";

type Json = Record<string, unknown>;

interface ResourceType {
  readonly kind: string;
  readonly plural: string;
  readonly namespaced: boolean;
}

/** group/version -> resource types; enough for Gitpod's render and this project's charts. */
const RESOURCES: Record<string, readonly ResourceType[]> = {
  v1: [
    { kind: "Namespace", plural: "namespaces", namespaced: false },
    { kind: "Secret", plural: "secrets", namespaced: true },
    { kind: "ConfigMap", plural: "configmaps", namespaced: true },
    { kind: "Service", plural: "services", namespaced: true },
    { kind: "ServiceAccount", plural: "serviceaccounts", namespaced: true },
    { kind: "PersistentVolumeClaim", plural: "persistentvolumeclaims", namespaced: true },
    { kind: "ResourceQuota", plural: "resourcequotas", namespaced: true },
    { kind: "Pod", plural: "pods", namespaced: true },
  ],
  "apps/v1": [
    { kind: "Deployment", plural: "deployments", namespaced: true },
    { kind: "StatefulSet", plural: "statefulsets", namespaced: true },
    { kind: "DaemonSet", plural: "daemonsets", namespaced: true },
  ],
  "batch/v1": [
    { kind: "Job", plural: "jobs", namespaced: true },
    { kind: "CronJob", plural: "cronjobs", namespaced: true },
  ],
  "rbac.authorization.k8s.io/v1": [
    { kind: "Role", plural: "roles", namespaced: true },
    { kind: "RoleBinding", plural: "rolebindings", namespaced: true },
    { kind: "ClusterRole", plural: "clusterroles", namespaced: false },
    { kind: "ClusterRoleBinding", plural: "clusterrolebindings", namespaced: false },
  ],
  "networking.k8s.io/v1": [{ kind: "NetworkPolicy", plural: "networkpolicies", namespaced: true }],
  "policy/v1": [{ kind: "PodDisruptionBudget", plural: "poddisruptionbudgets", namespaced: true }],
  "cert-manager.io/v1": [
    { kind: "Issuer", plural: "issuers", namespaced: true },
    { kind: "ClusterIssuer", plural: "clusterissuers", namespaced: false },
    { kind: "Certificate", plural: "certificates", namespaced: true },
  ],
};

export interface RecordedRequest {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  readonly query: string;
  readonly body?: unknown;
}

export interface FakeKubeApi {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Adds or replaces an object (namespace from its metadata). */
  put(object: Json): void;
  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): Json | undefined;
  remove(apiVersion: string, kind: string, namespace: string | undefined, name: string): void;
  /** Calls `listener` with each request before it is answered (e.g. to change objects over time). */
  onRequest(listener: (request: RecordedRequest) => void): void;
  /** Makes matching requests fail with 403 Forbidden, as RBAC does. */
  forbid(method: string, pathPattern: RegExp): void;
  /** Writes a kubeconfig for this server (namespace as the context's default) and returns its path. */
  writeKubeconfig(dir: string, namespace?: string): string;
  close(): Promise<void>;
}

const key = (apiVersion: string, plural: string, namespace: string | undefined, name: string) => `${apiVersion}|${plural}|${namespace ?? ""}|${name}`;

function resourceFor(apiVersion: string, match: (type: ResourceType) => boolean): ResourceType | undefined {
  return (RESOURCES[apiVersion] ?? []).find(match);
}

function status(code: number, reason: string, message: string): Json {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code };
}

/** RFC 7386 merge, which is also what a strategic merge patch does to maps. */
function merge(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return patch;
  const result: Json = target !== null && typeof target === "object" && !Array.isArray(target) ? { ...(target as Json) } : {};
  for (const [name, value] of Object.entries(patch as Json)) {
    if (value === null) delete result[name];
    else result[name] = merge(result[name], value);
  }
  return result;
}

function matchesSelector(object: Json, selector: string): boolean {
  if (!selector) return true;
  const labels = ((object.metadata as Json | undefined)?.labels ?? {}) as Record<string, string>;
  return selector.split(",").every((term) => {
    const [name, value] = term.split("=");
    return labels[name] === value;
  });
}

export async function startFakeKubeApi(): Promise<FakeKubeApi> {
  const objects = new Map<string, Json>();
  const requests: RecordedRequest[] = [];
  const forbidden: { method: string; pattern: RegExp }[] = [];
  const listeners: ((request: RecordedRequest) => void)[] = [];

  const send = (response: http.ServerResponse, code: number, body: unknown) => {
    response.writeHead(code, { "content-type": "application/json" });
    response.end(JSON.stringify(body));
  };

  const handle = (request: http.IncomingMessage, body: string, response: http.ServerResponse) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    const method = request.method ?? "GET";
    const parsedBody = body ? JSON.parse(body) : undefined;
    const recorded = { method, path: url.pathname, query: url.search, body: parsedBody };
    requests.push(recorded);
    for (const listener of listeners) listener(recorded);
    if (forbidden.some((rule) => rule.method === method && rule.pattern.test(url.pathname))) {
      return send(response, 403, status(403, "Forbidden", `forbidden: ${method} ${url.pathname} is not allowed for this service account`));
    }

    if (url.pathname === "/version") return send(response, 200, { major: "1", minor: "31", gitVersion: "v1.31.0", platform: "linux/amd64" });
    if (url.pathname === "/api") return send(response, 200, { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [] });
    if (url.pathname === "/apis") {
      const groups = Object.keys(RESOURCES)
        .filter((gv) => gv.includes("/"))
        .map((gv) => {
          const [name, version] = gv.split("/");
          return { name, versions: [{ groupVersion: gv, version }], preferredVersion: { groupVersion: gv, version } };
        });
      return send(response, 200, { kind: "APIGroupList", apiVersion: "v1", groups });
    }
    const discovery = /^\/(?:api\/(v1)|apis\/([^/]+\/[^/]+))$/.exec(url.pathname);
    if (discovery) {
      const groupVersion = discovery[1] ?? discovery[2];
      const types = RESOURCES[groupVersion];
      if (!types) return send(response, 404, status(404, "NotFound", "the server could not find the requested resource"));
      const resources = types.map((type) => ({
        name: type.plural,
        singularName: type.kind.toLowerCase(),
        namespaced: type.namespaced,
        kind: type.kind,
        verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
      }));
      return send(response, 200, { kind: "APIResourceList", apiVersion: "v1", groupVersion, resources });
    }

    const match = /^\/(?:api\/(v1)|apis\/([^/]+\/[^/]+))(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+))?$/.exec(url.pathname);
    const type = match && resourceFor(match[1] ?? match[2], (t) => t.plural === match[4]);
    if (!match || !type) return send(response, 404, status(404, "NotFound", "the server could not find the requested resource"));
    const apiVersion = match[1] ?? match[2];
    const namespace = type.namespaced ? match[3] : undefined;
    const name = match[5];
    const group = apiVersion.includes("/") ? `.${apiVersion.split("/")[0]}` : "";
    const notFound = () => send(response, 404, { ...status(404, "NotFound", `${type.plural}${group} "${name}" not found`), details: { name, kind: type.plural } });

    if (name === undefined && method === "GET") {
      const items = [...objects.entries()]
        .filter(([k]) => k.startsWith(`${apiVersion}|${type.plural}|${namespace ?? ""}|`))
        .map(([, object]) => object)
        .filter((object) => matchesSelector(object, url.searchParams.get("labelSelector") ?? ""));
      return send(response, 200, { kind: `${type.kind}List`, apiVersion, metadata: { resourceVersion: "1" }, items });
    }
    if (name === undefined && method === "POST") {
      const object = parsedBody as Json;
      const objectName = (object.metadata as Json).name as string;
      const objectKey = key(apiVersion, type.plural, namespace, objectName);
      if (objects.has(objectKey)) return send(response, 409, status(409, "AlreadyExists", `${type.plural}${group} "${objectName}" already exists`));
      objects.set(objectKey, merge(object, { metadata: { namespace } }) as Json);
      return send(response, 201, objects.get(objectKey));
    }
    const objectKey = key(apiVersion, type.plural, namespace, name ?? "");
    const existing = objects.get(objectKey);
    if (!existing) return notFound();
    switch (method) {
      case "GET":
        return send(response, 200, existing);
      case "PATCH": {
        const patched = merge(existing, parsedBody) as Json;
        objects.set(objectKey, patched);
        return send(response, 200, patched);
      }
      case "DELETE":
        objects.delete(objectKey);
        return send(response, 200, { kind: "Status", apiVersion: "v1", status: "Success" });
      default:
        return send(response, 405, status(405, "MethodNotAllowed", `${method} is not supported here`));
    }
  };

  const server = http.createServer((request, response) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => (body += chunk));
    request.on("end", () => handle(request, body, response));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    requests,
    put(object) {
      const apiVersion = object.apiVersion as string;
      const metadata = object.metadata as Json;
      const type = resourceFor(apiVersion, (t) => t.kind === object.kind);
      if (!type) throw new Error(`fake-kube-api: no resource type for ${apiVersion} ${String(object.kind)}`);
      objects.set(key(apiVersion, type.plural, type.namespaced ? (metadata.namespace as string) : undefined, metadata.name as string), object);
    },
    get(apiVersion, kind, namespace, name) {
      const type = resourceFor(apiVersion, (t) => t.kind === kind);
      return type && objects.get(key(apiVersion, type.plural, type.namespaced ? namespace : undefined, name));
    },
    remove(apiVersion, kind, namespace, name) {
      const type = resourceFor(apiVersion, (t) => t.kind === kind);
      if (type) objects.delete(key(apiVersion, type.plural, type.namespaced ? namespace : undefined, name));
    },
    onRequest(listener) {
      listeners.push(listener);
    },
    forbid(method, pattern) {
      forbidden.push({ method, pattern });
    },
    writeKubeconfig(dir, namespace = "default") {
      return writeKubeconfig(dir, url, namespace);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A kubeconfig for `server` (http, token auth) whose context defaults to `namespace`. */
export function writeKubeconfig(dir: string, server: string, namespace = "default"): string {
  const file = path.join(dir, "kubeconfig");
  fs.writeFileSync(
    file,
    JSON.stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "test", cluster: { server } }],
      users: [{ name: "test", user: { token: "test-token" } }],
      contexts: [{ name: "test", context: { cluster: "test", user: "test", namespace } }],
      "current-context": "test",
    }),
    { mode: 0o600 },
  );
  return file;
}

export type HelmReleaseStatus = "deployed" | "failed" | "pending-install" | "pending-upgrade" | "pending-rollback" | "superseded" | "uninstalling";

/**
 * The Secret in which Helm 3 stores one revision of a release (storage driver "secret"):
 * `data.release` is base64(gzip(release JSON)), and the API base64-encodes secret data once more.
 */
export function helmReleaseSecret(release: string, namespace: string, revision: number, releaseStatus: HelmReleaseStatus): Json {
  const record = {
    name: release,
    namespace,
    version: revision,
    info: {
      first_deployed: "2026-11-23T10:00:00Z",
      last_deployed: "2026-11-23T10:00:00Z",
      deleted: "",
      description: releaseStatus === "deployed" ? "Upgrade complete" : "Interrupted",
      status: releaseStatus,
    },
    chart: { metadata: { apiVersion: "v2", name: release, version: "1.0.0", appVersion: "2022.11.3", type: "application" }, templates: [], values: null },
    manifest: "",
  };
  const stored = zlib.gzipSync(Buffer.from(JSON.stringify(record))).toString("base64");
  return {
    apiVersion: "v1",
    kind: "Secret",
    type: "helm.sh/release.v1",
    metadata: {
      name: `sh.helm.release.v1.${release}.v${revision}`,
      namespace,
      labels: { name: release, owner: "helm", status: releaseStatus, version: String(revision) },
    },
    data: { release: Buffer.from(stored).toString("base64") },
  };
}
