import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { Construct } from "constructs";
import { s3BucketArn } from "../aws-iam/arn";
import { policyDocument } from "../aws-iam/policy";

export interface PrivateBucketProps {
  readonly bucket: string;
  readonly region: string;
  /** Days old versions of overwritten or deleted objects are kept. */
  readonly noncurrentVersionExpirationDays: number;
  /** Refuse to destroy or replace the bucket (Terraform `prevent_destroy`). */
  readonly deletionProtection: boolean;
}

/**
 * An S3 bucket for data nobody outside should see: encrypted at rest, versioned, every kind of
 * public access blocked, ACLs off, requests without TLS denied, and never emptied by Terraform
 * (`force_destroy` off).
 */
export class PrivateBucket extends Construct {
  readonly bucket: S3Bucket;
  readonly name: string;
  readonly arn: string;

  constructor(scope: Construct, id: string, props: PrivateBucketProps) {
    super(scope, id);
    this.bucket = new S3Bucket(this, "bucket", {
      bucket: props.bucket,
      forceDestroy: false,
      lifecycle: { preventDestroy: props.deletionProtection },
    });
    const bucket = this.bucket.id;
    this.name = props.bucket;
    // From the name, not the resource: the plan then shows complete policies.
    this.arn = s3BucketArn(props.region, props.bucket);
    const publicAccess = new S3BucketPublicAccessBlock(this, "public-access", {
      bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, "ownership", { bucket, rule: { objectOwnership: "BucketOwnerEnforced" } });
    new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      bucket,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true }],
    });
    const versioning = new S3BucketVersioningA(this, "versioning", { bucket, versioningConfiguration: { status: "Enabled" } });
    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      bucket,
      rule: [
        {
          id: "expire-old-versions-and-abandoned-uploads",
          status: "Enabled",
          filter: [{}],
          noncurrentVersionExpiration: [{ noncurrentDays: props.noncurrentVersionExpirationDays }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
      ],
      dependsOn: [versioning],
    });
    new S3BucketPolicy(this, "tls-only", {
      bucket,
      policy: policyDocument([
        {
          Sid: "DenyRequestsWithoutTLS",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: [this.arn, `${this.arn}/*`],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ]),
      // Both change the bucket's policy settings; applying them together can conflict.
      dependsOn: [publicAccess],
    });
  }
}
