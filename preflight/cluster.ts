/**
 * The Kubernetes cluster Gitpod goes to, with the checks of Gitpod's `installer validate cluster`
 * and its KOTS preflight: Kubernetes >= 1.21, containerd and kernel >= 5.4 on every node, a node
 * for each of Gitpod's workload labels, the StorageClasses the volumes need, and cert-manager.
 * A cluster that cannot be reached (no kubeconfig, API server not answering) is a warning: it may
 * not exist yet.
 */
import { atLeast, describeNetworkError, describeTlsError, errorMessage, fail, pass, runSteps, warn, type CheckResult, type Outcome, type Progress, type Step } from "./checks";
import { KubeconfigError } from "./kubeconfig-error";
import type { KubernetesApi } from "./kubernetes-api";

export interface ClusterProbe {
  /** Absolute kubeconfig path; undefined when the providers are configured from KUBE_* variables. */
  readonly kubeconfigPath: string | undefined;
  /** Undefined: the kubeconfig's current context. */
  readonly context?: string;
  /** StorageClasses named in the config, with who uses each (e.g. "database.storageClass"). */
  readonly namedStorageClasses: ReadonlyArray<{ readonly name: string; readonly usedBy: string }>;
  /** What creates volumes in the default StorageClass (e.g. "the in-cluster registry"); empty: none. */
  readonly defaultStorageClassNeededBy: readonly string[];
  /** True when the cluster-prerequisites stack installs cert-manager (then missing CRDs just mean "not yet"). */
  readonly certManagerInstalledByPrerequisites: boolean;
  readonly timeoutMs: number;
}

/** Opens the API; throws KubeconfigError when the kubeconfig cannot be used. */
export type OpenKubernetesApi = (configPath: string, context: string | undefined, timeoutMs: number) => Promise<KubernetesApi>;

export const CLUSTER = "cluster";

/** Gitpod's installer (`validate cluster`) rejects anything older. */
export const MINIMUM_KUBERNETES = { major: 1, minor: 21 };
export const MINIMUM_KERNEL = { major: 5, minor: 4 };

/** The labels Gitpod schedules its components by; each needs at least one node with value "true". */
export const WORKLOAD_LABELS = [
  "gitpod.io/workload_meta",
  "gitpod.io/workload_ide",
  "gitpod.io/workload_workspace_services",
  "gitpod.io/workload_workspace_regular",
  "gitpod.io/workload_workspace_headless",
] as const;

export const CERT_MANAGER_CRDS = ["certificates.cert-manager.io", "issuers.cert-manager.io", "clusterissuers.cert-manager.io"] as const;

const DEFAULT_CLASS_ANNOTATIONS = ["storageclass.kubernetes.io/is-default-class", "storageclass.beta.kubernetes.io/is-default-class"];

/** The fields of API objects the checks read (as the API server sends them). */
export interface VersionInfo {
  readonly major?: string;
  readonly minor?: string;
  readonly gitVersion?: string;
}
export interface Node {
  readonly metadata: { readonly name: string; readonly labels?: Readonly<Record<string, string>> };
  readonly status?: { readonly nodeInfo?: { readonly containerRuntimeVersion?: string; readonly kernelVersion?: string } };
}
export interface StorageClass {
  readonly metadata: { readonly name: string; readonly annotations?: Readonly<Record<string, string>> };
}
interface List<T> {
  readonly items?: readonly T[];
}

/** At most `count` names, then "and N more". */
function listed(names: readonly string[], count = 5): string {
  return names.length <= count ? names.join(", ") : `${names.slice(0, count).join(", ")} and ${names.length - count} more`;
}

export function assessKubernetesVersion(info: VersionInfo): Outcome {
  const fromGit = /^v?(\d+)\.(\d+)/.exec(info.gitVersion ?? "");
  const major = Number(fromGit?.[1] ?? parseInt(info.major ?? "", 10));
  const minor = Number(fromGit?.[2] ?? parseInt(info.minor ?? "", 10));
  const shown = info.gitVersion ?? `${info.major}.${info.minor}`;
  if (!Number.isFinite(major) || !Number.isFinite(minor)) return warn(`unrecognised version ${JSON.stringify(info)}`, "Gitpod needs Kubernetes 1.21 or newer");
  if (!atLeast({ major, minor }, MINIMUM_KUBERNETES)) return fail(`Kubernetes ${shown} is older than 1.21`, "upgrade the cluster to Kubernetes 1.21 or newer");
  return pass(`Kubernetes ${shown}`);
}

