/**
 * The one configuration file of gitpod-cdktf, as a valibot schema.
 *
 * Parsed once at the edge (config/load.ts); stacks receive the typed result and never read files
 * or the environment themselves. Every object is strict: an unknown key is an error, because a
 * typo that is silently ignored in infrastructure config is a production incident later.
 */
import * as v from "valibot";
import { crossFieldCheck, issuePath } from "./cross-field-check";
import {
  absolutePath,
  accessKeyId,
  awsRegion,
  cidrBlock,
  deletionProtection,
  DNS_LABEL,
  duration,
  HOST,
  HOST_AND_PORT,
  hostAndPort,
  imageReference,
  imageRepository,
  integerBetween,
  kubernetesName,
  mapping,
  matching,
  noTemplateSyntax,
  nonEmptyString,
  pemCertificate,
  port,
  quantity,
  s3BucketName,
  section,
  stringMap,
  urlWithScheme,
} from "./primitives";

/** Gitpod's last self-hosted release (docs/gitpod-installer.md). */
export const DEFAULT_GITPOD_VERSION = "2022.11.3";
export const DEFAULT_DOMAIN = "gitpod.example.com";
export const DEFAULT_IMAGE_REPOSITORY = "eu.gcr.io/gitpod-core-dev/build";
/** cert-manager release installed by default: pinned so every synth installs the same chart. */
export const DEFAULT_CERT_MANAGER_VERSION = "v1.16.5";
/** Last MySQL 5.7 release: Gitpod 2022.11 was only tested on 5.7. */
export const DEFAULT_MYSQL_IMAGE = "docker.io/library/mysql:5.7.44";
export const DEFAULT_MINIO_IMAGE = "quay.io/minio/minio:RELEASE.2025-04-22T22-12-26Z";

/** RDS for MySQL major versions this project can run Gitpod on; see the README's "RDS engine version". */
export const RDS_MYSQL_VERSIONS = ["5.7", "8.0", "8.4"] as const;
export const DEFAULT_RDS_MYSQL_VERSION = "8.4";
/** Image of the ECR token refresher's first step (`aws ecr get-login-password`). */
export const DEFAULT_AWS_CLI_IMAGE = "public.ecr.aws/aws-cli/aws-cli:2.27.49";
export const ACME_SERVERS = {
  production: "https://acme-v02.api.letsencrypt.org/directory",
  staging: "https://acme-staging-v02.api.letsencrypt.org/directory",
} as const;

/**
 * Sensitive Terraform variables of the release stack, by what they carry. Set them as
 * TF_VAR_<name>; `npm run preflight` reads the same environment variables.
 */
export const SENSITIVE_VARIABLES = {
  databasePassword: "database_password",
  storageSecretAccessKey: "storage_secret_access_key",
  registryPassword: "registry_password",
} as const;

const certManagerSchema = section({
  /** Set false when the cluster already runs cert-manager (>= v1.0); Gitpod then uses that one. */
  install: v.optional(v.boolean(), true),
  version: v.optional(matching(/^v[0-9]+\.[0-9]+\.[0-9]+$/, 'must be a cert-manager release tag such as "v1.16.5"'), DEFAULT_CERT_MANAGER_VERSION),
  namespace: v.optional(kubernetesName, "cert-manager"),
  /** The cert-manager controller's service account (the chart's default); used by acme-route53. */
  serviceAccount: v.optional(kubernetesName, "cert-manager"),
  /** Helm repository holding the jetstack chart; point it at a mirror in air-gapped clusters. */
  chartRepository: v.optional(urlWithScheme(["http", "https"], "must be an http(s) URL such as https://charts.jetstack.io"), "https://charts.jetstack.io"),
});

const tlsCommon = { certManager: v.optional(certManagerSchema, {}) };

