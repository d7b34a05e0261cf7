/**
 * The one configuration file of gitpod-cdktf, as a valibot schema.
 *
 * Parsed once at the edge (config/load.ts); stacks receive the typed result and never read files
 * or the environment themselves. Every object is strict: an unknown key is an error, because a
 * typo that is silently ignored in infrastructure config is a production incident later. The
 * sections of Gitpod's dependencies are made from their modes (modes/index.ts); the rest is in
 * config/sections.ts.
 */
import * as v from "valibot";
import { awsNeeds, MODES, sectionSchema } from "../modes";
import { crossFieldCheck } from "./cross-field-check";
import { DNS_LABEL, matching, section } from "./primitives";
import { mirroredImage, mirrorSchema } from "./mirror";
import { awsSchema, backendSchema, DEFAULT_DOMAIN, DEFAULT_IMAGE_REPOSITORY, gitpodSchema, kubernetesSchema, scmSchema, type GitpodSection } from "./sections";

export {
  DEFAULT_CERT_MANAGER_VERSION,
  DEFAULT_DOMAIN,
  DEFAULT_GITPOD_VERSION,
  SENSITIVE_VARIABLES,
  scmClientSecretVariable,
  terraformVariableEnv,
  type AwsSection,
  type BackendConfig,
  type ScmProviderConfig,
} from "./sections";

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
    // Certificates for *.<domain> and *.ws.<domain> need a DNS name; no top-level domain is numeric.
    v.check((domain) => !/\.[0-9]+$/.test(domain), "must be a DNS name, not an IP address: Gitpod needs <domain>, *.<domain> and *.ws.<domain>"),
  ),
  gitpod: v.optional(gitpodSchema, {}),
  kubernetes: v.optional(kubernetesSchema, {}),
  /** Where the AWS modes create their resources. */
  aws: v.optional(awsSchema),
  tls: v.optional(sectionSchema(MODES.tls), { type: "self-signed" }),
  database: v.optional(sectionSchema(MODES.database), { type: "in-cluster" }),
  storage: v.optional(sectionSchema(MODES.storage), { type: "in-cluster" }),
  registry: v.optional(sectionSchema(MODES.registry), { type: "in-cluster" }),
  /** Who creates the DNS records of <domain>, *.<domain> and *.ws.<domain> (docs/dns.md). */
  dns: v.optional(sectionSchema(MODES.dns), { type: "none" }),
  scm: v.optional(scmSchema, {}),
  backend: v.optional(backendSchema, { type: "local" }),
  /** A private registry mirror for every image and chart (docs/air-gapped.md). Default: the public registries. */
  mirror: v.optional(mirrorSchema),
});

/** The installer's own namespace, where only its hook Jobs run (docs/security.md, "The installer's rights"). */
export const installerNamespaceOf = (name: string) => `${name}-installer`;

export const configSchema = v.pipe(
  configObjectSchema,
  crossFieldCheck<v.InferOutput<typeof configObjectSchema>>((config, report) => {
    // What the chosen modes need of the shared `aws` section, named after the mode that needs it.
    const needs = awsNeeds(config);
    if (needs.needed && config.aws === undefined) {
      report(["aws"], "is required by the AWS modes in this config: give at least aws.region");
      return;
    }
    for (const { field, because, why } of needs.fields) {
      if (config.aws?.[field] === undefined) report(["aws", field], `is required when ${because}: ${why}`);
    }
  }),
  crossFieldCheck<v.InferOutput<typeof configObjectSchema>>((config, report) => {
    // Pods there could run as the installer's service account.
    const installer = installerNamespaceOf(config.name);
    const why = `the installer's own namespace (<name>-installer), where nothing else may run; choose another namespace or name`;
    if (config.gitpod.namespace === installer) report(["gitpod", "namespace"], `must not be ${installer}, ${why}`);
    if (config.tls.certManager.namespace === installer) report(["tls", "certManager", "namespace"], `must not be ${installer}, ${why}`);
  }),
  crossFieldCheck<v.InferOutput<typeof configObjectSchema>>((config, report) => {
    // Terraform Cloud sets KUBE_TOKEN; a kubeconfig path would take precedence, and not exist there.
    const bootstrap = config.backend.type === "cloud" ? config.backend.bootstrap : undefined;
    if (bootstrap?.dynamicCredentials.kubernetes !== undefined && config.kubernetes.configPath !== "") {
      report(["kubernetes", "configPath"], 'must be "" with backend.bootstrap.dynamicCredentials.kubernetes: the providers then read KUBE_HOST and the token Terraform Cloud sets');
    }
    // AWS credentials go to the aws-services workspace only, which exists only with an AWS mode.
    if (bootstrap !== undefined && !awsNeeds(config).needed) {
      const unused = "no stack uses the aws provider (no AWS mode in this config), so no workspace would get it: remove it";
      bootstrap.environmentVariables.forEach((name, index) => {
        if (name.startsWith("AWS_")) report(["backend", "bootstrap", "environmentVariables", index], `${name}: ${unused}`);
      });
      if (bootstrap.dynamicCredentials.aws !== undefined) report(["backend", "bootstrap", "dynamicCredentials", "aws"], unused);
    }
  }),
  v.transform(resolveGitpodImages),
);

/** Gitpod's images: from its public repository, or the mirror's copy of it, unless given. */
function resolveGitpodImages(config: v.InferOutput<typeof configObjectSchema>): Omit<v.InferOutput<typeof configObjectSchema>, "gitpod"> & { gitpod: GitpodSection } {
  const { repository, installerImage, ...gitpod } = config.gitpod;
  const resolved = repository ?? mirroredImage(DEFAULT_IMAGE_REPOSITORY, config.mirror);
  return {
    ...config,
    gitpod: { ...gitpod, repository: resolved, installerImage: installerImage ?? `${resolved}/installer:release-${gitpod.version}` },
  };
}

/** The validated configuration every stack receives. */
export type GitpodCdktfConfig = v.InferOutput<typeof configSchema>;
export type TlsConfig = GitpodCdktfConfig["tls"];
export type { GitpodSection } from "./sections";

/** The built-in configuration used when no file is given: everything in the cluster. */
export const BUILT_IN_DEFAULTS = { domain: DEFAULT_DOMAIN } as const;