export function assessContainerRuntimes(nodes: readonly Node[]): Outcome {
  const other = nodes.filter((node) => !(node.status?.nodeInfo?.containerRuntimeVersion ?? "").startsWith("containerd://"));
  if (other.length > 0) {
    const shown = other.map((node) => `${node.metadata.name} (${node.status?.nodeInfo?.containerRuntimeVersion || "unknown"})`);
    return fail(`not on containerd: ${listed(shown)}`, "Gitpod's workspaces need containerd on every node (not Docker or CRI-O): use a containerd node image");
  }
  const versions = [...new Set(nodes.map((node) => node.status?.nodeInfo?.containerRuntimeVersion))];
  return pass(`all ${nodes.length} nodes on ${listed(versions as string[], 3)}`);
}

export function assessKernels(nodes: readonly Node[]): Outcome {
  const old = nodes.filter((node) => {
    const match = /^(\d+)\.(\d+)/.exec(node.status?.nodeInfo?.kernelVersion ?? "");
    return !match || !atLeast({ major: Number(match[1]), minor: Number(match[2]) }, MINIMUM_KERNEL);
  });
  if (old.length > 0) {
    const shown = old.map((node) => `${node.metadata.name} (${node.status?.nodeInfo?.kernelVersion || "unknown"})`);
    return fail(`kernel older than 5.4: ${listed(shown)}`, "Gitpod's workspaces need Linux 5.4 or newer on every node: use a newer node image");
  }
  return pass(`all ${nodes.length} nodes on kernel 5.4 or newer`);
}

export function assessNodeLabels(nodes: readonly Node[]): Outcome {
  const missing = WORKLOAD_LABELS.filter((label) => !nodes.some((node) => node.metadata.labels?.[label] === "true"));
  if (missing.length > 0) {
    return fail(
      `no node labelled ${missing.map((label) => `${label}=true`).join(", ")}`,
      `label the nodes Gitpod may use, e.g. kubectl label node <name> ${missing.map((label) => `${label}=true`).join(" ")}`,
    );
  }
  const counts = WORKLOAD_LABELS.map((label) => `${label.replace("gitpod.io/workload_", "")}: ${nodes.filter((node) => node.metadata.labels?.[label] === "true").length}`);
  return pass(`nodes per label: ${counts.join(", ")}`);
}

export function assessStorageClasses(classes: readonly StorageClass[], probe: Pick<ClusterProbe, "namedStorageClasses" | "defaultStorageClassNeededBy">): Outcome {
  const names = new Set(classes.map((storageClass) => storageClass.metadata.name));
  const missing = probe.namedStorageClasses.filter(({ name }) => !names.has(name));
  if (missing.length > 0) {
    return fail(
      `no StorageClass ${missing.map(({ name, usedBy }) => `"${name}" (${usedBy})`).join(", ")}; the cluster has: ${listed([...names]) || "none"}`,
      "create the StorageClass or name an existing one",
    );
  }
  const defaults = classes.filter((storageClass) => DEFAULT_CLASS_ANNOTATIONS.some((key) => storageClass.metadata.annotations?.[key] === "true"));
  if (defaults.length === 0) {
    const detail = `no default StorageClass (the cluster has: ${listed([...names]) || "none"})`;
    const hint = `mark one as default: kubectl annotate storageclass <name> ${DEFAULT_CLASS_ANNOTATIONS[0]}=true`;
    if (probe.defaultStorageClassNeededBy.length > 0) return fail(`${detail}; needed by ${probe.defaultStorageClassNeededBy.join(", ")}`, hint);
    return warn(detail, `${hint} (nothing configured here needs one yet)`);
  }
  return pass(`default: ${defaults.map((storageClass) => storageClass.metadata.name).join(", ")}`);
}

export function assessCertManager(present: Readonly<Record<string, boolean>>, installedByPrerequisites: boolean): Outcome {
  const missing = CERT_MANAGER_CRDS.filter((crd) => !present[crd]);
  if (missing.length === 0) return pass("cert-manager's CRDs are installed");
  if (installedByPrerequisites) {
    return warn(`not yet installed (apply the cluster-prerequisites stack first): no CRD ${missing.join(", ")}`, "the cluster-prerequisites stack installs cert-manager; deploy it before the release");
  }
  return fail(
    `cert-manager is not installed (no CRD ${missing.join(", ")}), and tls.certManager.install is false`,
    "install cert-manager (>= v1.0) in the cluster, or set tls.certManager.install: true",
  );
}

interface Context {
  readonly probe: ClusterProbe;
  readonly open: OpenKubernetesApi;
  api?: KubernetesApi;
  version?: VersionInfo;
  nodes?: Promise<readonly Node[]>;
}

/** GET that must answer 200; an HTTP error is explained, with the RBAC hint for 401/403. */
async function getOk<T>(api: KubernetesApi, path: string, what: string): Promise<T> {
  const { status, body } = await api.get<T>(path);
  if (status === 200 && body !== undefined) return body;
  const hint = status === 401 ? "the API server rejects the kubeconfig's credentials" : status === 403 ? `the kubeconfig's user may not ${what}` : "";
  throw new Error(`${what}: HTTP ${status} from ${api.server}${path}${hint ? ` (${hint})` : ""}`);
}

