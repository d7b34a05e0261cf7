/**
 * The one configuration file of gitpod-cdktf, as a zod schema.
 *
 * Parsed once at the edge (config/load.ts); stacks receive the typed result and never read files
 * or the environment themselves. Every object is strict: an unknown key is an error, because a
 * typo that is silently ignored in infrastructure config is a production incident later.
 */
import { z } from "zod";
import {
  absolutePath,
  accessKeyId,
  awsRegion,
  cidrBlock,
  deletionProtection,
  DNS_LABEL,
  duration,
  HOST,
  hostAndPort,
  imageReference,
  imageRepository,
  kubernetesName,
  noTemplateSyntax,
  pemCertificate,
  port,
  quantity,
  s3BucketName,
} from "./primitives";

/** Gitpod's last self-hosted release (see the installer reference). */
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

const certManagerSchema = z.strictObject({
  /** Set false when the cluster already runs cert-manager (>= v1.0); Gitpod then uses that one. */
  install: z.boolean().default(true),
  version: z
    .string()
    .regex(/^v[0-9]+\.[0-9]+\.[0-9]+$/, { message: 'must be a cert-manager release tag such as "v1.16.5"' })
    .default(DEFAULT_CERT_MANAGER_VERSION),
  namespace: kubernetesName.default("cert-manager"),
  /** The cert-manager controller's service account (the chart's default); used by acme-route53. */
  serviceAccount: kubernetesName.default("cert-manager"),
  /** Helm repository holding the jetstack chart; point it at a mirror in air-gapped clusters. */
  chartRepository: z.url({ protocol: /^https?$/ }).default("https://charts.jetstack.io"),
});

const tlsCommon = { certManager: certManagerSchema.prefault({}) };

const tlsSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("self-signed"), ...tlsCommon }),
  z.strictObject({
    type: z.literal("issuer"),
    issuerRef: z.strictObject({
      name: kubernetesName,
      kind: z.enum(["ClusterIssuer", "Issuer"]).default("ClusterIssuer"),
      group: z.string().default("cert-manager.io"),
    }),
    ...tlsCommon,
  }),
  z.strictObject({ type: z.literal("secret"), secretName: kubernetesName, ...tlsCommon }),
  z.strictObject({
    type: z.literal("acme-route53"),
    /** Let's Encrypt account e-mail (expiry notices). */
    email: z.email({ message: "must be an e-mail address" }),
    /** `production`, `staging` (untrusted certificates, generous rate limits) or an ACME directory URL. */
    server: z.union([z.enum(["production", "staging"]), z.url({ protocol: /^https$/ })]).default("production"),
    /** Route53 hosted zone that holds the domain; the issuer's IAM role may change only this zone. */
    hostedZoneId: z.string().regex(/^Z[A-Z0-9]{1,32}$/, { message: 'must be a Route53 hosted zone id such as "Z0123456789ABCDEFGHIJ"' }),
    ...tlsCommon,
  }),
]);

const inClusterVolume = {
  storageSize: quantity,
  /** Omit to use the cluster's default StorageClass. */
  storageClass: kubernetesName.optional(),
  deletionProtection,
};

/** Data stores on AWS are protected like the in-cluster ones. */
const s3Bucket = {
  /** Default `<domain with dashes>-storage` or `-registry`, e.g. `gitpod-acme-dev-storage`. */
  bucket: s3BucketName.optional(),
  /** Old versions of overwritten or deleted objects are kept this long (versioning is on). */
  noncurrentVersionExpirationDays: z.number().int().min(1).max(3650).default(30),
  deletionProtection,
};

