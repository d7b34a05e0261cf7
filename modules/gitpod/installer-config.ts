/**
 * Gitpod's installer configuration (`gitpod.config.yaml`, apiVersion v1), generated from typed code.
 *
 * Field names follow install/installer/pkg/config/v1/config.go at tag 2022.11.3. The installer parses
 * the file strictly (an unknown key is an error) over its defaults, so only fields this project
 * decides are written, then the user's `gitpod.installerConfig` over them (checked against the
 * installer's fields when the config is loaded, config/installer-fields.ts); everything else keeps
 * the installer's default.
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
  readonly imagePullSecrets?: readonly ObjectRef[];
  readonly blockNewUsers?: { readonly enabled: boolean; readonly passlist: readonly string[] };
  readonly license?: ObjectRef;
  readonly sshGatewayHostKey?: ObjectRef;
  readonly openVSX?: { readonly url: string };
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
  readonly license?: string;
  readonly sshGatewayHostKey?: string;
  /** Pull secrets of Gitpod's pods (a mirror's login). */
  readonly imagePullSecrets?: readonly string[];
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
  /** E-mail domains whose users may still sign up; undefined: anyone may. */
  readonly signUpPasslist?: readonly string[];
  readonly openVsxUrl?: string;
  /** Deep-merged over the rest (mergeInstallerConfig); checked against the installer's fields before. */
  readonly override?: Readonly<Record<string, unknown>>;
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
  const { secrets } = input;
  const optional = <T>(value: T | undefined, field: (value: T) => object) => (value === undefined ? {} : field(value));
  const generated: InstallerConfig = {
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
    authProviders: secrets.authProviders.map(secretRef),
    ...(secrets.imagePullSecrets === undefined || secrets.imagePullSecrets.length === 0 ? {} : { imagePullSecrets: secrets.imagePullSecrets.map(secretRef) }),
    ...optional(input.signUpPasslist, (passlist) => ({ blockNewUsers: { enabled: true, passlist } })),
    ...optional(secrets.license, (name) => ({ license: secretRef(name) })),
    ...optional(secrets.sshGatewayHostKey, (name) => ({ sshGatewayHostKey: secretRef(name) })),
    ...optional(input.openVsxUrl, (url) => ({ openVSX: { url } })),
    components: { proxy: { service: { serviceType: input.proxyServiceType } } },
    ...(Object.keys(annotations).length === 0
      ? {}
      : { experimental: { webapp: { proxy: { serviceAnnotations: annotations } } } }),
  };
  return input.override === undefined ? generated : mergeInstallerConfig(generated, input.override);
}

const isPlainObject = (value: unknown): value is Readonly<Record<string, unknown>> => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
};

/**
 * `override` laid over `base`, the way the installer lays its config file over its defaults: the
 * installer (pkg/config/loader.go) turns the YAML into JSON and decodes it with encoding/json into
 * the struct already holding the defaults, which keeps every struct field the file leaves out and
 * every map entry it does not name, and replaces lists and scalars. Here mappings merge recursively,
 * lists and scalars replace. (Go replaces a named map entry whole where this merges it; the two
 * differ only for maps of mappings, which the project never writes into the base.)
 *
 * Neither input is changed; the result shares untouched values with them (base values that are not
 * plain objects, Terraform tokens say, are kept as they are), so treat it as read-only.
 */
export function mergeInstallerConfig<T extends object>(base: T, override: Readonly<Record<string, unknown>>): T {
  const merged: Record<string, unknown> = {};
  // defineProperty: a "__proto__" key from YAML stays a plain key instead of replacing the prototype.
  const set = (key: string, value: unknown) => Object.defineProperty(merged, key, { value, enumerable: true, writable: true, configurable: true });
  for (const [key, value] of Object.entries(base)) set(key, value);
  for (const [key, value] of Object.entries(override)) {
    if (value === undefined) continue;
    const current = Object.hasOwn(merged, key) ? merged[key] : undefined;
    set(key, isPlainObject(current) && isPlainObject(value) ? mergeInstallerConfig(current, value) : value);
  }
  return merged as T;
}
/** True when the config has an `experimental` section, which render drops without the flag. */
export function needsExperimentalConfig(config: InstallerConfig): boolean {
  return config.experimental !== undefined;
}

export function installerConfigYaml(config: InstallerConfig): string {
  // Each field spelled out, as the installer documents it.
  return plainYaml(config);
}