const nodesOf = (context: Context) => (context.nodes ??= getOk<List<Node>>(context.api!, "/api/v1/nodes", "list nodes").then((list) => list.items ?? []));

/** Fails on an empty node list: every node check would pass vacuously. */
async function withNodes(context: Context, assess: (nodes: readonly Node[]) => Outcome): Promise<Outcome> {
  const nodes = await nodesOf(context);
  if (nodes.length === 0) return fail("the cluster has no nodes", "add nodes for Gitpod's workloads");
  return assess(nodes);
}

const steps: ReadonlyArray<Step<Context>> = [
  {
    check: "kubeconfig",
    doing: "reading the kubeconfig",
    laterStepsNeedIt: true,
    async run(context) {
      const { probe } = context;
      if (probe.kubeconfigPath === undefined) {
        return { ...warn("not checked: kubernetes.configPath is \"\" (the providers use KUBE_* variables)", "to check the cluster, set kubernetes.configPath to a kubeconfig"), stop: true };
      }
      try {
        context.api = await context.open(probe.kubeconfigPath, probe.context, probe.timeoutMs);
      } catch (error) {
        if (error instanceof KubeconfigError && error.missing) {
          return { ...warn(`not reachable: ${error.message}`, "run preflight where the kubeconfig is (kubernetes.configPath), or ignore this if the cluster does not exist yet"), stop: true };
        }
        return fail(errorMessage(error), "fix kubernetes.configPath / kubernetes.context");
      }
      return pass(`context ${context.api.context}, API server ${context.api.server}`);
    },
  },
  {
    check: "API server",
    doing: "GET /version",
    laterStepsNeedIt: true,
    async run(context) {
      const api = context.api!;
      let answer: { status: number; body: VersionInfo | undefined };
      try {
        answer = await api.get<VersionInfo>("/version");
      } catch (error) {
        const tls = describeTlsError(error);
        if (tls) return fail(`${api.server}: ${tls}`, "the kubeconfig's certificate-authority must be the CA of the API server");
        const network = describeNetworkError(error, api.server);
        if (network) return { ...warn(`not reachable: ${network}`, "run preflight where the API server is reachable (VPN, bastion), or ignore this if the cluster does not exist yet"), stop: true };
        return fail(`${api.server}: ${errorMessage(error)}`, "check the kubeconfig's credentials (an exec plugin such as aws eks get-token must work here)");
      }
      if (answer.status === 401 || answer.status === 403) {
        return fail(`${api.server} rejects the kubeconfig's credentials (HTTP ${answer.status})`, "refresh the kubeconfig's credentials");
      }
      if (answer.status !== 200 || answer.body === undefined) return fail(`${api.server}/version answered HTTP ${answer.status}`, "is this a Kubernetes API server?");
      context.version = answer.body;
      return pass(`${api.server} answers`);
    },
  },
  {
    check: "Kubernetes version",
    doing: "comparing the Kubernetes version",
    laterStepsNeedIt: false,
    run: async (context) => assessKubernetesVersion(context.version!),
  },
  {
    check: "container runtime",
    doing: "listing nodes",
    laterStepsNeedIt: false,
    run: (context) => withNodes(context, assessContainerRuntimes),
  },
  { check: "kernel", doing: "reading the nodes' kernels", laterStepsNeedIt: false, run: (context) => withNodes(context, assessKernels) },
  { check: "node labels", doing: "reading the nodes' labels", laterStepsNeedIt: false, run: (context) => withNodes(context, assessNodeLabels) },
  {
    check: "StorageClass",
    doing: "listing StorageClasses",
    laterStepsNeedIt: false,
    async run(context) {
      const list = await getOk<List<StorageClass>>(context.api!, "/apis/storage.k8s.io/v1/storageclasses", "list StorageClasses");
      return assessStorageClasses(list.items ?? [], context.probe);
    },
  },
  {
    check: "cert-manager",
    doing: "looking for cert-manager's CRDs",
    laterStepsNeedIt: false,
    async run(context) {
      const present: Record<string, boolean> = {};
      for (const crd of CERT_MANAGER_CRDS) {
        const { status } = await context.api!.get(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd}`);
        if (status !== 200 && status !== 404) throw new Error(`read CRD ${crd}: HTTP ${status} from ${context.api!.server}`);
        present[crd] = status === 200;
      }
      return assessCertManager(present, context.probe.certManagerInstalledByPrerequisites);
    },
  },
];

export function checkCluster(probe: ClusterProbe, progress: Progress, open: OpenKubernetesApi): Promise<CheckResult[]> {
  return runSteps(CLUSTER, steps, { probe, open }, progress);
}
