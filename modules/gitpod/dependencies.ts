/**
 * What Gitpod consumes from each of its dependencies, independent of how it is provided.
 *
 * A module that provides a dependency (in-cluster MySQL, RDS, an existing endpoint...) returns one
 * of these; GitpodInstallation turns it into the secrets and config fields the installer expects.
 * Adding a way to provide a dependency means a new module that returns the same shape. Values may
 * be Terraform tokens (resource attributes, variables, cross-stack outputs); passwords always are,
 * so no secret is ever a literal in the synthesized JSON.
 */
import type { ITerraformDependable } from "cdktf";

/**
 * Resources that must be ready before Gitpod is installed (the release waits for them): any way of
 * providing a dependency may name some.
 */
export interface WithPrerequisites {
  readonly prerequisites?: readonly ITerraformDependable[];
}

/** A MySQL server for the `database.external` secret (keys host, port, username, password). */
export interface GitpodDatabase extends WithPrerequisites {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  /** Sensitive. */
  readonly password: string;
  /** PEM bundle of the CA that signed the server certificate; enables `database.ssl.caCert`. */
  readonly caCertificate?: string;
}

/** One S3-compatible bucket and a key for it: the shape both object storage and the registry take. */
export interface S3BucketAccess {
  /** Host[:port], no scheme: e.g. `s3.eu-west-1.amazonaws.com` or `minio.gitpod.svc.cluster.local:9000`. */
  readonly endpoint: string;
  /** Region the credentials are signed for. */
  readonly region: string;
  readonly bucket: string;
  readonly accessKeyId: string;
  /** Sensitive. */
  readonly secretAccessKey: string;
}

/** An S3-compatible object store for `objectStorage.s3`; its region becomes `metadata.region`. */
export interface GitpodObjectStorage extends Omit<S3BucketAccess, "bucket">, WithPrerequisites {
  /** Set for single-bucket mode; without it Gitpod creates a bucket per user. */
  readonly bucket?: string;
  /** Plain HTTP to the endpoint (in-cluster MinIO). */
  readonly allowInsecureConnection: boolean;
}

/** Where Gitpod keeps workspace images (`containerRegistry`). */
export type GitpodContainerRegistry =
  | InClusterContainerRegistry
  | InClusterS3ContainerRegistry
  | ExternalContainerRegistry;

/**
 * Gitpod's own registry, deployed by the installer on a PVC: it needs the release's internal CA and
 * node trust, which only the installer sets up.
 */
export interface InClusterContainerRegistry extends WithPrerequisites {
  readonly kind: "in-cluster";
  /** Keep the registry's volume when Gitpod is uninstalled (Helm's `resource-policy: keep`). */
  readonly keepVolumeOnUninstall: boolean;
}

/** Gitpod's own registry storing its blobs in an S3 bucket (`containerRegistry.s3storage`). */
export interface InClusterS3ContainerRegistry extends S3BucketAccess, WithPrerequisites {
  readonly kind: "in-cluster-s3";
}

/** Any Docker Registry HTTP API V2 registry (`containerRegistry.external`). */
export interface ExternalContainerRegistry extends WithPrerequisites {
  readonly kind: "external";
  /** Registry URL with path prefix, e.g. `registry.example.com/gitpod`; Gitpod pushes below it. */
  readonly url: string;
  /**
   * Credentials Terraform writes into a `.dockerconfigjson` secret, or the name of a secret of that
   * type that something else keeps up to date (e.g. a token refresher).
   */
  readonly auth: RegistryCredentials | ExistingRegistrySecret;
}

/** A `.dockerconfigjson` secret something else keeps up to date (e.g. a token refresher). */
export interface ExistingRegistrySecret {
  readonly existingSecretName: string;
}

export interface RegistryCredentials {
  /** The host part of `url`, as it appears in `.dockerconfigjson`'s `auths`. */
  readonly server: string;
  readonly username: string;
  /** Sensitive. */
  readonly password: string;
}

/** Where Gitpod's TLS certificate comes from (`certificate`, and `customCACert` for private CAs). */
export interface GitpodCertificate extends WithPrerequisites {
  /** Secret in Gitpod's namespace holding `tls.crt`/`tls.key` for the domain and its wildcards. */
  readonly secretName: string;
  /** Secret with `ca.crt` that workspaces and nodes must trust, when the CA is not public. */
  readonly customCaSecretName?: string;
}

/** One OAuth app of a source-control host (one `authProviders` secret each). */
export interface GitpodAuthProvider {
  readonly id: string;
  readonly type: "GitHub" | "GitLab" | "Bitbucket" | "BitbucketServer";
  readonly host: string;
  readonly clientId: string;
  /** Sensitive. */
  readonly clientSecret: string;
}
