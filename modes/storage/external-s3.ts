import * as v from "valibot";
import { accessKeyId, hostAndPort, matching, s3BucketName } from "../../config/primitives";
import { SENSITIVE_VARIABLES } from "../../config/sections";
import { externalS3Storage } from "../../modules/external/s3-storage";
import { storageMode } from "../dependencies";

export const externalS3 = storageMode({
  type: "external",
  summary: "an S3-compatible bucket you have (AWS, MinIO, Ceph...); preflight checks it before apply",
  entries: {
    /** Any S3-compatible endpoint, host[:port]; the secret key is the variable `storage_secret_access_key`. */
    endpoint: hostAndPort,
    /** An existing bucket; Gitpod keeps everything in it (single-bucket mode). */
    bucket: s3BucketName,
    /** Region the credentials are signed for; also Gitpod's `metadata.region`. */
    region: v.optional(matching(/^[a-z0-9-]+$/, 'must be a region name such as "us-east-1"'), "us-east-1"),
    accessKeyId,
    /** Plain HTTP to the endpoint, e.g. an existing MinIO without TLS. */
    allowInsecureConnection: v.optional(v.boolean(), false),
  },
  placement: ["release"],
  build(context, { type: _, ...bucket }) {
    return externalS3Storage({
      ...bucket,
      secretAccessKey: context.sensitiveVariable(SENSITIVE_VARIABLES.storageSecretAccessKey, `Secret access key of ${bucket.accessKeyId} at ${bucket.endpoint}`),
    });
  },
});
