import { storageMode } from "../dependencies";
import { bucketWithKey, s3Bucket } from "../shared-options";

export const awsS3Storage = storageMode({
  type: "s3",
  summary: "an S3 bucket created for Gitpod, with an IAM key that can use only it",
  entries: s3Bucket,
  placement: ["aws-services"],
  aws: {},
  build: (context, options, aws) => ({
    ...bucketWithKey(context, aws, options, {
      purpose: "storage",
      constructIds: ["object-storage", "storage"],
      output: { name: "storage_bucket", description: "S3 bucket of Gitpod's object storage" },
    }),
    allowInsecureConnection: false,
  }),
});