const databaseSchema = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("in-cluster"),
    image: imageReference.default(DEFAULT_MYSQL_IMAGE),
    ...inClusterVolume,
    storageSize: quantity.default("20Gi"),
  }),
  z.strictObject({
    type: z.literal("external"),
    /** Any MySQL 5.7-compatible server; the password is the variable `database_password`. */
    host: hostAndPort,
    port: port.default(3306),
    username: z.string().min(1).max(32),
    /** PEM CA bundle: Gitpod then connects with TLS and verifies the server (`database.ssl.caCert`). */
    caCertificate: pemCertificate.optional(),
    /** Protects Gitpod's encryption keys, which the data in this database needs. */
    deletionProtection,
  }),
  z
    .strictObject({
      type: z.literal("rds"),
      /** MySQL major version; see the README for the trade-offs of each. */
      engineVersion: z.enum(RDS_MYSQL_VERSIONS).default(DEFAULT_RDS_MYSQL_VERSION),
      instanceClass: z.string().regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/, { message: 'must be an RDS instance class such as "db.t4g.medium"' }).default("db.t4g.medium"),
      allocatedStorageGb: z.number().int().min(20).max(65536).default(20),
      /** Upper limit for storage autoscaling; omit to disable it. */
      maxAllocatedStorageGb: z.number().int().min(20).max(65536).optional(),
      multiAz: z.boolean().default(false),
      backupRetentionDays: z.number().int().min(1).max(35).default(7),
      /** Sources allowed to reach port 3306, e.g. the EKS cluster's security group. */
      allowedSecurityGroupIds: z.array(z.string().regex(/^sg-[0-9a-f]{8,17}$/, { message: "must be a security group id (sg-...)" })).default([]),
      allowedCidrBlocks: z.array(cidrBlock).default([]),
      /** The RDS CA bundle (PEM): Gitpod then connects with TLS, and the server requires it. */
      caCertificate: pemCertificate.optional(),
      /** Apply changes now instead of in the next maintenance window (can restart the database). */
      applyImmediately: z.boolean().default(false),
      deletionProtection,
      /** Take a snapshot `<identifier>-final` when the database is deleted. */
      finalSnapshot: z.boolean().default(true),
    })
    .superRefine((rds, ctx) => {
      if (rds.allowedSecurityGroupIds.length + rds.allowedCidrBlocks.length === 0) {
        ctx.addIssue({
          code: "custom",
          path: ["allowedSecurityGroupIds"],
          message: "give at least one source for port 3306: allowedSecurityGroupIds (e.g. the EKS cluster security group) or allowedCidrBlocks",
        });
      }
      if (rds.maxAllocatedStorageGb !== undefined && rds.maxAllocatedStorageGb <= rds.allocatedStorageGb) {
        ctx.addIssue({ code: "custom", path: ["maxAllocatedStorageGb"], message: "must be greater than allocatedStorageGb" });
      }
    }),
]);

const storageSchema = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("in-cluster"),
    image: imageReference.default(DEFAULT_MINIO_IMAGE),
    ...inClusterVolume,
    storageSize: quantity.default("50Gi"),
  }),
  z.strictObject({
    type: z.literal("external"),
    /** Any S3-compatible endpoint, host[:port]; the secret key is the variable `storage_secret_access_key`. */
    endpoint: hostAndPort,
    /** An existing bucket; Gitpod keeps everything in it (single-bucket mode). */
    bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { message: "must be an S3 bucket name (3-63 characters: a-z, 0-9, '.', '-')" }),
    /** Region the credentials are signed for; also Gitpod's `metadata.region`. */
    region: z.string().regex(/^[a-z0-9-]+$/, { message: 'must be a region name such as "us-east-1"' }).default("us-east-1"),
    accessKeyId,
    /** Plain HTTP to the endpoint, e.g. an existing MinIO without TLS. */
    allowInsecureConnection: z.boolean().default(false),
  }),
  z.strictObject({ type: z.literal("s3"), ...s3Bucket }),
]);

const registrySchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("in-cluster"), deletionProtection }),
  z.strictObject({
    type: z.literal("external"),
    /**
     * Docker Registry HTTP API V2 registry with the path Gitpod pushes below, no scheme:
     * `registry.acme.dev/gitpod` -> `registry.acme.dev/gitpod/base-images`, `.../workspace-images`.
     * The password is the variable `registry_password`.
     */
    url: z.string().regex(new RegExp(`^(${HOST}|[0-9]{1,3}(\\.[0-9]{1,3}){3})(:[0-9]{1,5})?(/[a-z0-9]+([._-][a-z0-9]+)*)*$`), {
      message: "must be a registry host with an optional path, without scheme, e.g. registry.acme.dev/gitpod",
    }),
    username: z.string().min(1),
  }),
  /** Gitpod's own registry with its blobs in an S3 bucket (what Gitpod recommended on AWS). */
  z.strictObject({ type: z.literal("s3"), ...s3Bucket }),
  z.strictObject({
    type: z.literal("ecr"),
    /** Repositories are `<prefix>/base-images` and `<prefix>/workspace-images`; default: the name. */
    repositoryPrefix: z
      .string()
      .regex(/^[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/, { message: 'must be an ECR repository path such as "gitpod"' })
      .optional(),
    untaggedImageExpiryDays: z.number().int().min(1).max(3650).default(7),
    /** ECR tokens live 12 hours; the refresher runs this often (1-6). */
    refreshIntervalHours: z.number().int().min(1).max(6).default(4),
    awsCliImage: imageReference.default(DEFAULT_AWS_CLI_IMAGE),
    deletionProtection,
  }),
]);

