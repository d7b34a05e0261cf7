import * as fs from "fs";
import * as path from "path";
import { App } from "cdktf";
import { SENSITIVE_VARIABLES, type GitpodCdktfConfig, type TlsConfig } from "../config/schema";
import { externalContainerRegistry } from "../modules/external/container-registry";
import { externalMysqlDatabase } from "../modules/external/mysql-database";
import { externalS3Storage } from "../modules/external/s3-storage";
import type { GitpodContainerRegistry, GitpodDatabase, GitpodObjectStorage } from "../modules/gitpod/dependencies";
import {
  existingCertificateSecret,
  issuedCertificate,
  selfSignedCertificate,
  type CertificateSource,
} from "../modules/tls/gitpod-certificate";
import { ClusterPrerequisitesStack } from "./cluster-prerequisites-stack";
import { GitpodReleaseStack, sensitiveVariable, type DependencySource } from "./gitpod-release-stack";
import { InClusterServicesStack } from "./in-cluster-services-stack";
import { InstallationSecretsStack } from "./installation-secrets-stack";

/** The concern of each stack; a stack's id is `<name>-<concern>`. */
export const STACK_CONCERNS = {
  secrets: "installation-secrets",
  cluster: "cluster-prerequisites",
  services: "in-cluster-services",
  release: "release",
} as const;

export interface GitpodStacks {
  readonly secrets: InstallationSecretsStack;
  readonly cluster: ClusterPrerequisitesStack;
  /** Only when some dependency is provided in the cluster. */
  readonly services?: InClusterServicesStack;
  readonly release: GitpodReleaseStack;
}

/**
 * Composes the stacks for one configuration. Stacks exchange values only through references
 * (cdktf turns them into outputs and remote state), so each depends on exactly the stacks whose
 * values it uses.
 */
export function buildGitpodStacks(app: App, config: GitpodCdktfConfig): GitpodStacks {
  const stackId = (concern: string) => `${config.name}-${concern}`;
  const { backend, kubernetes: cluster } = config;
  const inCluster = {
    database: config.database.type === "in-cluster" ? config.database : undefined,
    storage: config.storage.type === "in-cluster" ? config.storage : undefined,
  };
  const inClusterVolumesProtected =
    inCluster.database?.deletionProtection === true ||
    inCluster.storage?.deletionProtection === true ||
    (config.registry.type === "in-cluster" && config.registry.deletionProtection);

  const secrets = new InstallationSecretsStack(app, stackId(STACK_CONCERNS.secrets), {
    backend,
    deletionProtection: config.database.deletionProtection,
  });
  const clusterStack = new ClusterPrerequisitesStack(app, stackId(STACK_CONCERNS.cluster), {
    backend,
    cluster,
    certManager: config.tls.certManager,
    gitpodNamespace: config.gitpod.namespace,
    protectNamespace: inClusterVolumesProtected,
  });
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

  const release = new GitpodReleaseStack(app, stackId(STACK_CONCERNS.release), {
    backend,
    cluster,
    namePrefix: config.name,
    domain: config.domain,
    gitpod: config.gitpod,
    namespace: clusterStack.gitpodNamespace,
    encryptionKeys: secrets.encryptionKeys,
    database: databaseSource(config, services),
    objectStorage: objectStorageSource(config, services),
    containerRegistry: containerRegistrySource(config),
    certificate: certificateSource(config.tls, config),
    scmProviders: config.scm.providers,
    keepVolumesOnUninstall: config.registry.type === "in-cluster" && config.registry.deletionProtection,
  });
  return { secrets, cluster: clusterStack, services, release };
}

// One case per way of providing a dependency. Values of other stacks cross as remote state;
// sensitive inputs of external endpoints are variables of the release stack.

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} was not created`);
  return value;
}

function databaseSource(config: GitpodCdktfConfig, services?: InClusterServicesStack): DependencySource<GitpodDatabase> {
  const database = config.database;
  switch (database.type) {
    case "in-cluster":
      return () => required(services?.database, "in-cluster database");
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

function objectStorageSource(config: GitpodCdktfConfig, services?: InClusterServicesStack): DependencySource<GitpodObjectStorage> {
  const storage = config.storage;
  switch (storage.type) {
    case "in-cluster":
      return () => required(services?.objectStorage, "in-cluster object storage");
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

function containerRegistrySource(config: GitpodCdktfConfig): DependencySource<GitpodContainerRegistry> {
  const registry = config.registry;
  switch (registry.type) {
    case "in-cluster":
      return () => ({ kind: "in-cluster" });
    case "external":
      return (scope) =>
        externalContainerRegistry({
          url: registry.url,
          username: registry.username,
          password: sensitiveVariable(scope, SENSITIVE_VARIABLES.registryPassword, `Password of ${registry.username} at ${registry.url}`),
        });
  }
}

function certificateSource(tls: TlsConfig, config: GitpodCdktfConfig): CertificateSource {
  switch (tls.type) {
    case "self-signed":
      return selfSignedCertificate({ domain: config.domain, namePrefix: config.name });
    case "issuer":
      return issuedCertificate({ domain: config.domain, issuerRef: tls.issuerRef });
    case "secret":
      return existingCertificateSecret({ secretName: tls.secretName });
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
