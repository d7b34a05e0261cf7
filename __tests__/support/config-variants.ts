/**
 * One list of configurations that together exercise every way this project can be configured:
 * every mode of `database`, `storage`, `registry` and `tls` at least once, and the options that
 * change generated objects (name prefix, image mirrors, node OS, proxy annotations, timeouts,
 * volume protection, SCM providers, cert-manager left to the cluster...). Tests that must hold for
 * every configuration (e.g. charts.integration.test.ts: every generated Helm chart passes real
 * helm) synthesize each variant of this list.
 *
 * Gathered from what the test suite synthesizes (app.test.ts, contract.test.ts, backends.test.ts,
 * preflight/inputs.test.ts, aws-terraform.integration.test.ts), docs/modes.md's configuration
 * examples, examples/all-aws/gitpod-cdktf.yaml and bench/largest.yaml (the last two are read from
 * their files, so they stay in step). `coveredModes` and `configModes` let a test assert that
 * a newly added mode is not left out of this list.
 */
import * as fs from "fs";
import * as path from "path";
import { FILE_FIELDS } from "../../config/load";
import { configSchema, type GitpodCdktfConfig } from "../../config/schema";
import { config, parseYaml } from "./synth";

const ROOT = path.resolve(__dirname, "..", "..");
const PEM = "-----BEGIN CERTIFICATE-----\nMIIBexample\n-----END CERTIFICATE-----\n";
const OIDC = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
const AWS = {
  region: "eu-west-1",
  vpcId: "vpc-0123456789abcdef0",
  subnetIds: ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"],
  eksOidcProviderArn: OIDC,
};

/** A corporate installation: what an admin with a private CA, a mirror and a security team sets. */
export const CORPORATE: Readonly<Record<string, unknown>> = {
  tls: { type: "issuer", issuerRef: { name: "acme-corp-ca" }, caCertificate: PEM },
  mirror: { registry: "harbor.acme.dev/mirror", username: "robot$gitpod", chartRepository: "https://harbor.acme.dev/chartrepo/mirror" },
  gitpod: {
    blockNewUsers: { enabled: true, passlist: ["acme.dev"] },
    license: { enabled: true },
    sshGateway: { enabled: true },
    openVsx: { url: "https://open-vsx.acme.dev" },
    installerConfig: {
      workspace: { maxLifetime: "12h", timeoutDefault: "60m", resources: { requests: { cpu: "2", memory: "4Gi" } } },
      containerRegistry: { privateBaseImageAllowList: ["harbor.acme.dev"] },
    },
  },
  scm: { providers: [{ id: "corp-gitlab", type: "GitLab", host: "gitlab.acme.dev", clientId: "gitpod" }] },
};

export interface ConfigVariant {
  /** Short, unique; used in test names. */
  readonly name: string;
  /** The configuration as a user writes it (before defaults); `domain` defaults to gitpod.acme.dev. */
  readonly input: Readonly<Record<string, unknown>>;
}

/** A config file as written, with the CA bundles it names (`<field>File`) read in, as the app reads it. */
function fromFile(relativePath: string): Record<string, unknown> {
  const input = parseYaml(fs.readFileSync(path.join(ROOT, relativePath), "utf8")) as Record<string, unknown>;
  for (const [section, field] of FILE_FIELDS) {
    const values = input[section] as Record<string, unknown> | undefined;
    const file = values?.[`${field}File`];
    if (typeof file !== "string") continue;
    const { [`${field}File`]: _, ...rest } = values!;
    input[section] = { ...rest, [field]: fs.readFileSync(path.join(ROOT, path.dirname(relativePath), file), "utf8") };
  }
  return input;
}

