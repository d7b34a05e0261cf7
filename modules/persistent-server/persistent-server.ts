import { PersistentVolumeClaimV1 } from "@cdktf/provider-kubernetes/lib/persistent-volume-claim-v1";
import type { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { Fn, type ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import type { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import type { IContainer } from "kubernetes-models/v1/Container";
import type { IProbe } from "kubernetes-models/v1/Probe";
import type { IService } from "kubernetes-models/v1/Service";
import { ChartRelease } from "../helm-chart/chart-release";
import { imagePullSecretsOf } from "../helm-chart/kubernetes-object";

/** Where and how big a server runs: what the services built on PersistentServer take from their users. */
export interface PersistentServerPlacement {
  readonly namespace: string;
  /** Name of the Deployment, Service and Helm release; the volume claim is `<name>-data`. */
  readonly name: string;
  readonly image: string;
  readonly storageSize: string;
  /** Omit for the cluster's default StorageClass. */
  readonly storageClass?: string;
  /**
   * Refuse to destroy or replace the volume claim (Terraform `prevent_destroy`). Turn off, apply,
   * then destroy, to delete the data on purpose.
   */
  readonly deletionProtection: boolean;
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /**
   * Secrets in `namespace` to pull the image with (a mirror's login).
   * @default none
   */
  readonly imagePullSecrets?: readonly string[];
}

/** How the kubelet checks a server: a command run in its container, or an HTTP GET on its port. */
export type HealthCheck = { readonly command: readonly string[] } | { readonly httpPath: string };

export interface ServerHealth {
  /** Passes when the server accepts clients; while it fails, the Service sends the pod nothing. */
  readonly ready: HealthCheck;
  /**
   * Passes while the process is worth keeping; failing for two minutes restarts the container.
   * @default `ready`
   */
  readonly alive?: HealthCheck;
  /**
   * How long a start may take before `alive` counts (the startup probe): initialising an empty
   * volume, recovering after a crash. Liveness failures during it restart nothing.
   */
  readonly startupSeconds: number;
}

/**
 * Pods allowed to connect to the server, in its namespace: for each label, the values it may have
 * (every label must match). Everything else is refused by the server's NetworkPolicy.
 */
export type ClientSelector = Readonly<Record<string, readonly string[]>>;

export interface PersistentServerProps extends PersistentServerPlacement {
  readonly args?: string[];
  /**
   * Plain settings only: secrets reach the server as files (`credentialsMount`), never as
   * environment variables, which every process of the container (and `kubectl exec`) inherits.
   */
  readonly env?: readonly { readonly name: string; readonly value: string }[];
  /** The port clients use; the Service exposes it under the same number. */
  readonly port: number;
  readonly dataMountPath: string;
  /**
   * The user and group the server runs as, never root. The group is also the pod's fsGroup: the
   * kubelet makes the data volume (and the credentials files) group-accessible to it before the
   * server starts, and changes ownership only when the volume's root does not match yet
   * (fsGroupChangePolicy OnRootMismatch): once, on the first start after an upgrade.
   */
  readonly runAs: { readonly user: number; readonly group: number };
  /**
   * Directories the server writes outside its data volume (sockets, temporary files): empty
   * directories for the pod's life, since the root filesystem is read-only.
   * @default none
   */
  readonly scratchDirs?: readonly string[];
  readonly health: ServerHealth;
  /** Both requests and limits, CPU and memory: a server without limits can starve its node. */
  readonly resources: { readonly requests: ResourceAmounts; readonly limits: ResourceAmounts };
  /** ConfigMaps mounted read-only into the container. */
  readonly configMapMounts?: readonly { readonly configMap: string; readonly mountPath: string }[];
  /**
   * Keys of the credentials Secret mounted read-only as files of the same name in `mountPath`,
   * mode 0440: root and the pod's fsGroup (`runAs.group`) may read them, nobody else.
   * @default none
   */
  readonly credentialsMount?: { readonly keys: readonly string[]; readonly mountPath: string };
  /**
   * The server's credentials: a Terraform-managed Secret named `credentialsSecretName(name)`, which
   * the server reads when it starts (`credentialsMount`). A checksum of its data is written into
   * the pod template (annotation `checksum/credentials`, through a sensitive release value), so
   * changed credentials restart the server; the release waits for the Secret. What the server then
   * does with new credentials is up to it (see the services built on this).
   * @default none: only a change of the chart restarts the server
   */
  readonly credentials?: SecretV1;
  /**
   * Who may connect to `port`: pods of the server's namespace with these labels (the server's
   * NetworkPolicy admits nothing else). Required, and never empty: "everyone" is not a choice.
   */
  readonly clients: ClientSelector;
  readonly labels?: Readonly<Record<string, string>>;
  /** Terraform resources the server needs first (its ConfigMaps; `credentials` is waited for anyway). */
  readonly dependsOn?: ITerraformDependable[];
}

export interface ResourceAmounts {
  readonly cpu: string;
  readonly memory: string;
}

/** The Secret holding a server's generated credentials, next to the server of that name. */
export function credentialsSecretName(serverName: string): string {
  return `${serverName}-credentials`;
}

/**
 * One server process on its own persistent volume: a volume claim with a lifecycle of its own
 * (Terraform, protected), and a single-replica Deployment that mounts it (Recreate: two pods must
 * never share the data) with a ClusterIP Service and a NetworkPolicy, installed as a Helm release
 * that waits until the server is ready. Upgrading or removing the release never touches the volume.
 *
 * The pod meets the Pod Security Standard "restricted" (non-root user, no privilege escalation,
 * no capabilities, RuntimeDefault seccomp, only configMap/secret/emptyDir/PVC volumes), with a
 * read-only root filesystem, no service-account token and no service-link environment variables;
 * secrets are files. Only `clients` reach its port.
 */
export class PersistentServer extends Construct {
  /** In-cluster DNS name of the Service. */
  readonly host: string;
  readonly port: number;
  readonly volumeClaim: PersistentVolumeClaimV1;
  readonly workload: ChartRelease;
  /** The Deployment, Service and NetworkPolicy as installed. */
  readonly manifests: readonly [IDeployment, IService, INetworkPolicy];

  constructor(scope: Construct, id: string, props: PersistentServerProps) {
    super(scope, id);
    const clientLabels = Object.entries(props.clients);
    if (clientLabels.length === 0 || clientLabels.some(([, values]) => values.length === 0)) {
      throw new Error(`${props.name}: clients must name at least one label, each with at least one value (an empty selector would admit every pod)`);
    }
    if (props.runAs.user === 0 || props.runAs.group === 0) throw new Error(`${props.name}: the server must not run as root (runAs ${props.runAs.user}:${props.runAs.group})`);
    const selector = { "app.kubernetes.io/name": props.name, "app.kubernetes.io/instance": props.name };
    const labels = { ...props.labels, ...selector };
    const claimName = `${props.name}-data`;

    // Never change this resource's construct id or spec here: Terraform would replace the claim,
    // and with it the data (`__tests__/app.test.ts`, "stateful resources keep their Terraform addresses").
    this.volumeClaim = new PersistentVolumeClaimV1(this, "data", {
      metadata: { name: claimName, namespace: props.namespace, labels },
      spec: {
        accessModes: ["ReadWriteOnce"],
        storageClassName: props.storageClass,
        resources: { requests: { storage: props.storageSize } },
      },
      // WaitForFirstConsumer storage classes bind only once the pod exists.
      waitUntilBound: false,
      lifecycle: { preventDestroy: props.deletionProtection },
    });

    const handler = (check: HealthCheck): IProbe =>
      "command" in check ? { exec: { command: [...check.command] } } : { httpGet: { path: check.httpPath, port: props.port } };
    const alive = handler(props.health.alive ?? props.health.ready);
    const configMounts = (props.configMapMounts ?? []).map((mount, index) => ({ ...mount, volume: `config-${index}` }));
    const scratchMounts = (props.scratchDirs ?? []).map((mountPath, index) => ({ mountPath, volume: `scratch-${index}` }));
    const container: IContainer = {
      name: props.name,
      image: props.image,
      ...(props.args ? { args: props.args } : {}),
      ...(props.env ? { env: props.env.map(({ name, value }) => ({ name, value })) } : {}),
      ports: [{ name: "server", containerPort: props.port }],
      volumeMounts: [
        // A sub-directory: a fresh volume's root may hold lost+found, which servers
        // such as MySQL refuse as a data directory.
        { name: "data", mountPath: props.dataMountPath, subPath: "data" },
        ...configMounts.map(({ volume, mountPath }) => ({ name: volume, mountPath, readOnly: true })),
        ...(props.credentialsMount ? [{ name: "credentials", mountPath: props.credentialsMount.mountPath, readOnly: true }] : []),
        ...scratchMounts.map(({ volume, mountPath }) => ({ name: volume, mountPath })),
      ],
      // The first start may initialise the volume: liveness counts only once this passed.
      startupProbe: { ...alive, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: Math.ceil(props.health.startupSeconds / 10) },
      readinessProbe: { ...handler(props.health.ready), periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
      livenessProbe: { ...alive, periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 6 },
      resources: { requests: { ...props.resources.requests }, limits: { ...props.resources.limits } },
      securityContext: {
        runAsNonRoot: true,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ["ALL"] },
      },
    };
    const deployment: IDeployment = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: props.name, labels },
      spec: {
        replicas: 1,
        strategy: { type: "Recreate" },
        selector: { matchLabels: selector },
        template: {
          metadata: { labels },
          spec: {
            ...(props.nodeSelector ? { nodeSelector: { ...props.nodeSelector } } : {}),
            ...imagePullSecretsOf(props.imagePullSecrets),
            // The server never talks to the Kubernetes API.
            automountServiceAccountToken: false,
            // No `<SERVICE>_HOST`/`_PORT` variables of every Service in the namespace.
            enableServiceLinks: false,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: props.runAs.user,
              runAsGroup: props.runAs.group,
              fsGroup: props.runAs.group,
              fsGroupChangePolicy: "OnRootMismatch",
              seccompProfile: { type: "RuntimeDefault" },
            },
            containers: [container],
            volumes: [
              { name: "data", persistentVolumeClaim: { claimName } },
              ...configMounts.map(({ volume, configMap }) => ({ name: volume, configMap: { name: configMap } })),
              ...(props.credentialsMount
                ? [
                    {
                      name: "credentials",
                      secret: {
                        secretName: credentialsSecretName(props.name),
                        items: props.credentialsMount.keys.map((key) => ({ key, path: key })),
                        // Owner root, group the fsGroup (the kubelet sets it on secret volumes).
                        defaultMode: 0o440,
                      },
                    },
                  ]
                : []),
              ...scratchMounts.map(({ volume }) => ({ name: volume, emptyDir: {} })),
            ],
          },
        },
      },
    };
    const service: IService = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: props.name, labels },
      spec: { selector, ports: [{ name: "server", port: props.port, targetPort: "server" }] },
    };
    // Namespaced (the release's namespace): a podSelector without namespaceSelector matches pods of
    // that namespace only. The kubelet's HTTP probes come from the node, which NetworkPolicies
    // always admit.
    const networkPolicy: INetworkPolicy = {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: props.name, labels },
      spec: {
        podSelector: { matchLabels: selector },
        policyTypes: ["Ingress"],
        ingress: [
          {
            from: [{ podSelector: { matchExpressions: clientLabels.map(([key, values]) => ({ key, operator: "In", values: [...values] })) } }],
            ports: [{ protocol: "TCP", port: props.port }],
          },
        ],
      },
    };
    this.manifests = [deployment, service, networkPolicy];
    this.workload = new ChartRelease(this, "workload", {
      chartName: props.name,
      version: "1.0.0",
      description: `${props.name} on its persistent volume ${claimName} (generated by gitpod-cdktf)`,
      manifests: this.manifests,
      releaseName: props.name,
      namespace: props.namespace,
      ...(props.credentials
        ? {
            // Sensitive: it is derived from the passwords (a sha256 of 32+ random characters does
            // not reveal them, but plans and logs need not show it either).
            sensitiveChecksums: { credentials: Fn.sha256(Fn.jsonencode(props.credentials.data)) },
            podTemplateChecksums: [{ kind: "Deployment", name: props.name, checksums: ["credentials"] }],
          }
        : {}),
      dependsOn: [this.volumeClaim, ...(props.credentials ? [props.credentials] : []), ...(props.dependsOn ?? [])],
    });
    this.port = props.port;
    this.host = `${props.name}.${props.namespace}.svc.cluster.local`;
  }
}
