/** Option sets several modes share, and what they build from them. */
import { TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import * as v from "valibot";
import { deletionProtection, integerBetween, kubernetesName, quantity, s3BucketName } from "../config/primitives";
import type { AwsSection } from "../config/sections";
import { defaultBucketName, S3BucketWithKey } from "../modules/aws-s3/s3-bucket-with-key";
import type { S3BucketAccess } from "../modules/gitpod/dependencies";
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

/**
 * Where an in-cluster server of these options runs: `<name>-<server>` in Gitpod's namespace, from
 * `options.image` or else the public `defaultImage` (through the mirror, if any).
 */
export function inClusterPlacement(
  context: ModeContext,
  server: string,
  options: { readonly image?: string; readonly storageSize: string; readonly storageClass?: string; readonly deletionProtection: boolean },
  defaultImage: string,
): PersistentServerPlacement {
  return {
    namespace: context.namespace,
    nodeSelector: META_NODE_SELECTOR,
    name: `${context.namePrefix}-${server}`,
    image: options.image ?? context.image(defaultImage),
    imagePullSecrets: context.imagePullSecrets,
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

/** What a bucket is for: names its construct, IAM user, default bucket name and output. */
export interface BucketPurpose {
  /** `storage` or `registry`: the default bucket is `<domain with dashes>-<purpose>`, the user `<name>-<purpose>`. */
  readonly purpose: string;
  /** Ids of the wrapping construct and of the bucket construct: they fix the Terraform addresses. */
  readonly constructIds: readonly [string, string];
  readonly output: { readonly name: string; readonly description: string };
}

/** A private bucket with a key that can use only it, in the aws-services stack. */
export function bucketWithKey(context: ModeContext, aws: AwsSection, options: v.InferOutput<v.ObjectSchema<typeof s3Bucket, undefined>>, bucket: BucketPurpose): S3BucketAccess {
  const scope = context.scope("aws-services");
  // The wrapping construct keeps the Terraform addresses of existing installations.
  const storage = new S3BucketWithKey(new Construct(scope, bucket.constructIds[0]), bucket.constructIds[1], {
    region: aws.region,
    bucket: options.bucket ?? defaultBucketName(context.domain, bucket.purpose),
    userName: `${context.namePrefix}-${bucket.purpose}`,
    noncurrentVersionExpirationDays: options.noncurrentVersionExpirationDays,
    deletionProtection: options.deletionProtection,
  });
  new TerraformOutput(scope, bucket.output.name, { value: storage.access.bucket, description: bucket.output.description });
  return storage.access;
}