const tlsSchema = v.pipe(
  mapping,
  v.variant("type", [
    v.strictObject({ type: v.literal("self-signed"), ...tlsCommon }),
    v.strictObject({
      type: v.literal("issuer"),
      issuerRef: section({
        name: kubernetesName,
        kind: v.optional(v.picklist(["ClusterIssuer", "Issuer"]), "ClusterIssuer"),
        group: v.optional(v.string(), "cert-manager.io"),
      }),
      ...tlsCommon,
    }),
    v.strictObject({ type: v.literal("secret"), secretName: kubernetesName, ...tlsCommon }),
    v.strictObject({
      type: v.literal("acme-route53"),
      /** Let's Encrypt account e-mail (expiry notices). */
      email: v.pipe(v.string(), v.email("must be an e-mail address")),
      /** `production`, `staging` (untrusted certificates, generous rate limits) or an ACME directory URL. */
      server: v.optional(
        v.union([v.picklist(["production", "staging"]), urlWithScheme(["https"], 'must be "production", "staging" or the https URL of an ACME directory')]),
        "production",
      ),
      /** Route53 hosted zone that holds the domain; the issuer's IAM role may change only this zone. */
      hostedZoneId: matching(/^Z[A-Z0-9]{1,32}$/, 'must be a Route53 hosted zone id such as "Z0123456789ABCDEFGHIJ"'),
      ...tlsCommon,
    }),
  ]),
);

const inClusterVolume = {
  storageSize: quantity,
  /** Omit to use the cluster's default StorageClass. */
  storageClass: v.optional(kubernetesName),
  deletionProtection,
};

/** Data stores on AWS are protected like the in-cluster ones. */
const s3Bucket = {
  /** Default `<domain with dashes>-storage` or `-registry`, e.g. `gitpod-acme-dev-storage`. */
  bucket: v.optional(s3BucketName),
  /** Old versions of overwritten or deleted objects are kept this long (versioning is on). */
  noncurrentVersionExpirationDays: v.optional(integerBetween(1, 3650), 30),
  deletionProtection,
};

const rdsSchema = v.strictObject({
  type: v.literal("rds"),
  /** MySQL major version; see the README for the trade-offs of each. */
  engineVersion: v.optional(v.picklist(RDS_MYSQL_VERSIONS), DEFAULT_RDS_MYSQL_VERSION),
  instanceClass: v.optional(matching(/^db\.[a-z0-9]+\.[a-z0-9]+$/, 'must be an RDS instance class such as "db.t4g.medium"'), "db.t4g.medium"),
  allocatedStorageGb: v.optional(integerBetween(20, 65536), 20),
  /** Upper limit for storage autoscaling; omit to disable it. */
  maxAllocatedStorageGb: v.optional(integerBetween(20, 65536)),
  multiAz: v.optional(v.boolean(), false),
  backupRetentionDays: v.optional(integerBetween(1, 35), 7),
  /** Sources allowed to reach port 3306, e.g. the EKS cluster's security group. */
  allowedSecurityGroupIds: v.optional(v.array(matching(/^sg-[0-9a-f]{8,17}$/, "must be a security group id (sg-...)")), []),
  allowedCidrBlocks: v.optional(v.array(cidrBlock), []),
  /** The RDS CA bundle (PEM): Gitpod then connects with TLS, and the server requires it. */
  caCertificate: v.optional(pemCertificate),
  /** Apply changes now instead of in the next maintenance window (can restart the database). */
  applyImmediately: v.optional(v.boolean(), false),
  deletionProtection,
  /** Take a snapshot `<identifier>-final` when the database is deleted. */
  finalSnapshot: v.optional(v.boolean(), true),
});

const databaseVariants = v.variant("type", [
  v.strictObject({
    type: v.literal("in-cluster"),
    image: v.optional(imageReference, DEFAULT_MYSQL_IMAGE),
    ...inClusterVolume,
    storageSize: v.optional(quantity, "20Gi"),
  }),
  v.strictObject({
    type: v.literal("external"),
    /** Any MySQL 5.7-compatible server; the password is the variable `database_password`. */
    host: hostAndPort,
    port: v.optional(port, 3306),
    username: v.pipe(v.string(), v.minLength(1), v.maxLength(32)),
    /** PEM CA bundle: Gitpod then connects with TLS and verifies the server (`database.ssl.caCert`). */
    caCertificate: v.optional(pemCertificate),
    /** Protects Gitpod's encryption keys, which the data in this database needs. */
    deletionProtection,
  }),
  rdsSchema,
]);