export const CONFIG_VARIANTS: readonly ConfigVariant[] = [
  {
    // The built-in defaults: in-cluster MySQL, MinIO and registry; a self-signed CA from cert-manager.
    name: "default in-cluster, self-signed TLS",
    input: {},
  },
  {
    name: "tls issuer (namespaced Issuer of an external group), named installation",
    input: {
      name: "acme",
      tls: { type: "issuer", issuerRef: { name: "corp-ca", kind: "Issuer", group: "awspca.cert-manager.io" } },
      gitpod: { namespace: "gitpod-prod", installTimeout: "20m" },
    },
  },
  {
    name: "tls issuer (ClusterIssuer), cert-manager from a chart mirror",
    input: {
      tls: { type: "issuer", issuerRef: { name: "letsencrypt-prod" }, certManager: { version: "v1.14.7", chartRepository: "https://charts.acme.dev/jetstack" } },
    },
  },
  {
    // docs/modes.md "In the cluster" and app.test.ts's unprotected volumes.
    name: "tls secret without cert-manager install, unprotected volumes on a StorageClass",
    input: {
      tls: { type: "secret", secretName: "gitpod-wildcard-tls", certManager: { install: false } },
      database: { type: "in-cluster", storageSize: "50Gi", storageClass: "gp3", deletionProtection: false },
      storage: { type: "in-cluster", storageSize: "500Gi", storageClass: "gp3", deletionProtection: false },
      registry: { type: "in-cluster", deletionProtection: false },
    },
  },
  {
    // docs/modes.md "Air-gapped clusters".
    name: "air-gapped mirror of every image",
    input: {
      gitpod: { repository: "registry.acme.dev/gitpod", dropImageRepo: true, installerImage: "registry.acme.dev/gitpod/installer:release-2022.11.3" },
      database: { type: "in-cluster", image: "registry.acme.dev/library/mysql:5.7.44" },
      storage: { type: "in-cluster", image: "registry.acme.dev/minio/minio:RELEASE.2025-04-22T22-12-26Z" },
      tls: { type: "self-signed", certManager: { chartRepository: "https://charts.acme.dev/jetstack" } },
    },
  },
  {
    // contract.test.ts / preflight/inputs.test.ts / docs/modes.md "Bring your own".
    name: "external endpoints with CA",
    input: {
      database: { type: "external", host: "mysql.acme.dev", port: 3307, username: "gitpod", caCertificate: PEM },
      storage: { type: "external", endpoint: "minio.acme.dev:9000", bucket: "gitpod", region: "eu-central-1", accessKeyId: "AKIAGITPOD", allowInsecureConnection: true },
      registry: { type: "external", url: "registry.acme.dev/gitpod", username: "robot" },
      scm: { providers: [{ id: "Public-GitHub", type: "GitHub", clientId: "abc" }, { id: "corp-gitlab", type: "GitLab", host: "gitlab.acme.dev", clientId: "def" }] },
      kubernetes: { configPath: "", context: "prod" },
      gitpod: { workspaceRuntime: { nodeOs: "amazon-linux" }, proxy: { serviceType: "ClusterIP" } },
      tls: { type: "self-signed", certManager: { install: false } },
    },
  },
  {
    // Gitpod's own registry with its blobs in S3 (Gitpod's AWS recommendation), the rest in the
    // cluster except object storage: only the MySQL chart in the in-cluster services stack.
    name: "in-cluster-s3 registry, in-cluster database, external storage",
    input: {
      aws: { region: "eu-west-1" },
      registry: { type: "s3" },
      storage: { type: "external", endpoint: "s3.acme.dev", bucket: "gitpod", accessKeyId: "a" },
    },
  },
  {
    // examples/bring-your-own: external MySQL, MinIO, Harbor, GitLab, an issuer with the corporate CA, a mirror with a login.
    name: "bring your own, corporate CA and mirror (examples/bring-your-own)",
    input: fromFile("examples/bring-your-own/gitpod-cdktf.yaml"),
  },
  {
    // examples/all-aws/gitpod-cdktf.yaml (docs/aws.md).
    name: "all-AWS: RDS + S3 + ECR + Route53 ACME (examples/all-aws)",
    input: fromFile("examples/all-aws/gitpod-cdktf.yaml"),
  },
  {
    // aws-terraform.integration.test.ts's second plan: RDS 5.7 with TLS, fast ECR refresh, staging ACME.
    name: "all-AWS variant: RDS 5.7 with CA, ECR every 6 hours, ACME staging, S3 state",
    input: {
      name: "gp-aws",
      aws: { ...AWS, tags: { team: "platform" } },
      database: { type: "rds", engineVersion: "5.7", caCertificate: PEM, allowedCidrBlocks: ["10.0.0.0/16"], finalSnapshot: false, backupRetentionDays: 14 },
      storage: { type: "s3", bucket: "acme-gitpod-objects" },
      registry: { type: "ecr", repositoryPrefix: "platform/gitpod", untaggedImageExpiryDays: 3, refreshIntervalHours: 6, awsCliImage: "registry.acme.dev/aws-cli:2.27.49" },
      tls: { type: "acme-route53", email: "ops@acme.dev", server: "staging", hostedZoneId: "Z0123456789ABCDEFGHIJ" },
      backend: { type: "s3", bucket: "acme-terraform-state", region: "eu-west-1" },
      // Everything third-party from a mirror with a login (the AWS CLI image overridden), charts
      // from an OCI registry, and external-dns keeping the records.
      mirror: { registry: "registry.acme.dev/mirror", username: "robot$gitpod", chartRepository: "oci://registry.acme.dev/charts" },
      dns: { type: "external-dns-route53", hostedZoneId: "Z0123456789ABCDEFGHIJ", policy: "sync" },
    },
  },
  {
    // The corporate installation of issue "what a Gitpod admin needs in production": sign-ups
    // limited, a workspace lifetime override, a private CA in issuer mode, a mirror with a login.
    name: "corporate: issuer with a private CA, mirror with login, sign-ups limited, installer config override",
    input: CORPORATE,
  },
  {
    // The self-signed CA and a private one: Gitpod trusts a bundle the release script makes.
    name: "self-signed with a private CA too, anonymous mirror",
    input: { tls: { type: "self-signed", caCertificate: PEM }, mirror: { registry: "mirror.acme.dev:5000" } },
  },
  {
    // bench/largest.yaml: every stack, the most resources, Terraform Cloud with its bootstrap.
    name: "largest (bench/largest.yaml)",
    input: fromFile("bench/largest.yaml"),
  },
];

