/**
 * A render of Gitpod 2022.11.3 in the exact on-disk format of `installer render --output-split-files`
 * (docs/gitpod-installer.md, "What `installer render` really writes"): one file per object named
 * `NNN_<Kind>_<name>.yaml` in dependency order, each `---\n# <apiVersion>/<Kind> <name>\n<object>`
 * with NO trailing newline; objects as Go's YAML marshaller writes them (sorted keys, unindented
 * lists, `creationTimestamp: null`, `status: {}`); `# Source:` lines on objects from embedded Helm
 * charts; Go-template-like text in ConfigMap data; binary Secret data; cluster-scoped objects; PVCs.
 * The kinds and counts are those of a minimal real render (~189 objects, ~290 KB).
 */
import * as fs from "fs";
import * as path from "path";
import { dump } from "js-yaml";

type Json = Record<string, unknown>;

export interface RenderedObject {
  readonly fileName: string;
  readonly object: Json;
  /** The file's exact content. */
  readonly text: string;
}

export interface RenderOptions {
  readonly namespace: string;
  /** Secrets Gitpod's config refers to (names chosen by gitpod-cdktf). */
  readonly secrets: { readonly database: string; readonly objectStorage: string; readonly registry: string; readonly authProvider: string };
  /** 2 renders every object twice (under other names): a render twice as large. Default 1. */
  readonly copies?: number;
}

/** Objects of embedded Helm charts carry the chart template they come from. */
const HELM_SOURCED = new Set(["messagebus"]);

