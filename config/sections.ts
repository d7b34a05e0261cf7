/**
 * The sections of the configuration that are not a way of providing one of Gitpod's dependencies:
 * Gitpod itself, the cluster, the shared `aws` section, source control and the state backend. The
 * dependency modes (modes/) build on these; config/schema.ts assembles the whole.
 */
import * as v from "valibot";
import { crossFieldCheck, issuePath } from "./cross-field-check";
import { installerConfigProblems, PASSLIST_DOMAIN, PROJECT_MANAGED_INSTALLER_FIELDS } from "./installer-fields";
import {
  absolutePath,
  awsRegion,
  duration,
  HOST,
  PORT,
  imageReference,
  imageRepository,
  kubernetesName,
  mapping,
  matching,
  noTemplateSyntax,
  nonEmptyString,
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

/**
 * Sensitive Terraform variables, by what they carry; the stack that uses one declares it (the
 * mirror's password: the cluster prerequisites; the others: the release). Set them as
 * TF_VAR_<name>; `npm run preflight` reads the same environment variables.
 */
export const SENSITIVE_VARIABLES = {
  databasePassword: "database_password",
  storageSecretAccessKey: "storage_secret_access_key",
  registryPassword: "registry_password",
  gitpodLicense: "gitpod_license",
  mirrorPassword: "mirror_password",
} as const;

export const certManagerSchema = section({
  /** Set false when the cluster already runs cert-manager (>= v1.0); Gitpod then uses that one. */
  install: v.optional(v.boolean(), true),
  version: v.optional(matching(/^v[0-9]+\.[0-9]+\.[0-9]+$/, 'must be a cert-manager release tag such as "v1.16.5"'), DEFAULT_CERT_MANAGER_VERSION),
  namespace: v.optional(kubernetesName, "cert-manager"),
  /** The cert-manager controller's service account (the chart's default); used by acme-route53. */
  serviceAccount: v.optional(kubernetesName, "cert-manager"),
  /**
   * Helm repository (or oci:// registry path) holding the jetstack chart. Default:
   * `mirror.chartRepository` with a mirror, else https://charts.jetstack.io. https or oci only:
   * over plain http anyone on the path could swap the chart, and with it cert-manager's
   * cluster-wide permissions.
   */
  chartRepository: v.optional(
    urlWithScheme(["https", "oci"], "must be an https URL such as https://charts.jetstack.io, or an oci:// registry path: over http the chart could be swapped in transit"),
  ),
  /**
   * Images of cert-manager's components, to pin them by digest (or pull them from a mirror), e.g.
   * `quay.io/jetstack/cert-manager-controller:v1.16.5@sha256:...`. Default: the chart's own, by tag.
   */
  images: v.optional(
    section({
      controller: v.optional(imageReference),
      webhook: v.optional(imageReference),
      cainjector: v.optional(imageReference),
      acmesolver: v.optional(imageReference),
      startupapicheck: v.optional(imageReference),
    }),
    {},
  ),
});

/** The public service of each SCM type: anyone can make an account there. */
export const SCM_DEFAULT_HOSTS: Readonly<Record<string, string>> = { GitHub: "github.com", GitLab: "gitlab.com", Bitbucket: "bitbucket.org" };

const scmProviderSchema = v.pipe(
  section({
    id: matching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'must be an identifier such as "Public-GitHub" (letters, digits, ".", "_", "-")'),
    type: v.picklist(["GitHub", "GitLab", "Bitbucket", "BitbucketServer"]),
    /** Defaults to the public service of the type; required for BitbucketServer. */
    host: v.optional(
      matching(new RegExp(`^${HOST}(:${PORT})?$`), "must be a host name, optionally with :port (1-65535), without scheme or path"),
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

export const scmSchema = v.pipe(
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
  // Gitpod's callback URL is https://<domain>/auth/<host>/callback: one provider per host.
  crossFieldCheck<v.InferOutput<typeof scmProvidersSchema>>((scm, report) => {
    const hosts = new Map<string, number>();
    scm.providers.forEach((provider, index) => {
      const previous = hosts.get(provider.host);
      if (previous !== undefined) {
        report(["providers", index, "host"], `${provider.host} is already the host of providers[${previous}]: both would get the callback URL /auth/${provider.host}/callback; keep one provider per host`);
      }
      hosts.set(provider.host, index);
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
  // Exactly Gitpod's `workspace.runtime`: nodeOs has done its job once it picked the directory.
  v.transform(({ nodeOs, containerdRuntimeDir, ...rest }) => ({
    containerdRuntimeDir: containerdRuntimeDir ?? NODE_OS_RUNTIME_DIRS[nodeOs],
    ...rest,
  })),
);

/** An e-mail domain as Gitpod's installer checks passlist entries. */
const emailDomain = matching(PASSLIST_DOMAIN, 'must be an e-mail domain such as "acme.dev" (a fully-qualified domain name)');

const blockNewUsersObjectSchema = section({
  enabled: v.boolean(),
  /** E-mail domains whose users may still sign up, e.g. ["acme.dev"]. */
  passlist: v.optional(v.array(emailDomain), []),
});

const blockNewUsersSchema = v.pipe(
  blockNewUsersObjectSchema,
  // The installer refuses an enabled block without exceptions: nobody could ever sign up.
  crossFieldCheck<v.InferOutput<typeof blockNewUsersObjectSchema>>((block, report) => {
    if (block.enabled && block.passlist.length === 0) {
      report(["passlist"], 'needs at least one e-mail domain when enabled is true (e.g. ["acme.dev"]): otherwise nobody could sign up, not even the first admin');
    }
  }),
);

const gitpodObjectSchema = section({
  version: v.optional(
    matching(/^[0-9]{4}\.[0-9]{1,2}\.[0-9]+$/, 'must be a Gitpod self-hosted release such as "2022.11.3"'),
    DEFAULT_GITPOD_VERSION,
  ),
  namespace: v.optional(kubernetesName, "gitpod"),
  /**
   * Where every Gitpod component image is pulled from. Default: eu.gcr.io/gitpod-core-dev/build,
   * or `<mirror.registry>/gitpod-core-dev/build` with a mirror.
   */
  repository: v.optional(imageRepository),
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
  /**
   * Who may create an account. Without it, anyone with an account on a source-control host of
   * `scm.providers` can sign up (on github.com or gitlab.com: anyone at all).
   */
  blockNewUsers: v.optional(blockNewUsersSchema, { enabled: false, passlist: [] }),
  /** Gitpod's license key, from the sensitive variable TF_VAR_gitpod_license, into a `license` secret. */
  license: v.optional(section({ enabled: v.boolean() }), { enabled: false }),
  /**
   * The SSH gateway for desktop IDEs and `ssh` into workspaces: its host key is generated in the
   * cluster on the first install and kept (never in config or state); the proxy then also listens
   * on port 22.
   */
  sshGateway: v.optional(section({ enabled: v.boolean() }), { enabled: false }),
  /** The Open VSX registry workspaces install extensions from (the installer's default: https://open-vsx.org). */
  openVsx: v.optional(section({ url: urlWithScheme(["https", "http"], "must be an http(s) URL such as https://open-vsx.acme.dev") })),
  /**
   * Anything else of Gitpod's installer config (workspace timeouts and resources, templates...),
   * deep-merged onto the config this project generates: mappings merge, lists and values replace.
   * Checked against the installer's fields; the fields this project sets are refused with the
   * setting to use instead (docs/gitpod-installer.md, "Overriding the installer config").
   */
  installerConfig: v.optional(v.pipe(mapping, v.record(v.string(), v.unknown())), {}),
});

export const gitpodSchema = v.pipe(
  gitpodObjectSchema,
  crossFieldCheck<v.InferOutput<typeof gitpodObjectSchema>>((gitpod, report) => {
    for (const problem of installerConfigProblems(gitpod.installerConfig, { managed: PROJECT_MANAGED_INSTALLER_FIELDS })) {
      report(["installerConfig", ...problem.path], problem.message);
    }
  }),
);

export const kubernetesSchema = section({
  /**
   * Kubeconfig used by the kubernetes and helm providers. `~` is expanded by the providers, so the
   * synthesized JSON stays machine-independent. Set to "" to configure them from KUBE_* variables
   * instead (Terraform Cloud, CI).
   */
  configPath: v.optional(noTemplateSyntax("use ~ for the home directory"), "~/.kube/config"),
  context: v.optional(v.pipe(noTemplateSyntax("give the context's name"), v.minLength(1))),
});

export const awsSchema = section({
  region: awsRegion,
  /** VPC and private subnets (two or more, in different AZs) for RDS. */
  vpcId: v.optional(matching(/^vpc-[0-9a-f]{8,17}$/, "must be a VPC id (vpc-...)")),
  subnetIds: v.optional(
    v.pipe(
      v.array(matching(/^subnet-[0-9a-f]{8,17}$/, "must be a subnet id (subnet-...)")),
      // Only RDS uses subnets, and it needs them in two availability zones.
      v.check((ids) => ids.length >= 2, "needs two or more subnets in different availability zones (an RDS requirement)"),
    ),
  ),
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

const environmentVariableName = v.pipe(
  matching(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name such as "KUBE_TOKEN"'),
  // Each goes only to the workspaces whose stacks use its provider (terraform-cloud-bootstrap-stack.ts).
  v.check(
    (name) => !/^[A-Z_][A-Z0-9_]*$/.test(name) || /^(KUBE|HELM|AWS)_/.test(name),
    "must be a variable of the kubernetes and helm providers (KUBE_*, HELM_*) or of the aws provider (AWS_*): each goes only to the workspaces whose stacks use that provider; set others in Terraform Cloud yourself",
  ),
);

/** Environment variables that authenticate a provider, which dynamic credentials replace. */
export const STATIC_CREDENTIAL_VARIABLES = {
  aws: ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE"],
  kubernetes: ["KUBE_TOKEN", "KUBE_CONFIG_PATH", "KUBE_CONFIG_PATHS", "KUBE_CTX", "KUBE_CTX_AUTH_INFO", "KUBE_CLIENT_CERT_DATA", "KUBE_CLIENT_KEY_DATA", "KUBE_USER", "KUBE_PASSWORD"],
} as const;

const iamRoleArn = matching(/^arn:aws(-[a-z]+)*:iam::[0-9]{12}:role\/\S+$/, "must be an IAM role ARN (arn:aws:iam::<account>:role/...)");
const oidcAudience = matching(/^[\x21-\x7e]{1,255}$/, "must be an OIDC audience: printable characters, no spaces");

/**
 * Terraform Cloud's dynamic provider credentials (OIDC): runs get short-lived credentials instead
 * of static ones. The values are not secret: they become plain environment variables of the
 * workspaces whose stacks use the provider.
 */
const dynamicCredentialsSchema = section({
  /** TFC_AWS_PROVIDER_AUTH=true with TFC_AWS_RUN_ROLE_ARN (and the optional ones below). */
  aws: v.optional(
    section({
      /** The role runs assume (TFC_AWS_RUN_ROLE_ARN); it must trust Terraform Cloud's OIDC provider for these workspaces. */
      roleArn: iamRoleArn,
      /** A role for plans only (TFC_AWS_PLAN_ROLE_ARN), e.g. read-only; default: roleArn. */
      planRoleArn: v.optional(iamRoleArn),
      /** TFC_AWS_WORKLOAD_IDENTITY_AUDIENCE; Terraform Cloud's default is aws.workload.identity. */
      audience: v.optional(oidcAudience),
    }),
  ),
  /** TFC_KUBERNETES_PROVIDER_AUTH=true: Terraform Cloud sets KUBE_TOKEN for the kubernetes and helm providers. */
  kubernetes: v.optional(
    section({
      /** TFC_KUBERNETES_WORKLOAD_IDENTITY_AUDIENCE: the client ID of the cluster's OIDC identity provider for Terraform Cloud. */
      audience: oidcAudience,
    }),
  ),
});

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
   * Provider settings and credentials for the runs (e.g. KUBE_HOST, KUBE_TOKEN, AWS_ACCESS_KEY_ID),
   * as sensitive environment variables, each only on the workspaces whose stacks use its provider
   * (KUBE_*: kubernetes or helm; HELM_*: helm; AWS_*: aws). Their values are inputs of the
   * bootstrap run (TF_VAR_env_<name>), written to Terraform Cloud write-only.
   */
  environmentVariables: v.optional(v.array(environmentVariableName), []),
  /** Dynamic provider credentials (OIDC) instead of static ones, per provider. */
  dynamicCredentials: v.optional(dynamicCredentialsSchema, {}),
});

const bootstrapSchema = v.pipe(
  bootstrapObjectSchema,
  crossFieldCheck<v.InferOutput<typeof bootstrapObjectSchema>>((bootstrap, report) => {
    if (bootstrap.executionMode === "agent" && bootstrap.agentPoolId === undefined) {
      report(["agentPoolId"], "is required when executionMode is agent");
    }
  }),
  crossFieldCheck<v.InferOutput<typeof bootstrapObjectSchema>>((bootstrap, report) => {
    bootstrap.environmentVariables.forEach((name, index) => {
      const provider = (["aws", "kubernetes"] as const).find(
        (candidate) => bootstrap.dynamicCredentials[candidate] !== undefined && (STATIC_CREDENTIAL_VARIABLES[candidate] as readonly string[]).includes(name),
      );
      if (provider !== undefined) {
        report(["environmentVariables", index], `${name} would override the ${provider} dynamic credentials (dynamicCredentials.${provider}): remove it`);
      }
    });
    if (bootstrap.dynamicCredentials.kubernetes !== undefined && !bootstrap.environmentVariables.includes("KUBE_HOST")) {
      report(["environmentVariables"], "needs KUBE_HOST (and KUBE_CLUSTER_CA_CERT_DATA) with dynamicCredentials.kubernetes: Terraform Cloud supplies only the token");
    }
  }),
);

export const backendSchema = v.pipe(
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

/** The `gitpod` section once its images are resolved (config/schema.ts: from the mirror, if any). */
export type GitpodSection = Omit<v.InferOutput<typeof gitpodSchema>, "repository" | "installerImage"> & {
  readonly repository: string;
  readonly installerImage: string;
};
export type KubernetesSection = v.InferOutput<typeof kubernetesSchema>;
export type AwsSection = v.InferOutput<typeof awsSchema>;
export type BackendConfig = v.InferOutput<typeof backendSchema>;
export type ScmProviderConfig = v.InferOutput<typeof scmSchema>["providers"][number];
export type CertManagerSection = v.InferOutput<typeof certManagerSchema>;
