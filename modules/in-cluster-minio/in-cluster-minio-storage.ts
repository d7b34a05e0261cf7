import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { Password } from "@cdktf/provider-random/lib/password";
import { Construct } from "constructs";
import type { GitpodObjectStorage } from "../gitpod/dependencies";
import { credentialsSecretName, fromCredentials, PersistentServer, type PersistentServerPlacement } from "../persistent-server/persistent-server";

/** `name` names the server's objects (Deployment, Service, Secret...). */
export type InClusterMinioStorageProps = PersistentServerPlacement;

/** Region Gitpod signs in-cluster MinIO requests for (the installer's own MinIO uses it too). */
export const IN_CLUSTER_REGION = "local";

/**
 * MinIO in the cluster, as Gitpod's S3-compatible object storage. Like the installer's own MinIO,
 * Gitpod creates a bucket per user with the root credentials; unlike it, the data volume and the
 * credentials are not tied to the Gitpod release. New credentials (a replaced random_password)
 * restart MinIO, which then accepts only them; Gitpod must be restarted to use them.
 */
export class InClusterMinioStorage extends Construct implements GitpodObjectStorage {
  readonly endpoint: string;
  readonly region = IN_CLUSTER_REGION;
  readonly accessKeyId = "gitpod";
  readonly secretAccessKey: string;
  readonly allowInsecureConnection = true;
  readonly server: PersistentServer;

  constructor(scope: Construct, id: string, props: InClusterMinioStorageProps) {
    super(scope, id);
    const rootPassword = new Password(this, "root-password", { length: 40, special: false });
    const credentials = new SecretV1(this, "credentials", {
      metadata: { name: credentialsSecretName(props.name), namespace: props.namespace },
      data: { "root-user": this.accessKeyId, "root-password": rootPassword.result },
    });

    this.server = new PersistentServer(this, "server", {
      ...props,
      args: ["server", "/data", "--address", ":9000"],
      env: [
        { name: "MINIO_ROOT_USER", valueFrom: fromCredentials(props.name, "root-user") },
        { name: "MINIO_ROOT_PASSWORD", valueFrom: fromCredentials(props.name, "root-password") },
        // Nothing exposes the console; do not run it.
        { name: "MINIO_BROWSER", value: "off" },
      ],
      port: 9000,
      dataMountPath: "/data",
      readinessPath: "/minio/health/ready",
      resources: { requests: { cpu: "250m", memory: "1Gi" }, limits: { memory: "4Gi" } },
      labels: { "app.kubernetes.io/component": "object-storage" },
      // MinIO reads its root credentials at every start (and, since 2022, no longer encrypts its
      // stored config with them): restarting on a change is all a rotation needs.
      credentials,
    });
    this.endpoint = `${this.server.host}:${this.server.port}`;
    this.secretAccessKey = rootPassword.result;
  }
}