const SCM_DEFAULT_HOSTS = { GitHub: "github.com", GitLab: "gitlab.com", Bitbucket: "bitbucket.org" } as const;

const scmProviderSchema = z
  .strictObject({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, {
      message: 'must be an identifier such as "Public-GitHub" (letters, digits, ".", "_", "-")',
    }),
    type: z.enum(["GitHub", "GitLab", "Bitbucket", "BitbucketServer"]),
    /** Defaults to the public service of the type; required for BitbucketServer. */
    host: z
      .string()
      .regex(new RegExp(`^${DNS_LABEL}(\\.${DNS_LABEL})*(:[0-9]{1,5})?$`), {
        message: "must be a host name (optionally with :port), without scheme or path",
      })
      .optional(),
    clientId: z.string().min(1),
  })
  .transform((provider, ctx) => {
    const host = provider.host ?? SCM_DEFAULT_HOSTS[provider.type as keyof typeof SCM_DEFAULT_HOSTS];
    if (!host) {
      ctx.addIssue({ code: "custom", path: ["host"], message: `is required for type ${provider.type}` });
      return z.NEVER;
    }
    return { ...provider, host, clientSecretVariable: scmClientSecretVariable(provider.id) };
  });

/** Name of the sensitive Terraform variable that carries one SCM provider's OAuth client secret. */
export function scmClientSecretVariable(providerId: string): string {
  return `scm_${providerId.toLowerCase().replace(/[^a-z0-9]+/g, "_")}_client_secret`;
}

const scmSchema = z
  .strictObject({ providers: z.array(scmProviderSchema).default([]) })
  .superRefine((scm, ctx) => {
    const seen = new Map<string, number>();
    scm.providers.forEach((provider, index) => {
      const previous = seen.get(provider.clientSecretVariable);
      if (previous !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["providers", index, "id"],
          message: `"${provider.id}" clashes with providers[${previous}] (both use the variable ${provider.clientSecretVariable}); give each provider a distinct id`,
        });
      }
      seen.set(provider.clientSecretVariable, index);
    });
  });

const NODE_OS_RUNTIME_DIRS = {
  ubuntu: "/var/lib/containerd/io.containerd.runtime.v2.task/k8s.io",
  "amazon-linux": "/run/containerd/io.containerd.runtime.v2.task/k8s.io",
} as const;

const gitpodSchema = z
  .strictObject({
    version: z
      .string()
      .regex(/^[0-9]{4}\.[0-9]{1,2}\.[0-9]+$/, { message: 'must be a Gitpod self-hosted release such as "2022.11.3"' })
      .default(DEFAULT_GITPOD_VERSION),
    namespace: kubernetesName.default("gitpod"),
    /** Where every Gitpod component image is pulled from; point it at your mirror. */
    repository: imageRepository.default(DEFAULT_IMAGE_REPOSITORY),
    /** Defaults to `<repository>/installer:release-<version>`. */
    installerImage: imageReference.optional(),
    /** Flatten image paths in `repository` (for mirrors that cannot hold nested paths). */
    dropImageRepo: z.boolean().default(false),
    workspaceRuntime: z
      .strictObject({
        /** Picks containerdRuntimeDir: Ubuntu-like nodes and Amazon Linux keep it in different places. */
        nodeOs: z.enum(["ubuntu", "amazon-linux"]).default("ubuntu"),
        containerdRuntimeDir: absolutePath.optional(),
        containerdSocket: absolutePath.default("/run/containerd/containerd.sock"),
        fsShiftMethod: z.enum(["fuse", "shiftfs"]).default("fuse"),
      })
      .prefault({})
      .transform(({ nodeOs, containerdRuntimeDir, ...rest }) => ({
        nodeOs,
        containerdRuntimeDir: containerdRuntimeDir ?? NODE_OS_RUNTIME_DIRS[nodeOs],
        ...rest,
      })),
    proxy: z
      .strictObject({
        serviceType: z.enum(["LoadBalancer", "ClusterIP", "NodePort"]).default("LoadBalancer"),
        /** e.g. AWS NLB annotations; rendered with the installer's experimental config. */
        serviceAnnotations: z.record(z.string(), z.string()).default({}),
      })
      .prefault({}),
    /**
     * Limit for one install or upgrade of Gitpod's objects, and separately for the wait for the TLS
     * certificate before it (ACME issuance can take a while; KOTS allowed up to an hour in all).
     */
    installTimeout: duration.prefault("30m"),
  })
  .transform(({ installerImage, ...gitpod }) => ({
    ...gitpod,
    installerImage: installerImage ?? `${gitpod.repository}/installer:release-${gitpod.version}`,
  }));