/** Deterministic pseudo-random bytes (xorshift), so the fixture is the same on every machine. */
function bytes(seed: number, length: number): Buffer {
  const out = Buffer.alloc(length);
  let x = seed || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Text with the shape of Gitpod's JSON configs, `size` characters long. */
function configText(name: string, size: number): string {
  const lines: string[] = [];
  for (let i = 0; lines.join("\n").length < size; i++) {
    lines.push(`  "${name}-setting-${i}": {"enabled": ${i % 2 === 0}, "limit": ${i * 37}, "url": "https://${name}.example/${i}"},`);
  }
  return `{\n${lines.join("\n")}\n}`;
}

const env = (name: string, secret: string, key: string) => ({ name, valueFrom: { secretKeyRef: { key, name: secret } } });

interface Workload {
  readonly kind: "Deployment" | "StatefulSet" | "DaemonSet";
  readonly name: string;
  readonly env?: Json[];
  readonly envFrom?: Json[];
  readonly volumes?: Json[];
  readonly mounts?: Json[];
}

function workloads(s: RenderOptions["secrets"]): Workload[] {
  const registryMount = [{ mountPath: "/config/pull-secret.json", name: "pull-secret", subPath: ".dockerconfigjson" }];
  const registryVolume = [{ name: "pull-secret", secret: { secretName: s.registry } }];
  const db = ["host", "port", "username", "password"].map((key) => env(`DB_${key.toUpperCase()}`, s.database, key));
  const storage = [env("STORAGE_ACCESS_KEY", s.objectStorage, "accessKeyId"), env("STORAGE_SECRET_KEY", s.objectStorage, "secretAccessKey")];
  return [
    { kind: "Deployment", name: "blobserve", volumes: registryVolume, mounts: registryMount },
    { kind: "Deployment", name: "content-service", env: storage },
    { kind: "Deployment", name: "dashboard" },
    { kind: "Deployment", name: "ide-metrics" },
    { kind: "Deployment", name: "ide-proxy" },
    { kind: "Deployment", name: "ide-service" },
    { kind: "Deployment", name: "image-builder-mk3", volumes: registryVolume, mounts: registryMount },
    { kind: "Deployment", name: "minio", volumes: [{ name: "data", persistentVolumeClaim: { claimName: "minio" } }] },
    { kind: "Deployment", name: "proxy", volumes: [{ name: "config-certificates", secret: { secretName: "https-certificates" } }] },
    {
      kind: "Deployment",
      name: "public-api-server",
      volumes: [{ name: "db", projected: { sources: [{ secret: { name: s.database } }, { configMap: { name: "public-api-server" } }] } }],
    },
    { kind: "Deployment", name: "registry", volumes: [{ name: "data", persistentVolumeClaim: { claimName: "registry" } }] },
    {
      kind: "Deployment",
      name: "server",
      env: [...db, env("DB_ENCRYPTION_KEYS", s.database, "encryptionKeys")],
      volumes: [{ name: "auth-provider-0", secret: { secretName: s.authProvider } }, { name: "ws-manager-client-tls", secret: { secretName: "ws-manager-client-tls" } }],
    },
    { kind: "Deployment", name: "usage", envFrom: [{ secretRef: { name: s.database } }] },
    { kind: "Deployment", name: "ws-manager", volumes: [{ name: "tls", secret: { secretName: "ws-manager-tls" } }] },
    { kind: "Deployment", name: "ws-manager-bridge", env: db },
    { kind: "StatefulSet", name: "messagebus", volumes: [{ name: "certs", secret: { secretName: "messagebus-certificates-secret-core" } }] },
    { kind: "StatefulSet", name: "mysql" },
    { kind: "StatefulSet", name: "openvsx-proxy" },
    { kind: "DaemonSet", name: "agent-smith" },
    { kind: "DaemonSet", name: "registry-facade", volumes: registryVolume, mounts: registryMount },
    { kind: "DaemonSet", name: "ws-daemon", env: storage },
  ];
}

function workloadObject(w: Workload, namespace: string, index: number): Json {
  const labels = { app: "gitpod", component: w.name };
  const podSpec = {
    affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "gitpod.io/workload_meta", operator: "Exists" }] }] } } },
    containers: [
      {
        args: ["run", "--config", `/config/${w.name}.json`],
        ...(w.env ? { env: [{ name: "GITPOD_DOMAIN", value: "gitpod.acme.dev" }, ...w.env] } : {}),
        ...(w.envFrom ? { envFrom: w.envFrom } : {}),
        image: `eu.gcr.io/gitpod-core-dev/build/${w.name}:commit-${bytes(index + 7, 20).toString("hex")}`,
        imagePullPolicy: "IfNotPresent",
        name: w.name,
        ports: [{ containerPort: 8080, name: "http" }],
        resources: { requests: { cpu: "100m", memory: "128Mi" } },
        securityContext: { privileged: false, runAsUser: 31001 },
        volumeMounts: [{ mountPath: "/config", name: "config", readOnly: true }, ...(w.mounts ?? [])],
      },
    ],
    dnsPolicy: "ClusterFirst",
    enableServiceLinks: false,
    serviceAccountName: w.name,
    volumes: [{ configMap: { name: w.name }, name: "config" }, ...(w.volumes ?? [])],
  };
  const template = { metadata: { annotations: { "gitpod.io/checksum_config": bytes(index + 3, 32).toString("hex") }, creationTimestamp: null, labels, name: w.name, namespace }, spec: podSpec };
  const spec: Json =
    w.kind === "DaemonSet"
      ? { selector: { matchLabels: labels }, template, updateStrategy: {} }
      : w.kind === "StatefulSet"
        ? { replicas: 1, selector: { matchLabels: labels }, serviceName: w.name, template, updateStrategy: {} }
        : { replicas: 1, selector: { matchLabels: labels }, strategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 }, type: "RollingUpdate" }, template };
  const status = w.kind === "StatefulSet" ? { availableReplicas: 0, replicas: 0 } : w.kind === "DaemonSet" ? { currentNumberScheduled: 0, desiredNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0 } : {};
  return { apiVersion: "apps/v1", kind: w.kind, metadata: { creationTimestamp: null, labels, name: w.name, namespace }, spec, status };
}

