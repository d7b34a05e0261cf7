import { DeploymentV1, type DeploymentV1SpecTemplateSpecContainerEnv } from "@cdktf/provider-kubernetes/lib/deployment-v1";
import { PersistentVolumeClaimV1 } from "@cdktf/provider-kubernetes/lib/persistent-volume-claim-v1";
import { ServiceV1 } from "@cdktf/provider-kubernetes/lib/service-v1";
import { Construct } from "constructs";

export interface PersistentServerProps {
  readonly namespace: string;
  /** Name of the Deployment, Service and (with "-data") the volume claim. */
  readonly name: string;
  readonly image: string;
  readonly args?: string[];
  readonly env?: DeploymentV1SpecTemplateSpecContainerEnv[];
  /** The port clients use; the Service exposes it under the same number. */
  readonly port: number;
  readonly dataMountPath: string;
  readonly storageSize: string;
  /** Omit for the cluster's default StorageClass. */
  readonly storageClass?: string;
  /**
   * Refuse to destroy or replace the volume claim (Terraform `prevent_destroy`). Turn off, apply,
   * then destroy, to delete the data on purpose.
   */
  readonly deletionProtection: boolean;
  /** Command that exits 0 when the server accepts clients. */
  readonly readinessCommand?: string[];
  /** HTTP path on `port` that answers 200 when the server accepts clients. */
  readonly readinessPath?: string;
  readonly resources: { readonly requests: Record<string, string>; readonly limits?: Record<string, string> };
  /** ConfigMaps mounted read-only into the container. */
  readonly configMapMounts?: readonly { readonly configMap: string; readonly mountPath: string }[];
  readonly nodeSelector?: Readonly<Record<string, string>>;
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * One server process on its own persistent volume: a volume claim with a lifecycle of its own, a
 * single-replica Deployment that mounts it (Recreate: two pods must never share the data), and a
 * ClusterIP Service. Replacing or deleting the Deployment never touches the volume.
 */
export class PersistentServer extends Construct {
  /** In-cluster DNS name of the Service. */
  readonly host: string;
  readonly port: number;
  readonly volumeClaim: PersistentVolumeClaimV1;
  readonly deployment: DeploymentV1;
  readonly service: ServiceV1;

  constructor(scope: Construct, id: string, props: PersistentServerProps) {
    super(scope, id);
    const selector = { "app.kubernetes.io/name": props.name, "app.kubernetes.io/instance": props.name };
    const labels = { ...props.labels, ...selector };
    const metadata = (name: string) => ({ name, namespace: props.namespace, labels });

    this.volumeClaim = new PersistentVolumeClaimV1(this, "data", {
      metadata: metadata(`${props.name}-data`),
      spec: {
        accessModes: ["ReadWriteOnce"],
        storageClassName: props.storageClass,
        resources: { requests: { storage: props.storageSize } },
      },
      // WaitForFirstConsumer storage classes bind only once the pod exists.
      waitUntilBound: false,
      lifecycle: { preventDestroy: props.deletionProtection },
    });

    const probe = props.readinessCommand
      ? { exec: { command: props.readinessCommand } }
      : { httpGet: { path: props.readinessPath ?? "/", port: String(props.port) } };
    const configMounts = (props.configMapMounts ?? []).map((mount, index) => ({ ...mount, volume: `config-${index}` }));
    this.deployment = new DeploymentV1(this, "deployment", {
      metadata: metadata(props.name),
      spec: {
        replicas: "1",
        strategy: { type: "Recreate" },
        selector: { matchLabels: selector },
        template: {
          metadata: { labels },
          spec: {
            nodeSelector: props.nodeSelector ? { ...props.nodeSelector } : undefined,
            container: [
              {
                name: props.name,
                image: props.image,
                args: props.args,
                env: props.env,
                port: [{ containerPort: props.port }],
                volumeMount: [
                  // A sub-directory: a fresh volume's root may hold lost+found, which servers
                  // such as MySQL refuse as a data directory.
                  { name: "data", mountPath: props.dataMountPath, subPath: "data" },
                  ...configMounts.map(({ volume, mountPath }) => ({ name: volume, mountPath, readOnly: true })),
                ],
                readinessProbe: { ...probe, initialDelaySeconds: 5, periodSeconds: 10 },
                livenessProbe: { ...probe, initialDelaySeconds: 60, periodSeconds: 20, failureThreshold: 6 },
                resources: { requests: { ...props.resources.requests }, limits: props.resources.limits ? { ...props.resources.limits } : undefined },
              },
            ],
            volume: [
              { name: "data", persistentVolumeClaim: { claimName: this.volumeClaim.metadata.name } },
              ...configMounts.map(({ volume, configMap }) => ({ name: volume, configMap: { name: configMap } })),
            ],
          },
        },
      },
    });

    this.service = new ServiceV1(this, "service", {
      metadata: metadata(props.name),
      spec: { selector, port: [{ name: "server", port: props.port, targetPort: String(props.port) }] },
    });
    this.port = props.port;
    this.host = `${this.service.metadata.name}.${props.namespace}.svc.cluster.local`;
  }
}
