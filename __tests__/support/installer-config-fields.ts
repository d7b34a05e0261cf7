/**
 * The field tree of Gitpod's installer config, from install/installer/pkg/config/v1/config.go and
 * experimental/experimental.go at tag 2022.11.3 (JSON tags). The installer parses strictly: a key
 * not in this tree fails the install. `true` marks a leaf; MAP marks a free-form map.
 */
export const MAP = Symbol("map");
type FieldTree = { readonly [field: string]: FieldTree | true | typeof MAP | readonly [FieldTree] };

const OBJECT_REF: FieldTree = { kind: true, name: true };
const RESOURCES: FieldTree = { requests: MAP, limits: MAP };
const PVC: FieldTree = { size: true, storageClass: true, snapshotClass: true };

export const INSTALLER_CONFIG_FIELDS: FieldTree = {
  apiVersion: true, // stripped by the loader (pkg/config/loader.go) before strict parsing
  kind: true,
  domain: true,
  metadata: { region: true, shortname: true },
  repository: true,
  observability: { logLevel: true, tracing: { endpoint: true, agentHost: true, secretName: true } },
  analytics: { segmentKey: true, writer: true },
  database: {
    inCluster: true,
    external: { certificate: OBJECT_REF },
    cloudSQL: { serviceAccount: OBJECT_REF, instance: true },
    ssl: { caCert: OBJECT_REF },
  },
  objectStorage: {
    inCluster: true,
    s3: { endpoint: true, credentials: OBJECT_REF, bucket: true, allowInsecureConnection: true },
    cloudStorage: { serviceAccount: OBJECT_REF, project: true },
    azure: { credentials: OBJECT_REF },
    maximumBackupCount: true,
    blobQuota: true,
    resources: RESOURCES,
  },
  containerRegistry: {
    inCluster: true,
    external: { url: true, certificate: OBJECT_REF },
    s3storage: { bucket: true, region: true, endpoint: true, certificate: OBJECT_REF },
    privateBaseImageAllowList: true,
  },
  certificate: OBJECT_REF,
  httpProxy: OBJECT_REF,
  imagePullSecrets: [OBJECT_REF],
  workspace: {
    runtime: { fsShiftMethod: true, containerdRuntimeDir: true, containerdSocket: true },
    resources: RESOURCES,
    templates: { default: MAP, prebuild: MAP, imagebuild: MAP, regular: MAP },
    prebuildPVC: PVC,
    pvc: PVC,
    maxLifetime: true,
    timeoutDefault: true,
    timeoutExtended: true,
    timeoutAfterClose: true,
    workspaceImage: true,
  },
  openVSX: { url: true, proxy: { disablePVC: true } },
  authProviders: [OBJECT_REF],
  blockNewUsers: { enabled: true, passlist: true },
  license: OBJECT_REF,
  sshGatewayHostKey: OBJECT_REF,
  disableDefinitelyGp: true,
  customCACert: OBJECT_REF,
  dropImageRepo: true,
  customization: MAP,
  components: { proxy: { service: { serviceType: true } } },
  experimental: {
    workspace: MAP,
    webapp: { proxy: { staticIP: true, serviceAnnotations: MAP, serviceType: true, configcat: MAP }, server: MAP, publicApi: MAP },
    ide: MAP,
    common: MAP,
    telemetry: MAP,
    agentSmith: MAP,
  },
};

/** Paths of keys in `value` that config.go does not define, e.g. ["database.exernal"]. */
export function unknownInstallerConfigFields(value: unknown, tree: FieldTree = INSTALLER_CONFIG_FIELDS, at = ""): string[] {
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) => {
    const path = at ? `${at}.${key}` : key;
    const spec = tree[key];
    if (spec === undefined) return [path];
    if (spec === true || spec === MAP) return [];
    if (Array.isArray(spec)) {
      return Array.isArray(child) ? child.flatMap((item, i) => unknownInstallerConfigFields(item, spec[0], `${path}[${i}]`)) : [path];
    }
    return unknownInstallerConfigFields(child, spec as FieldTree, path);
  });
}
