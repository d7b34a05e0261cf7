import { registryMode } from "../dependencies";
import { bucketWithKey, s3Bucket } from "../shared-options";

export const s3BackedRegistry = registryMode({
  type: "s3",
  summary: "Gitpod's own registry with its blobs in an S3 bucket (what Gitpod recommended on AWS)",
  entries: s3Bucket,
  placement: ["aws-services"],
  aws: {},
  build: (context, options, aws) => ({
    kind: "in-cluster-s3",
    ...bucketWithKey(context, aws, options, {
      purpose: "registry",
      constructIds: ["registry-storage", "registry"],
      output: { name: "registry_bucket", description: "S3 bucket of the in-cluster registry's blobs" },
    }),
  }),
});
