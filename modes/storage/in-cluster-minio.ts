import { TerraformOutput } from "cdktf";
import * as v from "valibot";
import { imageReference } from "../../config/primitives";
import { InClusterMinioStorage } from "../../modules/in-cluster-minio/in-cluster-minio-storage";
import { storageMode } from "../dependencies";
import { inClusterPlacement, inClusterVolume } from "../shared-options";

export const DEFAULT_MINIO_IMAGE = "quay.io/minio/minio:RELEASE.2025-04-22T22-12-26Z";

export const inClusterMinio = storageMode({
  type: "in-cluster",
  summary: "MinIO in the cluster, on a volume of its own",
  entries: {
    /** Default: DEFAULT_MINIO_IMAGE, from the mirror when there is one. */
    image: v.optional(imageReference),
    ...inClusterVolume("50Gi"),
  },
  placement: ["in-cluster-services"],
  keepsDataInNamespace: (options) => options.deletionProtection,
  build(context, options) {
    const scope = context.scope("in-cluster-services");
    const storage = new InClusterMinioStorage(scope, "minio", inClusterPlacement(context, "minio", options, DEFAULT_MINIO_IMAGE));
    new TerraformOutput(scope, "storage_endpoint", { value: storage.endpoint, description: "In-cluster MinIO's S3 endpoint, host:port" });
    return storage;
  },
});
