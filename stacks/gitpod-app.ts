import * as fs from "fs";
import * as path from "path";
import { App, type TerraformStack } from "cdktf";
import { ACME_SERVERS, SENSITIVE_VARIABLES, usesAwsServices, type GitpodCdktfConfig } from "../config/schema";
import { EcrCredentialRefresher } from "../modules/ecr-credentials/ecr-credential-refresher";
import { externalContainerRegistry } from "../modules/external/container-registry";
import { externalMysqlDatabase } from "../modules/external/mysql-database";
import { externalS3Storage } from "../modules/external/s3-storage";
import type { GitpodContainerRegistry, GitpodDatabase, GitpodObjectStorage } from "../modules/gitpod/dependencies";
import { AcmeRoute53Issuer } from "../modules/tls/acme-route53-issuer";
import {
  existingCertificateSecret,
  issuedCertificate,
  selfSignedCertificate,
  type CertificateSource,
} from "../modules/tls/gitpod-certificate";
import { AwsServicesStack } from "./aws-services-stack";
import { ClusterPrerequisitesStack } from "./cluster-prerequisites-stack";
import { GitpodReleaseStack, type DependencySource } from "./gitpod-release-stack";
import { required, sensitiveVariable } from "./gitpod-stack";
import { InClusterServicesStack } from "./in-cluster-services-stack";
import { InstallationSecretsStack } from "./installation-secrets-stack";
import { TerraformCloudBootstrapStack } from "./terraform-cloud-bootstrap-stack";

/** The concern of each stack; a stack's id is `<name>-<concern>`. */
export const STACK_CONCERNS = {
  secrets: "installation-secrets",
  cluster: "cluster-prerequisites",
  services: "in-cluster-services",
  aws: "aws-services",
  release: "release",
  terraformCloud: "terraform-cloud",
} as const;

/** The stacks that provide dependencies, for the sources below. */
interface Providers {
  readonly services?: InClusterServicesStack;
  readonly aws?: AwsServicesStack;
}

/**
 * Composes the stacks for one configuration. Stacks exchange values only through references
 * (cdktf turns them into outputs and remote state), so each depends on exactly the stacks whose
 * values it uses.
 */
function buildGitpodStacks(app: App, config: GitpodCdktfConfig): void {
  const stackId = (concern: string) => `${config.name}-${concern}`;
  const { backend, kubernetes: cluster } = config;
  const { database, storage, registry, tls } = config;
  const inCluster = {
    database: database.type === "in-cluster" ? database : undefined,
    storage: storage.type === "in-cluster" ? storage : undefined,
  };
  // Gitpod's own registry volume, kept when the release is uninstalled.
  const registryVolumeProtected = registry.type === "in-cluster" && registry.deletionProtection;
  const inClusterVolumesProtected =
    inCluster.database?.deletionProtection === true || inCluster.storage?.deletionProtection === true || registryVolumeProtected;

  const secrets = new InstallationSecretsStack(app, stackId(STACK_CONCERNS.secrets), {
    backend,
    deletionProtection: database.deletionProtection,
    rdsMasterPassword: database.type === "rds",
  });
  const clusterStack = new ClusterPrerequisitesStack(app, stackId(STACK_CONCERNS.cluster), {
    backend,
    cluster,
    certManager: tls.certManager,
    gitpodNamespace: config.gitpod.namespace,
    protectNamespace: inClusterVolumesProtected,
  });
  // Only when some dependency is provided in the cluster.
  const services =
    inCluster.database || inCluster.storage
      ? new InClusterServicesStack(app, stackId(STACK_CONCERNS.services), {
          backend,
          cluster,
          namespace: clusterStack.gitpodNamespace,
          namePrefix: config.name,
          ...inCluster,
        })
      : undefined;
  // An `aws` section alone (modes switched back to in-cluster) makes no empty stack.
  const aws =
    config.aws && usesAwsServices(config)
      ? new AwsServicesStack(app, stackId(STACK_CONCERNS.aws), {
          backend,
          aws: config.aws,
          namePrefix: config.name,
          domain: config.domain,
          gitpodNamespace: config.gitpod.namespace,
          database: database.type === "rds" ? { ...database, password: required(secrets.rdsMasterPassword, "RDS master password") } : undefined,
          storage: storage.type === "s3" ? storage : undefined,
          registry: registry.type === "s3" || registry.type === "ecr" ? registry : undefined,
          acme: tls.type === "acme-route53" ? { hostedZoneId: tls.hostedZoneId, certManagerNamespace: tls.certManager.namespace } : undefined,
        })
      : undefined;

  const providers: Providers = { services, aws };
  const release = new GitpodReleaseStack(app, stackId(STACK_CONCERNS.release), {
    backend,
    cluster,
    namePrefix: config.name,
    domain: config.domain,
    gitpod: config.gitpod,
    namespace: clusterStack.gitpodNamespace,
    encryptionKeys: secrets.encryptionKeys,
    database: databaseSource(config, providers),
    objectStorage: objectStorageSource(config, providers),
    containerRegistry: containerRegistrySource(config, providers),
    certificate: certificateSource(config, providers),
    scmProviders: config.scm.providers,
    keepVolumesOnUninstall: registryVolumeProtected,
  });

  if (backend.type === "cloud" && backend.bootstrap) {
    new TerraformCloudBootstrapStack(app, stackId(STACK_CONCERNS.terraformCloud), {
      backend,
      bootstrap: backend.bootstrap,
      namePrefix: config.name,
      // Created last: it reads the others' dependencies when cdktf prepares it.
      stacks: [secrets, clusterStack, services, aws, release].filter((stack): stack is TerraformStack => stack !== undefined),
    });
  }
}

