import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { Password } from "@cdktf/provider-random/lib/password";
import { Construct } from "constructs";
import type { GitpodObjectStorage } from "../gitpod/dependencies";
import { credentialsSecretName, PersistentServer, type ClientSelector, type PersistentServerPlacement } from "../persistent-server/persistent-server";

/** `name` names the server's objects (Deployment, Service, Secret...). */
export type InClusterMinioStorageProps = PersistentServerPlacement;

/** Region Gitpod signs in-cluster MinIO requests for (the installer's own MinIO uses it too). */
export const IN_CLUSTER_REGION = "local";

/**
 * The pods of Gitpod 2022.11.3 that talk to its object storage: the components whose config gets
 * the installer's `common.StorageConfig` (install/installer/pkg/common/storage.go) at tag
 * 2022.11.3: content-service, ws-daemon (whose content initializer shares ws-daemon's network: it
 * runs without a network namespace of its own, components/ws-daemon/pkg/content/initializer.go)
 * and ws-manager. Every pod template carries `app: gitpod`, `component: <name>`
 * (`common.DefaultLabels`). Not just `app: gitpod`: workspace pods carry it too, and run users' code.
 */
export const GITPOD_STORAGE_CLIENTS: ClientSelector = {
  app: ["gitpod"],
  component: ["content-service", "ws-daemon", "ws-manager"],
};

/**
 * MinIO's image (quay.io/minio/minio, Dockerfile.release: ubi-micro, no USER) runs as root unless
 * told otherwise, and runs as any user that can write its data directory. 1000:1000 is the user
 * its own (deprecated) entrypoint switch creates (dockerscripts/docker-entrypoint.sh). Data
 * written while it ran as root stays usable: the pod's fsGroup makes the kubelet give this group
 * read and write access to everything on the volume (group ownership, g+rw, setgid directories),
 * once, on the first start after the upgrade (fsGroupChangePolicy OnRootMismatch) — no root
 * container needed. That needs a volume type the kubelet applies fsGroup to (block-device CSI
 * drivers, EBS among them, do; hostPath-backed local-path provisioners and NFS drivers with
 * fsGroupPolicy None do not: there, chown the volume to 1000:1000 once before upgrading).
 */
export const MINIO_USER = { user: 1000, group: 1000 } as const;

/** Where MinIO reads its root credentials, as files. */
const CREDENTIALS_MOUNT = "/etc/gitpod-cdktf/minio";

/**
 * MinIO in the cluster, as Gitpod's S3-compatible object storage. Like the installer's own MinIO,
 * Gitpod creates a bucket per user with the root credentials; unlike it, the data volume and the
 * credentials are not tied to the Gitpod release. New credentials (a replaced random_password)
 * restart MinIO, which then accepts only them; Gitpod must be restarted to use them. MinIO runs as
 * a non-root user and reads its credentials from files; only the Gitpod components that use the
 * storage may connect to it.
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
        // MinIO reads `MINIO_ROOT_USER_FILE`/`MINIO_ROOT_PASSWORD_FILE` itself, before its
        // credentials (cmd/common-main.go, loadEnvVarsFromFiles and readFromSecret: an absolute
        // path is read as is). A file that does not exist is silently ignored, which would leave
        // MinIO on its default credentials: the mount below provides exactly these two keys.
        { name: "MINIO_ROOT_USER_FILE", value: `${CREDENTIALS_MOUNT}/root-user` },
        { name: "MINIO_ROOT_PASSWORD_FILE", value: `${CREDENTIALS_MOUNT}/root-password` },
        // Nothing exposes the console; do not run it.
        { name: "MINIO_BROWSER", value: "off" },
      ],
      port: 9000,
      dataMountPath: "/data",
      runAs: MINIO_USER,
      // The root filesystem is read-only. MinIO keeps its state on the data volume (.minio.sys)
      // and ignores a certs directory it cannot create ($HOME/.minio/certs: EROFS counts as a
      // permission error, cmd/config-dir.go); /tmp for anything that uses the system's.
      scratchDirs: ["/tmp"],
      health: {
        // cmd/healthcheck-router.go: /minio/health/ready and /minio/health/live.
        ready: { httpPath: "/minio/health/ready" },
        alive: { httpPath: "/minio/health/live" },
        // MinIO starts in seconds; this leaves room for a slow volume. (The kubelet's one-time
        // ownership change of the volume happens before the container starts, and counts against
        // the release's 10-minute wait instead.)
        startupSeconds: 300,
      },
      resources: { requests: { cpu: "250m", memory: "1Gi" }, limits: { cpu: "2", memory: "4Gi" } },
      credentialsMount: { keys: ["root-user", "root-password"], mountPath: CREDENTIALS_MOUNT },
      clients: GITPOD_STORAGE_CLIENTS,
      labels: { "app.kubernetes.io/component": "object-storage" },
      // MinIO reads its root credentials at every start (and, since 2022, no longer encrypts its
      // stored config with them): restarting on a change is all a rotation needs.
      credentials,
    });
    this.endpoint = `${this.server.host}:${this.server.port}`;
    this.secretAccessKey = rootPassword.result;
  }
}
