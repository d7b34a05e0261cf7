import { PersistentVolumeClaimV1 } from "@cdktf/provider-kubernetes/lib/persistent-volume-claim-v1";
import type { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { Fn, type ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import type { IService } from "kubernetes-models/v1/Service";
import type { IEnvVar } from "kubernetes-models/v1/EnvVar";
import type { IProbe } from "kubernetes-models/v1/Probe";
import { ChartRelease } from "../helm-chart/chart-release";

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
}

export interface PersistentServerProps extends PersistentServerPlacement {
  readonly args?: string[];
  readonly env?: IEnvVar[];
  /** The port clients use; the Service exposes it under the same number. */
  readonly port: number;
  readonly dataMountPath: string;
  /** Command that exits 0 when the server accepts clients. */
  readonly readinessCommand?: string[];
  /** HTTP path on `port` that answers 200 when the server accepts clients. */
  readonly readinessPath?: string;
  readonly resources: { readonly requests: Record<string, string>; readonly limits?: Record<string, string> };
  /** ConfigMaps mounted read-only into the container. */
  readonly configMapMounts?: readonly { readonly configMap: string; readonly mountPath: string }[];
  /**
   * Keys of the credentials Secret mounted read-only (mode 0444: servers drop root before reading
   * them) as files of the same name in `mountPath`.
   * @default none
   */
  readonly credentialsMount?: { readonly keys: readonly string[]; readonly mountPath: string };
  /**
   * The server's credentials: a Terraform-managed Secret named `credentialsSecretName(name)`, which
   * the server reads when it starts (secretKeyRef env vars, `credentialsMount`). A checksum of its
   * data is written into the pod template (annotation `checksum/credentials`, through a sensitive
   * release value), so changed credentials restart the server; the release waits for the Secret.
   * What the server then does with new credentials is up to it (see the services built on this).
   * @default none: only a change of the chart restarts the server
   */
  readonly credentials?: SecretV1;
  readonly labels?: Readonly<Record<string, string>>;
  /** Terraform resources the server needs first (its ConfigMaps; `credentials` is waited for anyway). */
  readonly dependsOn?: ITerraformDependable[];
}

/** The Secret holding a server's generated credentials, next to the server of that name. */
export function credentialsSecretName(serverName: string): string {
  return `${serverName}-credentials`;
}

/** An environment variable source reading `key` of a server's credentials Secret. */
export function fromCredentials(serverName: string, key: string) {
  return { secretKeyRef: { name: credentialsSecretName(serverName), key } };
}

/**
 * One server process on its own persistent volume: a volume claim with a lifecycle of its own
 * (Terraform, protected), and a single-replica Deployment that mounts it (Recreate: two pods must
 * never share the data) with a ClusterIP Service, installed as a Helm release that waits until the
 * server is ready. Upgrading or removing the release never touches the volume.
 */
export class PersistentServer extends Construct {
  /** In-cluster DNS name of the Service. */
  readonly host: string;
  readonly port: number;
  readonly volumeClaim: PersistentVolumeClaimV1;
  readonly workload: ChartRelease;
  /** The Deployment and Service as installed. */
  readonly manifests: readonly [IDeployment, IService];

  constructor(scope: Construct, id: string, props: PersistentServerProps) {
    super(scope, id);
    const selector = { "app.kubernetes.io/name": props.name, "app.kubernetes.io/instance": props.name };
    const labels = { ...props.labels, ...selector };
    const claimName = `${props.name}-data`;

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

    const probe: IProbe = props.readinessCommand
      ? { exec: { command: props.readinessCommand } }
      : { httpGet: { path: props.readinessPath ?? "/", port: props.port } };
    const configMounts = (props.configMapMounts ?? []).map((mount, index) => ({ ...mount, volume: `config-${index}` }));
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
            containers: [
              {
                name: props.name,
                image: props.image,
                ...(props.args ? { args: props.args } : {}),
                ...(props.env ? { env: props.env } : {}),
                ports: [{ name: "server", containerPort: props.port }],
                volumeMounts: [
                  // A sub-directory: a fresh volume's root may hold lost+found, which servers
                  // such as MySQL refuse as a data directory.
                  { name: "data", mountPath: props.dataMountPath, subPath: "data" },
                  ...configMounts.map(({ volume, mountPath }) => ({ name: volume, mountPath, readOnly: true })),
                  ...(props.credentialsMount ? [{ name: "credentials", mountPath: props.credentialsMount.mountPath, readOnly: true }] : []),
                ],
                readinessProbe: { ...probe, initialDelaySeconds: 5, periodSeconds: 10 },
                livenessProbe: { ...probe, initialDelaySeconds: 60, periodSeconds: 20, failureThreshold: 6 },
                resources: { requests: { ...props.resources.requests }, ...(props.resources.limits ? { limits: { ...props.resources.limits } } : {}) },
              },
            ],
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
                        defaultMode: 0o444,
                      },
                    },
                  ]
                : []),
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
    this.manifests = [deployment, service];
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
