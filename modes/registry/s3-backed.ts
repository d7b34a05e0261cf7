import { TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import { defaultBucketName, S3BucketWithKey } from "../../modules/aws-s3/s3-bucket-with-key";
import { registryMode } from "../dependencies";
import { s3Bucket } from "../shared-options";

export const s3BackedRegistry = registryMode({
  type: "s3",
  summary: "Gitpod's own registry with its blobs in an S3 bucket (what Gitpod recommended on AWS)",
  entries: s3Bucket,
  placement: ["aws-services"],
  aws: {},
  build(context, options, aws) {
    const scope = context.scope("aws-services");
    // The extra construct keeps the Terraform addresses of existing installations.
    const storage = new S3BucketWithKey(new Construct(scope, "registry-storage"), "registry", {
      region: aws.region,
      bucket: options.bucket ?? defaultBucketName(context.domain, "registry"),
      userName: `${context.namePrefix}-registry`,
      noncurrentVersionExpirationDays: options.noncurrentVersionExpirationDays,
      deletionProtection: options.deletionProtection,
    });
    new TerraformOutput(scope, "registry_bucket", { value: storage.access.bucket, description: "S3 bucket of the in-cluster registry's blobs" });
    return { kind: "in-cluster-s3", ...storage.access };
  },
});