/** A variant's validated configuration. */
export function variantConfig(variant: ConfigVariant): GitpodCdktfConfig {
  return config({ ...variant.input });
}

/** The sections whose `type` picks a mode. */
export const MODE_SECTIONS = ["database", "storage", "registry", "tls", "dns"] as const;
export type ModeSection = (typeof MODE_SECTIONS)[number];

/** The modes (`type` values) the config schema accepts for a section, read from the schema itself. */
export function configModes(section: ModeSection): string[] {
  const topLevel = findEntries(configSchema as unknown as SchemaNode);
  if (!topLevel?.[section]) throw new Error(`config schema: no section ${section}`);
  const modes = new Set<string>();
  collectVariantTypes(topLevel[section], modes, new Set());
  if (modes.size === 0) throw new Error(`config schema: no "type" variants found under ${section}`);
  return [...modes].sort();
}

/** The modes the variants use, per section. */
export function coveredModes(configs: readonly GitpodCdktfConfig[]): Record<ModeSection, string[]> {
  return Object.fromEntries(MODE_SECTIONS.map((section) => [section, [...new Set(configs.map((c) => c[section].type))].sort()])) as Record<
    ModeSection,
    string[]
  >;
}

// valibot 1.x schemas are plain objects: objects have `entries`, variants `key` + `options`,
// wrappers (`optional`...) `wrapped`, pipes `pipe`.
type SchemaNode = {
  readonly type?: string;
  readonly key?: string;
  readonly entries?: Readonly<Record<string, SchemaNode>>;
  readonly options?: readonly SchemaNode[];
  readonly wrapped?: SchemaNode;
  readonly pipe?: readonly SchemaNode[];
};

function findEntries(node: SchemaNode): Readonly<Record<string, SchemaNode>> | undefined {
  if (node.entries) return node.entries;
  for (const child of [node.wrapped, ...(node.pipe ?? [])]) {
    if (child && child !== node) {
      const found = findEntries(child);
      if (found) return found;
    }
  }
  return undefined;
}

function collectVariantTypes(node: SchemaNode | undefined, into: Set<string>, seen: Set<SchemaNode>): void {
  if (!node || typeof node !== "object" || seen.has(node)) return;
  seen.add(node);
  if (node.type === "variant" && node.key === "type") {
    for (const option of node.options ?? []) {
      const literal = (option.entries?.type as { literal?: unknown } | undefined)?.literal;
      if (typeof literal === "string") into.add(literal);
      else collectVariantTypes(option, into, seen);
    }
    return;
  }
  for (const child of [node.wrapped, ...(node.pipe ?? []), ...(node.options ?? [])]) collectVariantTypes(child, into, seen);
}