// valibot's variant options are plain objects, so the RDS rules sit on the union.
const databaseSchema = v.pipe(
  mapping,
  databaseVariants,
  crossFieldCheck<v.InferOutput<typeof databaseVariants>>((database, report) => {
    if (database.type === "rds" && database.allowedSecurityGroupIds.length + database.allowedCidrBlocks.length === 0) {
      report(
        ["allowedSecurityGroupIds"],
        "give at least one source for port 3306: allowedSecurityGroupIds (e.g. the EKS cluster security group) or allowedCidrBlocks",
      );
    }
  }),
  crossFieldCheck<v.InferOutput<typeof databaseVariants>>((database, report) => {
    if (database.type === "rds" && database.maxAllocatedStorageGb !== undefined && database.maxAllocatedStorageGb <= database.allocatedStorageGb) {
      report(["maxAllocatedStorageGb"], "must be greater than allocatedStorageGb");
    }
  }),
);

const storageSchema = v.pipe(
  mapping,
  v.variant("type", [
    v.strictObject({
      type: v.literal("in-cluster"),
      image: v.optional(imageReference, DEFAULT_MINIO_IMAGE),
      ...inClusterVolume,
      storageSize: v.optional(quantity, "50Gi"),
    }),
    v.strictObject({
      type: v.literal("external"),
      /** Any S3-compatible endpoint, host[:port]; the secret key is the variable `storage_secret_access_key`. */
      endpoint: hostAndPort,
      /** An existing bucket; Gitpod keeps everything in it (single-bucket mode). */
      bucket: s3BucketName,
      /** Region the credentials are signed for; also Gitpod's `metadata.region`. */
      region: v.optional(matching(/^[a-z0-9-]+$/, 'must be a region name such as "us-east-1"'), "us-east-1"),
      accessKeyId,
      /** Plain HTTP to the endpoint, e.g. an existing MinIO without TLS. */
      allowInsecureConnection: v.optional(v.boolean(), false),
    }),
    v.strictObject({ type: v.literal("s3"), ...s3Bucket }),
  ]),
);

const registrySchema = v.pipe(
  mapping,
  v.variant("type", [
    v.strictObject({ type: v.literal("in-cluster"), deletionProtection }),
    v.strictObject({
      type: v.literal("external"),
      /**
       * Docker Registry HTTP API V2 registry with the path Gitpod pushes below, no scheme:
       * `registry.acme.dev/gitpod` -> `registry.acme.dev/gitpod/base-images`, `.../workspace-images`.
       * The password is the variable `registry_password`.
       */
      url: matching(
        new RegExp(`^${HOST_AND_PORT}(/[a-z0-9]+([._-][a-z0-9]+)*)*$`),
        "must be a registry host with an optional path, without scheme, e.g. registry.acme.dev/gitpod",
      ),
      username: nonEmptyString,
    }),
    /** Gitpod's own registry with its blobs in an S3 bucket (what Gitpod recommended on AWS). */
    v.strictObject({ type: v.literal("s3"), ...s3Bucket }),
    v.strictObject({
      type: v.literal("ecr"),
      /** Repositories are `<prefix>/base-images` and `<prefix>/workspace-images`; default: the name. */
      repositoryPrefix: v.optional(
        matching(/^[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/, 'must be an ECR repository path such as "gitpod"'),
      ),
      untaggedImageExpiryDays: v.optional(integerBetween(1, 3650), 7),
      /** ECR tokens live 12 hours; the refresher runs this often (1-6). */
      refreshIntervalHours: v.optional(integerBetween(1, 6), 4),
      awsCliImage: v.optional(imageReference, DEFAULT_AWS_CLI_IMAGE),
      deletionProtection,
    }),
  ]),
);

const SCM_DEFAULT_HOSTS: Readonly<Record<string, string>> = { GitHub: "github.com", GitLab: "gitlab.com", Bitbucket: "bitbucket.org" };

const scmProviderSchema = v.pipe(
  section({
    id: matching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'must be an identifier such as "Public-GitHub" (letters, digits, ".", "_", "-")'),
    type: v.picklist(["GitHub", "GitLab", "Bitbucket", "BitbucketServer"]),
    /** Defaults to the public service of the type; required for BitbucketServer. */
    host: v.optional(
      matching(new RegExp(`^${HOST}(:[0-9]{1,5})?$`), "must be a host name (optionally with :port), without scheme or path"),
    ),
    clientId: nonEmptyString,
  }),
  v.rawTransform(({ dataset: { value: provider }, addIssue, NEVER }) => {
    const host = provider.host ?? SCM_DEFAULT_HOSTS[provider.type];
    if (host === undefined) {
      addIssue({ message: `is required for type ${provider.type}`, path: issuePath(provider, ["host"]) });
      return NEVER;
    }
    return { ...provider, host, clientSecretVariable: scmClientSecretVariable(provider.id) };
  }),
);

