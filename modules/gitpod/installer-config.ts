/**
 * Gitpod's installer configuration (`gitpod.config.yaml`, apiVersion v1), generated from typed code.
 *
 * Field names follow install/installer/pkg/config/v1/config.go at tag 2022.11.3. The installer parses
 * the file strictly (an unknown key is an error) over its defaults, so only fields this project
 * decides are written; everything else keeps the installer's default.
 */
import { plainYaml } from "../yaml/plain-yaml";
import type { GitpodContainerRegistry } from "./dependencies";

export interface ObjectRef {
  readonly kind: "secret";
  readonly name: string;
}

export type FsShiftMethod = "fuse" | "shiftfs";
export type ProxyServiceType = "LoadBalancer" | "ClusterIP" | "NodePort";

export interface WorkspaceRuntime {
  readonly fsShiftMethod: FsShiftMethod;
  readonly containerdRuntimeDir: string;
  readonly containerdSocket: string;
}

type InstallerContainerRegistry =
  | {
      readonly inCluster: true;
      readonly s3storage?: { readonly bucket: string; readonly region: string; readonly endpoint: string; readonly certificate: ObjectRef };
      readonly privateBaseImageAllowList: readonly string[];
    }
  | {
      readonly inCluster: false;
      readonly external: { readonly url: string; readonly certificate: ObjectRef };
      readonly privateBaseImageAllowList: readonly string[];
    };

/** The subset of config.go's `Config` this project writes. */
export interface InstallerConfig {
  readonly apiVersion: "v1";
  readonly kind: "Full";
  readonly domain: string;
  readonly metadata: { readonly region: string };
  readonly repository: string;
  readonly dropImageRepo?: boolean;
  readonly observability: { readonly logLevel: "info" };
  readonly certificate: ObjectRef;
  readonly customCACert?: ObjectRef;
  readonly database: {
    // The installer defaults inCluster to true and checks it first: external use must say false.
    readonly inCluster: false;
    readonly external: { readonly certificate: ObjectRef };
    readonly ssl?: { readonly caCert: ObjectRef };
  };
  readonly objectStorage: {
    readonly inCluster: false;
    readonly s3: {
      readonly endpoint: string;
      readonly bucket?: string;
      readonly credentials: ObjectRef;
      readonly allowInsecureConnection: boolean;
    };
  };
  readonly containerRegistry: InstallerContainerRegistry;
  readonly workspace: { readonly runtime: WorkspaceRuntime };
  readonly authProviders: readonly ObjectRef[];
  readonly components: { readonly proxy: { readonly service: { readonly serviceType: ProxyServiceType } } };
  /** Only rendered with `installer render --use-experimental-config`. */
  readonly experimental?: { readonly webapp: { readonly proxy: { readonly serviceAnnotations: Readonly<Record<string, string>> } } };
}

/** Names of the secrets GitpodInstallation creates; the config refers to them. */
export interface InstallerSecretNames {
  readonly database: string;
  readonly databaseCa?: string;
  readonly objectStorage: string;
  /** The S3 credentials of the in-cluster registry, or the external registry's `.dockerconfigjson`. */
  readonly containerRegistry?: string;
  readonly authProviders: readonly string[];
}

export interface InstallerConfigInput {
  readonly domain: string;
  readonly repository: string;
  readonly dropImageRepo: boolean;
  readonly workspaceRuntime: WorkspaceRuntime;
  readonly proxyServiceType: ProxyServiceType;
  readonly proxyServiceAnnotations: Readonly<Record<string, string>>;
  readonly objectStorage: { readonly endpoint: string; readonly region: string; readonly bucket?: string; readonly allowInsecureConnection: boolean };
  readonly containerRegistry: GitpodContainerRegistry;
  readonly certificateSecret: string;
  readonly customCaSecret?: string;
  readonly secrets: InstallerSecretNames;
}

const secretRef = (name: string): ObjectRef => ({ kind: "secret", name });

function containerRegistryConfig(registry: GitpodContainerRegistry, secretName: string | undefined): InstallerContainerRegistry {
  const requireSecret = () => {
    if (secretName === undefined) throw new Error(`container registry "${registry.kind}" needs a credentials secret`);
    return secretRef(secretName);
  };
  switch (registry.kind) {
    case "in-cluster":
      return { inCluster: true, privateBaseImageAllowList: [] };
    case "in-cluster-s3":
      return {
        inCluster: true,
        s3storage: { bucket: registry.bucket, region: registry.region, endpoint: registry.endpoint, certificate: requireSecret() },
        privateBaseImageAllowList: [],
      };
    case "external":
      return { inCluster: false, external: { url: registry.url, certificate: requireSecret() }, privateBaseImageAllowList: [] };
  }
}

export function buildInstallerConfig(input: InstallerConfigInput): InstallerConfig {
  const annotations = input.proxyServiceAnnotations;
  const { bucket, endpoint, allowInsecureConnection, region } = input.objectStorage;
  return {
    apiVersion: "v1",
    kind: "Full",
    domain: input.domain,
    metadata: { region },
    repository: input.repository,
    ...(input.dropImageRepo ? { dropImageRepo: true } : {}),
    observability: { logLevel: "info" },
    certificate: secretRef(input.certificateSecret),
    ...(input.customCaSecret === undefined ? {} : { customCACert: secretRef(input.customCaSecret) }),
    database: {
      inCluster: false,
      external: { certificate: secretRef(input.secrets.database) },
      ...(input.secrets.databaseCa === undefined ? {} : { ssl: { caCert: secretRef(input.secrets.databaseCa) } }),
    },
    objectStorage: {
      inCluster: false,
      s3: {
        endpoint,
        ...(bucket === undefined ? {} : { bucket }),
        credentials: secretRef(input.secrets.objectStorage),
        allowInsecureConnection,
      },
    },
    containerRegistry: containerRegistryConfig(input.containerRegistry, input.secrets.containerRegistry),
    workspace: { runtime: input.workspaceRuntime },
    authProviders: input.secrets.authProviders.map(secretRef),
    components: { proxy: { service: { serviceType: input.proxyServiceType } } },
    ...(Object.keys(annotations).length === 0
      ? {}
      : { experimental: { webapp: { proxy: { serviceAnnotations: annotations } } } }),
  };
}

/** True when the config has an `experimental` section, which render drops without the flag. */
export function needsExperimentalConfig(config: InstallerConfig): boolean {
  return config.experimental !== undefined;
}

export function installerConfigYaml(config: InstallerConfig): string {
  // Each field spelled out, as the installer documents it.
  return plainYaml(config);
}
