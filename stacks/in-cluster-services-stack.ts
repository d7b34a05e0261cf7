import type { Construct } from "constructs";
import type { BackendConfig, DatabaseConfig, StorageConfig } from "../config/schema";
import type { GitpodDatabase, GitpodObjectStorage } from "../modules/gitpod/dependencies";
import { InClusterMinioStorage } from "../modules/in-cluster-minio/in-cluster-minio-storage";
import { InClusterMysqlDatabase } from "../modules/in-cluster-mysql/in-cluster-mysql-database";
import type { PersistentServerPlacement } from "../modules/persistent-server/persistent-server";
import { GitpodStack } from "./gitpod-stack";
import { helmProvider, kubernetesProvider, randomProvider, type ClusterAccess } from "./providers";

type InClusterDatabaseConfig = Extract<DatabaseConfig, { type: "in-cluster" }>;
type InClusterStorageConfig = Extract<StorageConfig, { type: "in-cluster" }>;

/** Gitpod schedules its control plane on nodes with this label; its data services go there too. */
export const META_NODE_SELECTOR = { "gitpod.io/workload_meta": "true" };

export interface InClusterServicesStackProps {
  readonly backend: BackendConfig;
  readonly cluster: ClusterAccess;
  readonly namespace: string;
  readonly namePrefix: string;
  readonly database?: InClusterDatabaseConfig;
  readonly storage?: InClusterStorageConfig;
}

/**
 * The stateful services Gitpod uses when they are not brought by the user: MySQL and MinIO on
 * volumes of their own, outside Gitpod's release, so upgrading or reinstalling Gitpod never
 * touches its data.
 */
export class InClusterServicesStack extends GitpodStack {
  readonly database?: GitpodDatabase;
  readonly objectStorage?: GitpodObjectStorage;

  constructor(scope: Construct, id: string, props: InClusterServicesStackProps) {
    super(scope, id, props.backend);
    kubernetesProvider(this, props.cluster);
    helmProvider(this, props.cluster);
    randomProvider(this);
    const placement = (name: string, service: InClusterDatabaseConfig | InClusterStorageConfig): PersistentServerPlacement => ({
      namespace: props.namespace,
      nodeSelector: META_NODE_SELECTOR,
      name: `${props.namePrefix}-${name}`,
      image: service.image,
      storageSize: service.storageSize,
      storageClass: service.storageClass,
      deletionProtection: service.deletionProtection,
    });
    if (props.database) this.database = new InClusterMysqlDatabase(this, "mysql", placement("mysql", props.database));
    if (props.storage) this.objectStorage = new InClusterMinioStorage(this, "minio", placement("minio", props.storage));
  }
}