/** The environment variable Terraform reads a variable's value from. */
export function terraformVariableEnv(variable: string): string {
  return `TF_VAR_${variable}`;
}

/** Name of the sensitive Terraform variable that carries one SCM provider's OAuth client secret. */
export function scmClientSecretVariable(providerId: string): string {
  return `scm_${providerId.toLowerCase().replace(/[^a-z0-9]+/g, "_")}_client_secret`;
}

const scmProvidersSchema = section({ providers: v.optional(v.array(scmProviderSchema), []) });

const scmSchema = v.pipe(
  scmProvidersSchema,
  crossFieldCheck<v.InferOutput<typeof scmProvidersSchema>>((scm, report) => {
    const seen = new Map<string, number>();
    scm.providers.forEach((provider, index) => {
      const previous = seen.get(provider.clientSecretVariable);
      if (previous !== undefined) {
        report(
          ["providers", index, "id"],
          `"${provider.id}" clashes with providers[${previous}] (both use the variable ${provider.clientSecretVariable}); give each provider a distinct id`,
        );
      }
      seen.set(provider.clientSecretVariable, index);
    });
  }),
);

const NODE_OS_RUNTIME_DIRS = {
  ubuntu: "/var/lib/containerd/io.containerd.runtime.v2.task/k8s.io",
  "amazon-linux": "/run/containerd/io.containerd.runtime.v2.task/k8s.io",
} as const;

const workspaceRuntimeSchema = v.pipe(
  section({
    /** Picks containerdRuntimeDir: Ubuntu-like nodes and Amazon Linux keep it in different places. */
    nodeOs: v.optional(v.picklist(["ubuntu", "amazon-linux"]), "ubuntu"),
    containerdRuntimeDir: v.optional(absolutePath),
    containerdSocket: v.optional(absolutePath, "/run/containerd/containerd.sock"),
    fsShiftMethod: v.optional(v.picklist(["fuse", "shiftfs"]), "fuse"),
  }),
  v.transform(({ nodeOs, containerdRuntimeDir, ...rest }) => ({
    nodeOs,
    containerdRuntimeDir: containerdRuntimeDir ?? NODE_OS_RUNTIME_DIRS[nodeOs],
    ...rest,
  })),
);

const gitpodSchema = v.pipe(
  section({
    version: v.optional(
      matching(/^[0-9]{4}\.[0-9]{1,2}\.[0-9]+$/, 'must be a Gitpod self-hosted release such as "2022.11.3"'),
      DEFAULT_GITPOD_VERSION,
    ),
    namespace: v.optional(kubernetesName, "gitpod"),
    /** Where every Gitpod component image is pulled from; point it at your mirror. */
    repository: v.optional(imageRepository, DEFAULT_IMAGE_REPOSITORY),
    /** Defaults to `<repository>/installer:release-<version>`. */
    installerImage: v.optional(imageReference),
    /** Flatten image paths in `repository` (for mirrors that cannot hold nested paths). */
    dropImageRepo: v.optional(v.boolean(), false),
    workspaceRuntime: v.optional(workspaceRuntimeSchema, {}),
    proxy: v.optional(
      section({
        serviceType: v.optional(v.picklist(["LoadBalancer", "ClusterIP", "NodePort"]), "LoadBalancer"),
        /** e.g. AWS NLB annotations; rendered with the installer's experimental config. */
        serviceAnnotations: v.optional(stringMap, {}),
      }),
      {},
    ),
    /**
     * Limit for one install or upgrade of Gitpod's objects, and separately for the wait for the TLS
     * certificate before it (ACME issuance can take a while; KOTS allowed up to an hour in all).
     */
    installTimeout: v.optional(duration, "30m"),
  }),
  v.transform(({ installerImage, ...gitpod }) => ({
    ...gitpod,
    installerImage: installerImage ?? `${gitpod.repository}/installer:release-${gitpod.version}`,
  })),
);