// One case per way of providing a dependency. Values of other stacks cross as remote state;
// sensitive inputs of external endpoints are variables of the release stack.

function databaseSource(config: GitpodCdktfConfig, { services, aws }: Providers): DependencySource<GitpodDatabase> {
  const database = config.database;
  switch (database.type) {
    case "in-cluster":
      return () => required(services?.database, "in-cluster database");
    case "rds":
      return () => required(aws?.database, "RDS database");
    case "external":
      return (scope) =>
        externalMysqlDatabase({
          host: database.host,
          port: database.port,
          username: database.username,
          password: sensitiveVariable(scope, SENSITIVE_VARIABLES.databasePassword, `Password of MySQL user ${database.username} at ${database.host}`),
          caCertificate: database.caCertificate,
        });
  }
}

function objectStorageSource(config: GitpodCdktfConfig, { services, aws }: Providers): DependencySource<GitpodObjectStorage> {
  const storage = config.storage;
  switch (storage.type) {
    case "in-cluster":
      return () => required(services?.objectStorage, "in-cluster object storage");
    case "s3":
      return () => required(aws?.objectStorage, "S3 object storage");
    case "external":
      return (scope) =>
        externalS3Storage({
          endpoint: storage.endpoint,
          region: storage.region,
          bucket: storage.bucket,
          accessKeyId: storage.accessKeyId,
          secretAccessKey: sensitiveVariable(scope, SENSITIVE_VARIABLES.storageSecretAccessKey, `Secret access key of ${storage.accessKeyId} at ${storage.endpoint}`),
          allowInsecureConnection: storage.allowInsecureConnection,
        });
  }
}

function containerRegistrySource(config: GitpodCdktfConfig, { aws }: Providers): DependencySource<GitpodContainerRegistry> {
  const registry = config.registry;
  switch (registry.type) {
    case "in-cluster":
      return () => ({ kind: "in-cluster" });
    case "s3":
      return () => required(aws?.registryStorage, "S3 registry storage");
    case "ecr":
      return (scope, { namespace, gitpod }) => {
        const ecr = required(aws?.ecr, "ECR registry");
        const refresher = new EcrCredentialRefresher(scope, "ecr-credentials", {
          namespace,
          namePrefix: config.name,
          registryServer: ecr.server,
          region: required(config.aws, "aws").region,
          roleArn: ecr.role.arn,
          awsCliImage: registry.awsCliImage,
          // Gitpod's installer image has kubectl, and is mirrored with the rest of Gitpod.
          kubectlImage: gitpod.installerImage,
          intervalHours: registry.refreshIntervalHours,
        });
        return { kind: "external", url: ecr.url, auth: { existingSecretName: refresher.secretName }, prerequisites: [refresher.workloads.release] };
      };
    case "external":
      return (scope) =>
        externalContainerRegistry({
          url: registry.url,
          username: registry.username,
          password: sensitiveVariable(scope, SENSITIVE_VARIABLES.registryPassword, `Password of ${registry.username} at ${registry.url}`),
        });
  }
}

function certificateSource(config: GitpodCdktfConfig, { aws }: Providers): DependencySource<CertificateSource> {
  const tls = config.tls;
  switch (tls.type) {
    case "self-signed":
      return () => selfSignedCertificate({ domain: config.domain, namePrefix: config.name });
    case "issuer":
      return () => issuedCertificate({ domain: config.domain, issuerRef: tls.issuerRef });
    case "secret":
      return () => existingCertificateSecret({ secretName: tls.secretName });
    case "acme-route53":
      return (scope) =>
        new AcmeRoute53Issuer(scope, "acme-issuer", {
          namePrefix: config.name,
          domain: config.domain,
          email: tls.email,
          server: tls.server === "production" || tls.server === "staging" ? ACME_SERVERS[tls.server] : tls.server,
          region: required(config.aws, "aws").region,
          hostedZoneId: tls.hostedZoneId,
          roleArn: required(aws?.acmeRoleArn, "ACME DNS01 role"),
          certManagerNamespace: tls.certManager.namespace,
          certManagerServiceAccount: tls.certManager.serviceAccount,
        }).certificate;
  }
}

export interface SynthesizeOptions {
  /** Output folder; default cdktf.out (or $CDKTF_OUTDIR when run by the cdktf CLI). */
  readonly outdir?: string;
}

/**
 * Synthesizes the app. Stack folders left from an earlier configuration are removed, as the cdktf
 * CLI does, so pipelines that read cdktf.out/stacks/* never see a stack that no longer exists.
 */
export function synthesize(config: GitpodCdktfConfig, options: SynthesizeOptions = {}): { outdir: string; stackIds: string[] } {
  const app = new App({ outdir: options.outdir });
  buildGitpodStacks(app, config);
  app.synth();
  const stackIds = app.node.children.map((child) => child.node.id);
  const stacksDir = path.join(app.outdir, "stacks");
  for (const entry of fs.readdirSync(stacksDir)) {
    if (!stackIds.includes(entry)) fs.rmSync(path.join(stacksDir, entry), { recursive: true, force: true });
  }
  return { outdir: app.outdir, stackIds };
}
