import { TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import { defaultBucketName, S3BucketWithKey } from "../../modules/aws-s3/s3-bucket-with-key";
import { storageMode } from "../dependencies";
import { s3Bucket } from "../shared-options";

export const awsS3Storage = storageMode({
  type: "s3",
  summary: "an S3 bucket created for Gitpod, with an IAM key that can use only it",
  entries: s3Bucket,
  placement: ["aws-services"],
  aws: {},
  build(context, options, aws) {
    const scope = context.scope("aws-services");
    // The extra construct keeps the Terraform addresses of existing installations.
    const storage = new S3BucketWithKey(new Construct(scope, "object-storage"), "storage", {
      region: aws.region,
      bucket: options.bucket ?? defaultBucketName(context.domain, "storage"),
      userName: `${context.namePrefix}-storage`,
      noncurrentVersionExpirationDays: options.noncurrentVersionExpirationDays,
      deletionProtection: options.deletionProtection,
    });
    new TerraformOutput(scope, "storage_bucket", { value: storage.access.bucket, description: "S3 bucket of Gitpod's object storage" });
    return { ...storage.access, allowInsecureConnection: false };
  },
});