function objects(options: RenderOptions): Json[] {
  const ns = options.namespace;
  const names = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => (i === 0 ? prefix : `${prefix}-${i}`));
  const meta = (name: string, namespaced = true) => ({ creationTimestamp: null, labels: { app: "gitpod", component: name }, name, ...(namespaced ? { namespace: ns } : {}) });
  const components = workloads(options.secrets).map((w) => w.name);
  const extra = ["migrations", "spicedb", "redis", "cluster"];
  const all = [...components, ...extra];
  const out: Json[] = [];

  // ServiceAccounts 25
  for (const name of all.slice(0, 25)) out.push({ apiVersion: "v1", automountServiceAccountToken: false, kind: "ServiceAccount", metadata: meta(name) });
  // Secrets 11: the installer's own (generated from the seed), with binary data.
  for (const [i, name] of ["builtin-registry-auth", "builtin-registry-certs", "ws-manager-tls", "ws-manager-client-tls", "ws-daemon-tls", "messagebus-certificates-secret-core", "minio", "mysql", "openvsx-proxy", "spicedb-secret", "server-jwt"].entries()) {
    out.push({
      apiVersion: "v1",
      data: { "ca.crt": bytes(i + 100, 900).toString("base64"), "tls.key": bytes(i + 200, 1200).toString("base64"), raw: bytes(i + 300, 64).toString("base64") },
      kind: "Secret",
      metadata: meta(name),
      type: i === 0 ? "kubernetes.io/dockerconfigjson" : "Opaque",
    });
  }
  // ConfigMaps 23, with Go-template-looking text Helm must not evaluate.
  for (const [i, name] of [...components, "gitpod-app", "workspace-template"].slice(0, 23).entries()) {
    const data: Record<string, string> = { [`${name}.json`]: configText(name, 6500) };
    if (name === "openvsx-proxy") data["nginx.conf"] = "location / { proxy_pass {{extensionsGalleryItemUrl}}; }\n{{- if .Values.cache }}cache on{{- end }}";
    if (name === "ws-manager") data["template.yaml"] = "name: {{ .Prefix }}-{{ .InstanceID }}\nowner: {{ .Owner }}";
    if (name === "dashboard") data["html"] = `<script>window.config = {{ .Config | toJson }}</script><!-- ${i} -->`;
    out.push({ apiVersion: "v1", data, kind: "ConfigMap", metadata: meta(name) });
  }
  // PersistentVolumeClaims 2
  for (const name of ["minio", "registry"]) {
    out.push({ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: meta(name), spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "30Gi" } } }, status: {} });
  }
  // ClusterRoles 4, ClusterRoleBindings 20: cluster-scoped, fixed names.
  const rule = [{ apiGroups: [""], resources: ["pods", "services"], verbs: ["get", "list", "watch"] }];
  for (const name of names(`${ns}-ns-psp`, 4)) out.push({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: meta(name, false), rules: rule });
  for (const name of all.slice(0, 20)) {
    out.push({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: meta(`${ns}-${name}-rb-kube-rbac-proxy`, false),
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: `${ns}-kube-rbac-proxy` },
      subjects: [{ kind: "ServiceAccount", name, namespace: ns }],
    });
  }
  // Roles 5, RoleBindings 27
  for (const name of names("gitpod-role", 5)) out.push({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: meta(name), rules: rule });
  for (const name of [...all, "ws-manager-ws", "server-ws", "image-builder-ws"].slice(0, 27)) {
    out.push({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: meta(`${name}`),
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "gitpod-role" },
      subjects: [{ kind: "ServiceAccount", name: name.replace(/-ws$/, ""), namespace: ns }],
    });
  }
  // Services 22
  for (const name of all.slice(0, 22)) {
    out.push({
      apiVersion: "v1",
      kind: "Service",
      metadata: meta(name),
      spec: { ports: [{ name: "http", port: 8080, protocol: "TCP", targetPort: 8080 }], selector: { app: "gitpod", component: name }, type: name === "proxy" ? "LoadBalancer" : "ClusterIP" },
      status: { loadBalancer: {} },
    });
  }
  // Issuers 2, Certificates 6: cert-manager objects of Gitpod's internal CA.
  for (const name of ["ca-issuer", "gitpod-selfsigned-issuer"]) out.push({ apiVersion: "cert-manager.io/v1", kind: "Issuer", metadata: meta(name), spec: name === "ca-issuer" ? { ca: { secretName: "gitpod-ca" } } : { selfSigned: {} }, status: {} });
  for (const name of ["gitpod-ca", "ws-manager-tls", "ws-manager-client-tls", "ws-daemon-tls", "builtin-registry-facade-cert", "messagebus-certificates-secret-core"]) {
    out.push({ apiVersion: "cert-manager.io/v1", kind: "Certificate", metadata: meta(name), spec: { dnsNames: [`${name}.${ns}.svc`], issuerRef: { group: "cert-manager.io", kind: "Issuer", name: "ca-issuer" }, secretName: name }, status: {} });
  }
  // NetworkPolicies 17
  for (const name of all.slice(0, 17)) {
    out.push({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: meta(name), spec: { ingress: [{ from: [{ podSelector: { matchLabels: { app: "gitpod" } } }] }], podSelector: { matchLabels: { component: name } }, policyTypes: ["Ingress"] } });
  }
  out.push({ apiVersion: "v1", kind: "ResourceQuota", metadata: meta("gitpod-resource-quota"), spec: { hard: { pods: "10k" }, scopeSelector: { matchExpressions: [{ operator: "In", scopeName: "PriorityClass", values: ["system-node-critical"] }] } }, status: {} });
  out.push({ apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: meta("ws-manager"), spec: { maxUnavailable: 1, selector: { matchLabels: { component: "ws-manager" } } }, status: { currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0 } });
  workloads(options.secrets).forEach((w, i) => out.push(workloadObject(w, ns, i)));
  out.push({ apiVersion: "batch/v1", kind: "Job", metadata: meta("migrations"), spec: { template: { metadata: { creationTimestamp: null }, spec: { containers: [{ env: [env("DB_PASSWORD", options.secrets.database, "password")], image: "eu.gcr.io/gitpod-core-dev/build/db-migrations:x", name: "migrations" }], restartPolicy: "Never" } } }, status: {} });
  out.push({ apiVersion: "batch/v1", kind: "CronJob", metadata: meta("usage-reconciler"), spec: { jobTemplate: { metadata: { creationTimestamp: null }, spec: { template: { metadata: { creationTimestamp: null }, spec: { containers: [{ image: "eu.gcr.io/gitpod-core-dev/build/usage:x", name: "reconciler" }], restartPolicy: "OnFailure" } } } }, schedule: "*/15 * * * *" }, status: {} });
  return out;
}