const kubernetesSchema = section({
  /**
   * Kubeconfig used by the kubernetes and helm providers. `~` is expanded by the providers, so the
   * synthesized JSON stays machine-independent. Set to "" to configure them from KUBE_* variables
   * instead (Terraform Cloud, CI).
   */
  configPath: v.optional(noTemplateSyntax("use ~ for the home directory"), "~/.kube/config"),
  context: v.optional(v.pipe(noTemplateSyntax("give the context's name"), v.minLength(1))),
});

const awsSchema = section({
  region: awsRegion,
  /** VPC and private subnets (two or more, in different AZs) for RDS. */
  vpcId: v.optional(matching(/^vpc-[0-9a-f]{8,17}$/, "must be a VPC id (vpc-...)")),
  subnetIds: v.optional(v.array(matching(/^subnet-[0-9a-f]{8,17}$/, "must be a subnet id (subnet-...)"))),
  /** The EKS cluster's IAM OIDC provider, for roles of Kubernetes service accounts (IRSA). */
  eksOidcProviderArn: v.optional(
    matching(/^arn:aws(-[a-z]+)*:iam::[0-9]{12}:oidc-provider\/\S+$/, "must be an IAM OIDC provider ARN (arn:aws:iam::<account>:oidc-provider/...)"),
  ),
  /** Added to every AWS resource. */
  tags: v.optional(stringMap, {}),
  /**
   * For plans without AWS access (CI checks, tests): the provider skips its credential, account
   * and region lookups. Never needed to apply.
   */
  offline: v.optional(v.boolean(), false),
});

