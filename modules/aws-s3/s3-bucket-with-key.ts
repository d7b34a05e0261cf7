import * as crypto from "crypto";
import { Construct } from "constructs";
import type { S3BucketAccess } from "../gitpod/dependencies";
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

/**
 * The default name of a bucket: `<domain with dashes>-<purpose>`, e.g. `gitpod-acme-dev-storage`.
 * Bucket names are global; the domain makes them as unique as the installation and readable. Long
 * domains are shortened with a hash, within S3's 63 characters.
 */
export function defaultBucketName(domain: string, purpose: string): string {
  const fromDomain = `${domain.replace(/\./g, "-")}-${purpose}`;
  // Prefixes S3 reserves (an internationalised domain starts with xn--).
  const name = /^(xn--|sthree-|amzn-s3-demo-)/.test(fromDomain) ? `gitpod-${fromDomain}` : fromDomain;
  if (name.length <= 63) return name;
  const hash = crypto.createHash("sha256").update(domain).digest("hex").slice(0, 8);
  return `${name.slice(0, 63 - purpose.length - hash.length - 2).replace(/-+$/, "")}-${hash}-${purpose}`;
}

export interface S3BucketWithKeyProps {
  readonly region: string;
  readonly bucket: string;
  /** Name of the IAM user whose key can use the bucket. */
  readonly userName: string;
  readonly noncurrentVersionExpirationDays: number;
  readonly deletionProtection: boolean;
}

/**
 * A private bucket and a static key that can use only that bucket: Gitpod's object storage
 * (single-bucket mode) or the blobs of its in-cluster registry.
 */
export class S3BucketWithKey extends Construct {
  readonly privateBucket: PrivateBucket;
  readonly key: BucketAccessKey;
  /** Where the bucket is and how to use it, as Gitpod is given it. */
  readonly access: S3BucketAccess;

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
    this.access = {
      // The regional endpoint as a host (not a URL), as Gitpod expects it.
      endpoint: `s3.${props.region}.${dnsSuffix(partitionOfRegion(props.region))}`,
      region: props.region,
      bucket: this.privateBucket.name,
      accessKeyId: this.key.accessKeyId,
      secretAccessKey: this.key.secretAccessKey,
    };
  }
}
