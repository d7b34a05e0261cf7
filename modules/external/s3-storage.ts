import type { GitpodObjectStorage } from "../gitpod/dependencies";

export interface ExternalS3StorageProps {
  /** host[:port] of any S3-compatible API (AWS, MinIO, Ceph RGW...), no scheme. */
  readonly endpoint: string;
  readonly region: string;
  /** An existing bucket; Gitpod keeps everything in it. */
  readonly bucket: string;
  readonly accessKeyId: string;
  /** Sensitive. */
  readonly secretAccessKey: string;
  readonly allowInsecureConnection: boolean;
}

/** An S3-compatible bucket the user already has, used in Gitpod's single-bucket mode. */
export function externalS3Storage(props: ExternalS3StorageProps): GitpodObjectStorage {
  return { ...props };
}