/** Writes like Go's sigs.k8s.io/yaml: sorted keys, lists at their parent's indentation, no folding. */
function goYaml(object: Json): string {
  return dump(object, { sortKeys: true, noArrayIndent: true, lineWidth: -1, noRefs: true });
}

export function installerRender(options: RenderOptions): RenderedObject[] {
  const copies = options.copies ?? 1;
  const base = objects(options);
  const all = Array.from({ length: copies }, (_, copy) =>
    base.map((object) => (copy === 0 ? object : { ...object, metadata: { ...(object.metadata as Json), name: `${(object.metadata as Json).name}-copy${copy}` } })),
  ).flat();
  return all.map((object, index) => {
    const name = (object.metadata as Json).name as string;
    const source = HELM_SOURCED.has(name) ? `# Source: gitpod/charts/rabbitmq/templates/${String(object.kind).toLowerCase()}.yaml\n` : "";
    // display.go trims the object's leading and trailing newlines: the file ends without one.
    const text = `---\n# ${object.apiVersion}/${object.kind} ${name}\n${source}${goYaml(object).replace(/^\n+|\n+$/g, "")}`;
    return { fileName: `${String(index).padStart(3, "0")}_${object.kind}_${name}.yaml`, object, text };
  });
}

export function writeInstallerRender(dir: string, render: readonly RenderedObject[]): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const item of render) fs.writeFileSync(path.join(dir, item.fileName), item.text);
}