const kubernetesSchema = z.strictObject({
  /**
   * Kubeconfig used by the kubernetes and helm providers. `~` is expanded by the providers, so the
   * synthesized JSON stays machine-independent. Set to "" to configure them from KUBE_* variables
   * instead (Terraform Cloud, CI).
   */
  configPath: noTemplateSyntax("use ~ for the home directory").default("~/.kube/config"),
  context: noTemplateSyntax("give the context's name").pipe(z.string().min(1)).optional(),
});

const awsSchema = z.strictObject({
  region: awsRegion,
  /** VPC and private subnets (two or more, in different AZs) for RDS. */
  vpcId: z.string().regex(/^vpc-[0-9a-f]{8,17}$/, { message: "must be a VPC id (vpc-...)" }).optional(),
  subnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, { message: "must be a subnet id (subnet-...)" })).optional(),
  /** The EKS cluster's IAM OIDC provider, for roles of Kubernetes service accounts (IRSA). */
  eksOidcProviderArn: z
    .string()
    .regex(/^arn:aws(-[a-z]+)*:iam::[0-9]{12}:oidc-provider\/\S+$/, { message: "must be an IAM OIDC provider ARN (arn:aws:iam::<account>:oidc-provider/...)" })
    .optional(),
  /** Added to every AWS resource. */
  tags: z.record(z.string(), z.string()).default({}),
  /**
   * For plans without AWS access (CI checks, tests): the provider skips its credential, account
   * and region lookups. Never needed to apply.
   */
  offline: z.boolean().default(false),
});

const environmentVariableName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, { message: 'must be an environment variable name such as "KUBE_TOKEN"' });

const backendSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("local") }),
  z.strictObject({
    type: z.literal("s3"),
    bucket: s3BucketName,
    region: awsRegion,
    /** Each stack's state is `<keyPrefix>/<stack id>.tfstate`. */
    keyPrefix: z
      .string()
      .regex(/^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*$/, { message: 'must be an S3 key prefix without leading or trailing "/", e.g. "gitpod-cdktf"' })
      .default("gitpod-cdktf"),
    /** S3's own locking (Terraform >= 1.10). */
    useLockfile: z.boolean().default(true),
    /** A DynamoDB table for locking, for Terraform versions or teams that still use one. */
    dynamodbTable: z.string().regex(/^[A-Za-z0-9_.-]{3,255}$/, { message: "must be a DynamoDB table name" }).optional(),
    /** Encrypt state with this KMS key instead of S3's default encryption. */
    kmsKeyId: z.string().min(1).optional(),
  }),
  z
    .strictObject({
      type: z.literal("cloud"),
      organization: z.string().regex(/^[A-Za-z0-9_-]+$/, { message: "must be a Terraform Cloud organization name" }),
      hostname: z.string().regex(new RegExp(`^${HOST}$`), { message: "must be a host name, e.g. app.terraform.io" }).default("app.terraform.io"),
      /** The project the workspaces belong to (it must exist); default: the organization's default project. */
      project: z.string().min(1).optional(),
      /** Create and wire the workspaces with a `<name>-terraform-cloud` stack (tfe provider). */
      bootstrap: z
        .strictObject({
          executionMode: z.enum(["remote", "local", "agent"]).default("remote"),
          agentPoolId: z.string().regex(/^apool-[A-Za-z0-9]+$/, { message: "must be an agent pool id (apool-...)" }).optional(),
          /** VCS-driven runs: the repository holding the synthesized cdktf.out. */
          vcs: z
            .strictObject({
              identifier: z.string().regex(/^[^/\s]+\/[^/\s]+$/, { message: 'must be "<owner>/<repository>"' }),
              branch: z.string().min(1).optional(),
              oauthTokenId: z.string().regex(/^ot-[A-Za-z0-9]+$/, { message: "must be an OAuth token id (ot-...)" }),
            })
            .optional(),
          /**
           * Provider credentials for the runs (e.g. KUBE_HOST, KUBE_TOKEN, AWS_ACCESS_KEY_ID), as
           * sensitive environment variables of a variable set. Their values are inputs of the
           * bootstrap run (TF_VAR_env_<name>), written to Terraform Cloud write-only.
           */
          environmentVariables: z.array(environmentVariableName).default([]),
        })
        .superRefine((bootstrap, ctx) => {
          if (bootstrap.executionMode === "agent" && bootstrap.agentPoolId === undefined) {
            ctx.addIssue({ code: "custom", path: ["agentPoolId"], message: "is required when executionMode is agent" });
          }
        })
        .optional(),
    }),
]);