const environmentVariableName = matching(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name such as "KUBE_TOKEN"');

const bootstrapObjectSchema = section({
  executionMode: v.optional(v.picklist(["remote", "local", "agent"]), "remote"),
  agentPoolId: v.optional(matching(/^apool-[A-Za-z0-9]+$/, "must be an agent pool id (apool-...)")),
  /** VCS-driven runs: the repository holding the synthesized cdktf.out. */
  vcs: v.optional(
    section({
      identifier: matching(/^[^/\s]+\/[^/\s]+$/, 'must be "<owner>/<repository>"'),
      branch: v.optional(nonEmptyString),
      oauthTokenId: matching(/^ot-[A-Za-z0-9]+$/, "must be an OAuth token id (ot-...)"),
    }),
  ),
  /**
   * Provider credentials for the runs (e.g. KUBE_HOST, KUBE_TOKEN, AWS_ACCESS_KEY_ID), as
   * sensitive environment variables of a variable set. Their values are inputs of the
   * bootstrap run (TF_VAR_env_<name>), written to Terraform Cloud write-only.
   */
  environmentVariables: v.optional(v.array(environmentVariableName), []),
});

const bootstrapSchema = v.pipe(
  bootstrapObjectSchema,
  crossFieldCheck<v.InferOutput<typeof bootstrapObjectSchema>>((bootstrap, report) => {
    if (bootstrap.executionMode === "agent" && bootstrap.agentPoolId === undefined) {
      report(["agentPoolId"], "is required when executionMode is agent");
    }
  }),
);

const backendSchema = v.pipe(
  mapping,
  v.variant("type", [
    v.strictObject({ type: v.literal("local") }),
    v.strictObject({
      type: v.literal("s3"),
      bucket: s3BucketName,
      region: awsRegion,
      /** Each stack's state is `<keyPrefix>/<stack id>.tfstate`. */
      keyPrefix: v.optional(
        matching(/^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*$/, 'must be an S3 key prefix without leading or trailing "/", e.g. "gitpod-cdktf"'),
        "gitpod-cdktf",
      ),
      /** S3's own locking (Terraform >= 1.10). */
      useLockfile: v.optional(v.boolean(), true),
      /** A DynamoDB table for locking, for Terraform versions or teams that still use one. */
      dynamodbTable: v.optional(matching(/^[A-Za-z0-9_.-]{3,255}$/, "must be a DynamoDB table name")),
      /** Encrypt state with this KMS key instead of S3's default encryption. */
      kmsKeyId: v.optional(nonEmptyString),
    }),
    v.strictObject({
      type: v.literal("cloud"),
      organization: matching(/^[A-Za-z0-9_-]+$/, "must be a Terraform Cloud organization name"),
      hostname: v.optional(matching(new RegExp(`^${HOST}$`), "must be a host name, e.g. app.terraform.io"), "app.terraform.io"),
      /** The project the workspaces belong to (it must exist); default: the organization's default project. */
      project: v.optional(nonEmptyString),
      /** Create and wire the workspaces with a `<name>-terraform-cloud` stack (tfe provider). */
      bootstrap: v.optional(bootstrapSchema),
    }),
  ]),
);

const configObjectSchema = section({
  /** Prefix of stack and resource names; several installations can share a cluster or state store. */
  name: v.optional(
    matching(/^[a-z]([a-z0-9-]{0,18}[a-z0-9])?$/, "must be 1-20 characters: lower-case letters, digits and '-', starting with a letter"),
    "gitpod",
  ),
  domain: v.pipe(
    v.string(),
    v.maxLength(240),
    v.regex(
      new RegExp(`^${DNS_LABEL}(\\.${DNS_LABEL})+$`),
      'must be a fully-qualified lower-case domain name such as "gitpod.example.com" (no scheme, no wildcard)',
    ),
  ),
  gitpod: v.optional(gitpodSchema, {}),
  kubernetes: v.optional(kubernetesSchema, {}),
  /** Where the AWS modes create their resources. */
  aws: v.optional(awsSchema),
  tls: v.optional(tlsSchema, { type: "self-signed" }),
  database: v.optional(databaseSchema, { type: "in-cluster" }),
  storage: v.optional(storageSchema, { type: "in-cluster" }),
  registry: v.optional(registrySchema, { type: "in-cluster" }),
  scm: v.optional(scmSchema, {}),
  backend: v.optional(backendSchema, { type: "local" }),
});

type AwsField = "vpcId" | "subnetIds" | "eksOidcProviderArn";

type Modes = Pick<v.InferOutput<typeof configObjectSchema>, "database" | "storage" | "registry" | "tls">;

/** Whether a mode of the config creates AWS resources (and so the aws-services stack). */
export function usesAwsServices(config: Modes): boolean {
  return (
    config.database.type === "rds" ||
    config.storage.type === "s3" ||
    config.registry.type === "s3" ||
    config.registry.type === "ecr" ||
    config.tls.type === "acme-route53"
  );
}

export const configSchema = v.pipe(
  configObjectSchema,
  crossFieldCheck<v.InferOutput<typeof configObjectSchema>>((config, report) => {
    // What the AWS modes need from the `aws` section, named after the mode that needs it.
    const needs: [boolean, string, AwsField, string][] = [
      [config.database.type === "rds", "database.type is rds", "vpcId", "the VPC to create the database in"],
      [config.database.type === "rds", "database.type is rds", "subnetIds", "two or more private subnets in different availability zones"],
      [config.registry.type === "ecr", "registry.type is ecr", "eksOidcProviderArn", "the EKS OIDC provider, for the token refresher's IAM role"],
      [config.tls.type === "acme-route53", "tls.type is acme-route53", "eksOidcProviderArn", "the EKS OIDC provider, for cert-manager's IAM role"],
    ];
    if (usesAwsServices(config) && config.aws === undefined) {
      report(["aws"], "is required by the AWS modes in this config: give at least aws.region");
      return;
    }
    for (const [needed, because, field, what] of needs) {
      if (needed && config.aws?.[field] === undefined) report(["aws", field], `is required when ${because}: ${what}`);
    }
    if (config.database.type === "rds" && config.aws?.subnetIds !== undefined && config.aws.subnetIds.length < 2) {
      report(["aws", "subnetIds"], "needs two or more subnets in different availability zones (an RDS requirement)");
    }
  }),
);

/** The validated configuration every stack receives. */
export type GitpodCdktfConfig = v.InferOutput<typeof configSchema>;
export type TlsConfig = GitpodCdktfConfig["tls"];
export type DatabaseConfig = GitpodCdktfConfig["database"];
export type StorageConfig = GitpodCdktfConfig["storage"];
export type RegistryConfig = GitpodCdktfConfig["registry"];
export type ScmProviderConfig = GitpodCdktfConfig["scm"]["providers"][number];
export type BackendConfig = GitpodCdktfConfig["backend"];

/** The built-in configuration used when no file is given: everything in the cluster. */
export const BUILT_IN_DEFAULTS = { domain: DEFAULT_DOMAIN } as const;
