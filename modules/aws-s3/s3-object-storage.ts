import { Construct } from "constructs";
import type { GitpodObjectStorage, InClusterS3ContainerRegistry } from "../gitpod/dependencies";
import { dnsSuffix, partitionOfRegion } from "../aws-iam/arn";
import { BucketAccessKey } from "../aws-iam/bucket-access-key";
import { PrivateBucket } from "./private-bucket";

/**
 * What an S3 client needs on one bucket to read, write, list and delete objects, multipart uploads
 * included: the permissions both Gitpod's storage client and the registry's s3 driver document,
 * nothing on other buckets and no bucket administration.
 */
export const BUCKET_DATA_ACTIONS = {
  bucket: ["s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads"],
  objects: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
} as const;

export interface S3BucketWithKeyProps {
  readonly region: string;
  readonly bucket: string;
  /** Name of the IAM user whose key can use the bucket. */
  readonly userName: string;
  readonly noncurrentVersionExpirationDays: number;
  readonly deletionProtection: boolean;
}

/** A private bucket and a static key that can use only that bucket. */
export class S3BucketWithKey extends Construct {
  readonly privateBucket: PrivateBucket;
  readonly key: BucketAccessKey;
  /** The regional endpoint as a host (not a URL), as Gitpod expects it. */
  readonly endpoint: string;

  constructor(scope: Construct, id: string, props: S3BucketWithKeyProps) {
    super(scope, id);
    this.privateBucket = new PrivateBucket(this, "bucket", {
      bucket: props.bucket,
      region: props.region,
      noncurrentVersionExpirationDays: props.noncurrentVersionExpirationDays,
      deletionProtection: props.deletionProtection,
    });
    this.key = new BucketAccessKey(this, "access", {
      userName: props.userName,
      bucketArn: this.privateBucket.arn,
      bucketActions: BUCKET_DATA_ACTIONS.bucket,
      objectActions: BUCKET_DATA_ACTIONS.objects,
    });
    this.endpoint = `s3.${props.region}.${dnsSuffix(partitionOfRegion(props.region))}`;
  }
}

/** Gitpod's object storage in one S3 bucket (single-bucket mode), with a key scoped to it. */
export class S3ObjectStorage extends Construct implements GitpodObjectStorage {
  readonly resources: S3BucketWithKey;
  readonly endpoint: string;
  readonly region: string;
  readonly bucket: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly allowInsecureConnection = false;

  constructor(scope: Construct, id: string, props: S3BucketWithKeyProps) {
    super(scope, id);
    this.resources = new S3BucketWithKey(this, "storage", props);
    this.endpoint = this.resources.endpoint;
    this.region = props.region;
    this.bucket = this.resources.privateBucket.name;
    this.accessKeyId = this.resources.key.accessKeyId;
    this.secretAccessKey = this.resources.key.secretAccessKey;
  }
}

/**
 * The blobs of Gitpod's in-cluster registry in a dedicated S3 bucket (`containerRegistry.s3storage`),
 * the way Gitpod recommended running its registry on AWS.
 */
export class S3RegistryStorage extends Construct implements InClusterS3ContainerRegistry {
  readonly kind = "in-cluster-s3";
  readonly resources: S3BucketWithKey;
  readonly bucket: string;
  readonly region: string;
  readonly endpoint: string;
  readonly accessKey: string;
  readonly secretKey: string;

  constructor(scope: Construct, id: string, props: S3BucketWithKeyProps) {
    super(scope, id);
    this.resources = new S3BucketWithKey(this, "registry", props);
    this.bucket = this.resources.privateBucket.name;
    this.region = props.region;
    this.endpoint = this.resources.endpoint;
    this.accessKey = this.resources.key.accessKeyId;
    this.secretKey = this.resources.key.secretAccessKey;
  }
}
