/** Option sets several modes share, and what they build from them. */
import * as v from "valibot";
import { deletionProtection, integerBetween, kubernetesName, quantity, s3BucketName } from "../config/primitives";
import type { PersistentServerPlacement } from "../modules/persistent-server/persistent-server";
import type { ModeContext } from "./mode";

/** A server on a volume of its own in Gitpod's namespace; `storageSize` defaults per server. */
export const inClusterVolume = (defaultSize: string) => ({
  storageSize: v.optional(quantity, defaultSize),
  /** Omit to use the cluster's default StorageClass. */
  storageClass: v.optional(kubernetesName),
  deletionProtection,
});

/** Gitpod schedules its control plane on nodes with this label; its data services go there too. */
export const META_NODE_SELECTOR = { "gitpod.io/workload_meta": "true" };

/** Where an in-cluster server of these options runs: `<name>-<server>` in Gitpod's namespace. */
export function inClusterPlacement(
  context: ModeContext,
  server: string,
  options: { readonly image: string; readonly storageSize: string; readonly storageClass?: string; readonly deletionProtection: boolean },
): PersistentServerPlacement {
  return {
    namespace: context.namespace,
    nodeSelector: META_NODE_SELECTOR,
    name: `${context.namePrefix}-${server}`,
    image: options.image,
    storageSize: options.storageSize,
    storageClass: options.storageClass,
    deletionProtection: options.deletionProtection,
  };
}

/** A bucket this project creates. Data stores on AWS are protected like the in-cluster ones. */
export const s3Bucket = {
  /** Default `<domain with dashes>-storage` or `-registry`, e.g. `gitpod-acme-dev-storage`. */
  bucket: v.optional(s3BucketName),
  /** Old versions of overwritten or deleted objects are kept this long (versioning is on). */
  noncurrentVersionExpirationDays: v.optional(integerBetween(1, 3650), 30),
  deletionProtection,
};