export const configSchema = z.strictObject({
  /** Prefix of stack and resource names; several installations can share a cluster or state store. */
  name: z
    .string()
    .regex(/^[a-z]([a-z0-9-]{0,18}[a-z0-9])?$/, {
      message: "must be 1-20 characters: lower-case letters, digits and '-', starting with a letter",
    })
    .default("gitpod"),
  domain: z
    .string()
    .max(240)
    .regex(new RegExp(`^${DNS_LABEL}(\\.${DNS_LABEL})+$`), {
      message: 'must be a fully-qualified lower-case domain name such as "gitpod.example.com" (no scheme, no wildcard)',
    }),
  gitpod: gitpodSchema.prefault({}),
  kubernetes: kubernetesSchema.prefault({}),
  /** Where the AWS modes create their resources. */
  aws: awsSchema.optional(),
  tls: tlsSchema.prefault({ type: "self-signed" }),
  database: databaseSchema.prefault({ type: "in-cluster" }),
  storage: storageSchema.prefault({ type: "in-cluster" }),
  registry: registrySchema.prefault({ type: "in-cluster" }),
  scm: scmSchema.prefault({}),
  backend: backendSchema.prefault({ type: "local" }),
}).superRefine((config, ctx) => {
  // What the AWS modes need from the `aws` section, named after the mode that needs it.
  const needs: [boolean, string, "region" | "vpcId" | "subnetIds" | "eksOidcProviderArn", string][] = [
    [config.database.type === "rds", "database.type is rds", "vpcId", "the VPC to create the database in"],
    [config.database.type === "rds", "database.type is rds", "subnetIds", "two or more private subnets in different availability zones"],
    [config.registry.type === "ecr", "registry.type is ecr", "eksOidcProviderArn", "the EKS OIDC provider, for the token refresher's IAM role"],
    [config.tls.type === "acme-route53", "tls.type is acme-route53", "eksOidcProviderArn", "the EKS OIDC provider, for cert-manager's IAM role"],
  ];
  const usesAws = config.database.type === "rds" || config.storage.type === "s3" || config.registry.type === "s3" || config.registry.type === "ecr" || config.tls.type === "acme-route53";
  if (usesAws && config.aws === undefined) {
    ctx.addIssue({ code: "custom", path: ["aws"], message: "is required by the AWS modes in this config: give at least aws.region" });
    return;
  }
  for (const [needed, because, field, what] of needs) {
    if (needed && config.aws?.[field] === undefined) {
      ctx.addIssue({ code: "custom", path: ["aws", field], message: `is required when ${because}: ${what}` });
    }
  }
  if (config.database.type === "rds" && config.aws?.subnetIds !== undefined && config.aws.subnetIds.length < 2) {
    ctx.addIssue({ code: "custom", path: ["aws", "subnetIds"], message: "needs two or more subnets in different availability zones (an RDS requirement)" });
  }
});

/** The validated configuration every stack receives. */
export type GitpodCdktfConfig = z.output<typeof configSchema>;
export type TlsConfig = GitpodCdktfConfig["tls"];
export type DatabaseConfig = GitpodCdktfConfig["database"];
export type StorageConfig = GitpodCdktfConfig["storage"];
export type RegistryConfig = GitpodCdktfConfig["registry"];
export type ScmProviderConfig = GitpodCdktfConfig["scm"]["providers"][number];
export type BackendConfig = GitpodCdktfConfig["backend"];

/** The built-in configuration used when no file is given: everything in the cluster. */
export const BUILT_IN_DEFAULTS = { domain: DEFAULT_DOMAIN } as const;
