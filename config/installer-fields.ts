/**
 * Every field of Gitpod's installer config (`gitpod.config.yaml`, apiVersion v1) at 2022.11.3, with
 * the type of each leaf, and the check of `gitpod.installerConfig`, the user's overlay onto the
 * config this project generates (docs/gitpod-installer.md, "Overriding the installer config").
 *
 * Transcribed by hand from the Go structs of the installer's config package (v1 and v1/experimental)
 * and the types they reference (agent-smith's config, ws-daemon's cpulimit.Bucket, common-go's
 * util.Duration and grpc.RateLimit, gitpod-db's DefaultSpendingLimit), by their JSON keys. The
 * installer decodes strictly: a key it does not know fails the install, after Terraform has applied
 * everything else, so a mistake is cheaper to catch here. Plain TypeScript, no schema library: the
 * config schema calls in from a valibot check.
 */
import { editDistance } from "./edit-distance";

export const INSTALLER_CONFIG_VERSION = "2022.11.3";

/**
 * What a leaf holds. `integer` carries Go's range (int32, uint, ...); `opaque` is a Kubernetes core
 * type this project does not model (a Pod template, EnvVar, ResourceRequirements, ObjectMeta): any
 * value is accepted and Kubernetes' own decoding judges it.
 */
export type InstallerLeafKind = "string" | "boolean" | "integer" | "number" | "duration" | "quantity" | "timestamp" | "opaque";

export interface StringField {
  readonly kind: "string";
  /** The values the installer's validation accepts. */
  readonly values?: readonly string[];
  /** A format Go's decoding or the installer's validation enforces, and how to describe it. */
  readonly format?: { readonly pattern: RegExp; readonly expected: string };
}
export interface IntegerField {
  readonly kind: "integer";
  readonly min: number;
  readonly max: number;
  /** The range in words, e.g. "from 0 to 4294967295". */
  readonly range: string;
}
export interface ScalarField {
  readonly kind: "boolean" | "number" | "duration" | "quantity" | "timestamp";
}
export interface OpaqueField {
  readonly kind: "opaque";
  /** The Go type, for messages and readers. */
  readonly type: string;
}
export interface ObjectField {
  readonly kind: "object";
  readonly fields: Readonly<Record<string, InstallerField>>;
  /**
   * Keys the installer requires once the object is given at all. Checked on the override alone: the
   * project writes none of the objects that have some.
   */
  readonly required?: readonly string[];
  /** Rules across the object's fields; problems have paths relative to the object. */
  readonly check?: (given: Readonly<Record<string, unknown>>) => readonly InstallerConfigProblem[];
}
/** Go's map[string]X: any key. */
export interface MapField {
  readonly kind: "map";
  readonly of: InstallerField;
}
/** A Go slice. */
export interface ListField {
  readonly kind: "list";
  readonly of: InstallerField;
}
export type InstallerField = StringField | IntegerField | ScalarField | OpaqueField | ObjectField | MapField | ListField;

export interface InstallerConfigProblem {
  /** Keys and list indices from the root of the override. */
  readonly path: readonly (string | number)[];
  /** Lower-case start; names types, never the value given (it may be a secret). */
  readonly message: string;
}

// ---- Leaf and node constructors --------------------------------------------------------------

const string = (values?: readonly string[]): StringField => (values === undefined ? { kind: "string" } : { kind: "string", values });
const formatted = (pattern: RegExp, expected: string): StringField => ({ kind: "string", format: { pattern, expected } });
const boolean: ScalarField = { kind: "boolean" };
const number: ScalarField = { kind: "number" };
const duration: ScalarField = { kind: "duration" };
const quantity: ScalarField = { kind: "quantity" };
const timestamp: ScalarField = { kind: "timestamp" };
const opaque = (type: string): OpaqueField => ({ kind: "opaque", type });
const object = (fields: Record<string, InstallerField>, extra: Pick<ObjectField, "required" | "check"> = {}): ObjectField => ({ kind: "object", fields, ...extra });
const mapOf = (of: InstallerField): MapField => ({ kind: "map", of });
const listOf = (of: InstallerField): ListField => ({ kind: "list", of });

// Go's integer types, by the range its JSON decoding accepts (Go's int is 64 bits on the platforms
// the installer ships for). Beyond 2^53 JavaScript numbers are not exact; the bound is what matters.
const int32: IntegerField = { kind: "integer", min: -(2 ** 31), max: 2 ** 31 - 1, range: "from -2147483648 to 2147483647" };
const uint32: IntegerField = { kind: "integer", min: 0, max: 2 ** 32 - 1, range: "from 0 to 4294967295" };
const int64: IntegerField = { kind: "integer", min: -(2 ** 63), max: 2 ** 63 - 1, range: "that fits in 64 bits" };
const uint64: IntegerField = { kind: "integer", min: 0, max: 2 ** 64 - 1, range: "from 0 that fits in 64 bits" };
const stringList = listOf(string());
const stringMap = mapOf(string());

/** Kubernetes resource names and amounts (corev1.ResourceList). */
const resourceList = mapOf(quantity);

/** Go decodes []byte from standard base64 with padding. */
const base64 = formatted(/^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, "base64 text (standard alphabet, padded)");

// ---- Enumerations the installer validates -----------------------------------------------------

const INSTALLATION_KINDS = ["Full", "Meta", "Workspace", "IDE", "WebApp"] as const;
const LOG_LEVELS = ["trace", "debug", "info", "warning", "error", "fatal", "panic"] as const;
const FS_SHIFT_METHODS = ["fuse", "shiftfs"] as const;
const SERVICE_TYPES = ["LoadBalancer", "ClusterIP", "NodePort", "ExternalName"] as const;
const TRACING_SAMPLER_TYPES = ["const", "probabilistic", "rateLimiting", "remote"] as const;

/** A reference to a Kubernetes Secret in Gitpod's namespace; the installer checks kind and requires both. */
const objectRef = object({ kind: string(["secret"]), name: string() }, { required: ["kind", "name"] });

// ---- blockNewUsers.passlist -------------------------------------------------------------------

/**
 * The installer's rule for passlist entries: a fully-qualified domain name per RFC 1123, with at
 * least two labels, the last starting with a letter (the pattern of go-playground's `fqdn`, which
 * the installer's block_new_users_passlist check reuses), e.g. "acme.dev".
 */
export const PASSLIST_DOMAIN = /^[a-zA-Z0-9][a-zA-Z0-9-]{0,62}(\.[a-zA-Z0-9][a-zA-Z0-9-]{0,62})*\.[a-zA-Z][a-zA-Z0-9]{0,62}\.?$/;

const blockNewUsers = object({ enabled: boolean, passlist: listOf(formatted(PASSLIST_DOMAIN, 'a fully-qualified domain name such as "acme.dev"')) });

// ---- Shared shapes ----------------------------------------------------------------------------

/** The installer requires samplerParam once samplerType is given. */
const tracing = object(
  { samplerType: string(TRACING_SAMPLER_TYPES), samplerParam: number },
  {
    check: (given) =>
      given.samplerType !== undefined && given.samplerParam === undefined
        ? [{ path: ["samplerParam"], message: "is required with samplerType: the installer refuses a sampler type without its parameter" }]
        : [],
  },
);

const pvc = object({ size: quantity, storageClass: string(), snapshotClass: string() });

const podTemplates = object({
  default: opaque("corev1.Pod"),
  prebuild: opaque("corev1.Pod"),
  imagebuild: opaque("corev1.Pod"),
  regular: opaque("corev1.Pod"),
});

/** ws-daemon's CPU buckets: budget is CPU time in nanoseconds, limit in milli-CPUs per second. */
const cpuLimits = object({ buckets: listOf(object({ budget: int64, limit: uint64 })), min: string(), burst: string() });

/** The limits of a workspace class: plain strings in Go, not quantities. */
const workspaceLimits = object({ cpu: cpuLimits, memory: string(), storage: string(), "ephemeral-storage": string() });

const serviceAnnotations = object({ serviceAnnotations: stringMap });

// ---- experimental (unsupported by Gitpod, "change at will") ------------------------------------

const experimentalWorkspace = object({
  tracing,
  stage: string(),
  schedulerName: string(),
  hostURL: string(),
  workspaceClusterHost: string(),
  workspaceURLTemplate: string(),
  workspacePortURLTemplate: string(),
  // No JSON tag on this one in Go: its key is the Go field name.
  CPULimits: object({ enabled: boolean, nodeBandwidth: quantity, limit: quantity, burstLimit: quantity }),
  ioLimits: object({ writeBandwidthPerSecond: quantity, readBandwidthPerSecond: quantity, writeIOPS: int64, readIOPS: int64 }),
  networkLimits: object({ enabled: boolean, enforce: boolean, connectionsPerMinute: int64, bucketSize: int64 }),
  oomScores: object({ enabled: boolean, tier1: int64, tier2: int64 }),
  procLimit: int64,
  wsManagerRateLimits: mapOf(object({ block: boolean, bucketSize: uint64, refillInterval: duration, keyCacheSize: uint64, key: string() })),
  registryFacade: object({
    ipfsCache: object({ enabled: boolean, ipfsAddr: string() }),
    // passwordSecret names a Kubernetes Secret (key "password"); it is not the password.
    redisCache: object({
      enabled: boolean,
      singleHostAddr: string(),
      username: string(),
      passwordSecret: string(),
      useTLS: boolean,
      insecureSkipVerify: boolean,
    }),
  }),
  wsDaemon: object({ runtime: object({ nodeToContainerMapping: listOf(object({ path: string(), value: string() })) }) }),
  classes: mapOf(
    object({
      name: string(),
      resources: object({ requests: resourceList, limits: workspaceLimits }),
      templates: podTemplates,
      prebuildPVC: pvc,
      pvc,
    }),
  ),
  wsProxy: object({
    ingressHeader: string(),
    blobServeHost: string(),
    gitpodInstallationHostName: string(),
    gitpodInstallationWorkspaceHostSuffix: string(),
    gitpodInstallationWorkspaceHostSuffixRegex: string(),
  }),
  contentService: object({ usageReportBucketName: string() }),
  enableProtectedSecrets: boolean,
});

const stripePriceIds = object({ eur: string(), usd: string() });

const experimentalWebApp = object({
  publicApi: object({ stripeSecretName: string() }),
  server: object({
    workspaceDefaults: object({ workspaceImage: string() }),
    oauthServer: object({ jwtSecret: string() }),
    session: object({ secret: string() }),
    githubApp: object({
      appId: int32,
      authProviderId: string(),
      baseUrl: string(),
      certPath: string(),
      enabled: boolean,
      logLevel: string(),
      marketplaceName: string(),
      webhookSecret: string(),
      certSecretName: string(),
    }),
    // These two name Kubernetes Secrets that the server mounts; they are not secret values.
    chargebeeSecret: string(),
    stripeSecret: string(),
    stripeConfig: string(),
    disableDynamicAuthProviderLogin: boolean,
    enableLocalApp: boolean,
    runDbDeleter: boolean,
    disableWorkspaceGarbageCollection: boolean,
    inactivityPeriodForReposInDays: int64,
    defaultBaseImageRegistryWhitelist: stringList,
  }),
  proxy: object({
    staticIP: string(),
    serviceAnnotations: stringMap,
    serviceType: string(SERVICE_TYPES),
    configcat: object({ baseUrl: string(), pollInterval: string() }),
  }),
  wsManagerBridge: object({ skipSelf: boolean }),
  tracing,
  usePodAntiAffinity: boolean,
  disableMigration: boolean,
  usage: object({
    enabled: boolean,
    schedule: string(),
    resetUsageSchedule: string(),
    billInstancesAfter: timestamp,
    defaultSpendingLimit: object({ forTeams: int32, forUsers: int32, minForUsersOnStripe: int32 }),
    creditsPerMinuteByWorkspaceClass: mapOf(number),
  }),
  configcatKey: string(),
  workspaceClasses: listOf(
    object({
      id: string(),
      category: string(),
      displayName: string(),
      description: string(),
      powerups: uint32,
      isDefault: boolean,
      deprecated: boolean,
      marker: mapOf(boolean),
      credits: object({ perMinute: number }),
    }),
  ),
  stripe: object({ individualUsagePriceIds: stripePriceIds, teamUsagePriceIds: stripePriceIds }),
  slowDatabase: boolean,
});

const experimentalIde = object({
  resolveLatest: boolean,
  ideProxy: serviceAnnotations,
  openvsxProxy: serviceAnnotations,
  ideMetrics: object({ enabledErrorReporting: boolean }),
});

const experimentalCommon = object({
  podConfig: mapOf(object({ replicas: int32, resources: mapOf(opaque("corev1.ResourceRequirements")) })),
  staticMessagebusPassword: string(),
  usePodSecurityPolicies: boolean,
});

const agentSmithBlocklist = object({
  binaries: stringList,
  allowlist: stringList,
  signatures: listOf(
    object({
      name: string(),
      domain: string(),
      kind: string(),
      pattern: base64,
      regexp: boolean,
      slice: object({ start: int64, end: int64 }),
      filenames: stringList,
    }),
  ),
});

/** agent-smith's Config (not its ServiceConfig): the installer copies it into agent-smith's ConfigMap. */
const agentSmith = object({
  gitpodAPI: object({ hostURL: string(), apiToken: string() }),
  namespace: string(),
  blocklists: object({ barely: agentSmithBlocklist, audit: agentSmithBlocklist, very: agentSmithBlocklist }),
  // Keys are graded infringement kinds, values penalties; agent-smith checks them, the installer does not.
  enforcement: object({ default: stringMap, perRepo: mapOf(stringMap), cpuLimitPenalty: string() }),
  excessiveCPUCheck: object({ threshold: number, averageOverMinutes: int64 }),
  slackWebhooks: object({ audit: string(), warning: string() }),
  kubernetes: object({ enabled: boolean, kubeconfig: string() }),
  probePath: string(),
});

const experimental = object({
  workspace: experimentalWorkspace,
  webapp: experimentalWebApp,
  ide: experimentalIde,
  common: experimentalCommon,
  telemetry: object({ data: object({ platform: string() }) }),
  agentSmith,
});

// ---- The whole config -------------------------------------------------------------------------

/** The root of the installer config's field tree. */
export const INSTALLER_CONFIG_FIELDS: ObjectField = object({
  // Not a field of the Go struct: the loader reads it first and deletes it before decoding.
  apiVersion: string(["v1"]),
  kind: string(INSTALLATION_KINDS),
  domain: string(),
  metadata: object({ region: string(), shortname: string() }),
  repository: string(),
  observability: object({
    logLevel: string(LOG_LEVELS),
    tracing: object({ endpoint: string(), agentHost: string(), secretName: string() }),
  }),
  analytics: object({ segmentKey: string(), writer: string() }),
  database: object({
    inCluster: boolean,
    external: object({ certificate: objectRef }),
    cloudSQL: object({ serviceAccount: objectRef, instance: string() }),
    ssl: object({ caCert: objectRef }),
  }),
  objectStorage: object({
    inCluster: boolean,
    s3: object({ endpoint: string(), credentials: objectRef, bucket: string(), allowInsecureConnection: boolean }),
    cloudStorage: object({ serviceAccount: objectRef, project: string() }),
    azure: object({ credentials: objectRef }),
    maximumBackupCount: int64,
    blobQuota: int64,
    resources: object({ requests: resourceList, limits: resourceList }),
  }),
  containerRegistry: object({
    inCluster: boolean,
    external: object({ url: string(), certificate: objectRef }),
    s3storage: object({ bucket: string(), region: string(), endpoint: string(), certificate: objectRef }),
    privateBaseImageAllowList: stringList,
  }),
  certificate: objectRef,
  httpProxy: objectRef,
  imagePullSecrets: listOf(objectRef),
  workspace: object({
    runtime: object({ fsShiftMethod: string(FS_SHIFT_METHODS), containerdRuntimeDir: string(), containerdSocket: string() }),
    // The top-level workspace takes plain resource lists; only experimental classes take workspaceLimits.
    resources: object({ requests: resourceList, limits: resourceList }),
    templates: podTemplates,
    prebuildPVC: pvc,
    pvc,
    maxLifetime: duration,
    timeoutDefault: duration,
    timeoutExtended: duration,
    timeoutAfterClose: duration,
    workspaceImage: string(),
  }),
  openVSX: object({ url: string(), proxy: object({ disablePVC: boolean }) }),
  authProviders: listOf(objectRef),
  blockNewUsers,
  license: objectRef,
  sshGatewayHostKey: objectRef,
  disableDefinitelyGp: boolean,
  customCACert: objectRef,
  dropImageRepo: boolean,
  // TypeMeta is inlined (apiVersion, kind of the object to customize); metadata is an ObjectMeta.
  customization: listOf(
    object({
      apiVersion: string(),
      kind: string(),
      metadata: opaque("metav1.ObjectMeta"),
      spec: object({ env: listOf(opaque("corev1.EnvVar")) }),
    }),
  ),
  components: object({ proxy: object({ service: object({ serviceType: string(SERVICE_TYPES) }) }) }),
  experimental,
});

/**
 * The field at a dotted path ("workspace.resources.requests.cpu"): below a map any key selects its
 * values, below a list any key (e.g. "0") selects its items. Undefined if there is no such field.
 */
export function installerConfigFieldAt(path: string | readonly string[], root: InstallerField = INSTALLER_CONFIG_FIELDS): InstallerField | undefined {
  const keys = typeof path === "string" ? (path === "" ? [] : path.split(".")) : path;
  let field: InstallerField | undefined = root;
  for (const key of keys) {
    if (field === undefined) return undefined;
    if (field.kind === "object") field = Object.hasOwn(field.fields, key) ? field.fields[key] : undefined;
    else if (field.kind === "map" || field.kind === "list") field = field.of;
    else return undefined;
  }
  return field;
}

// ---- Fields this project manages, and fields that must not be set here -------------------------

/**
 * A part of the installer config this project writes from its own settings: an override at or below
 * `path` is refused. Without `setting`, the project fixes the value and `why` says why.
 */
export type ManagedField =
  | { readonly path: string; readonly setting: string; readonly why?: string }
  | { readonly path: string; readonly setting?: undefined; readonly why: string };

/** A field whose value is a secret: set here, it would be written into the synthesized JSON and the Terraform state. */
export interface SecretValuedField {
  readonly path: string;
  readonly why?: string;
}

export const PROJECT_MANAGED_INSTALLER_FIELDS: readonly ManagedField[] = [
  { path: "apiVersion", why: "the project writes the v1 config of the installer it runs" },
  { path: "kind", why: "the project installs every component in one cluster: kind Full" },
  { path: "domain", setting: "domain" },
  { path: "metadata.region", setting: "storage", why: "the S3 region comes from the storage section" },
  { path: "repository", setting: "gitpod.repository" },
  { path: "dropImageRepo", setting: "gitpod.dropImageRepo" },
  { path: "database", setting: "database" },
  { path: "objectStorage.inCluster", setting: "storage" },
  { path: "objectStorage.s3", setting: "storage" },
  { path: "objectStorage.cloudStorage", setting: "storage" },
  { path: "objectStorage.azure", setting: "storage" },
  { path: "objectStorage.resources", setting: "storage" },
  { path: "containerRegistry.inCluster", setting: "registry" },
  { path: "containerRegistry.external", setting: "registry" },
  { path: "containerRegistry.s3storage", setting: "registry" },
  { path: "certificate", setting: "tls" },
  { path: "customCACert", setting: "tls.caCertificateFile" },
  { path: "authProviders", setting: "scm.providers" },
  { path: "imagePullSecrets", setting: "mirror.username" },
  { path: "workspace.runtime", setting: "gitpod.workspaceRuntime" },
  { path: "components.proxy.service.serviceType", setting: "gitpod.proxy.serviceType" },
  { path: "experimental.webapp.proxy.serviceType", setting: "gitpod.proxy.serviceType" },
  { path: "experimental.webapp.proxy.serviceAnnotations", setting: "gitpod.proxy.serviceAnnotations" },
  { path: "blockNewUsers", setting: "gitpod.blockNewUsers" },
  { path: "license", setting: "gitpod.license" },
  { path: "sshGatewayHostKey", setting: "gitpod.sshGateway" },
  { path: "openVSX.url", setting: "gitpod.openVsx.url" },
];

/**
 * Fields holding a secret value (the names of Kubernetes Secrets, such as chargebeeSecret,
 * stripeSecret or redisCache.passwordSecret, are not: they stay settable).
 */
export const SECRET_VALUED_INSTALLER_FIELDS: readonly SecretValuedField[] = [
  { path: "analytics.segmentKey", why: "a Segment write key" },
  { path: "experimental.common.staticMessagebusPassword" },
  { path: "experimental.webapp.server.session.secret" },
  { path: "experimental.webapp.server.oauthServer.jwtSecret" },
  { path: "experimental.webapp.server.githubApp.webhookSecret" },
  { path: "experimental.webapp.configcatKey", why: "a ConfigCat SDK key" },
  { path: "experimental.agentSmith.gitpodAPI.apiToken" },
  { path: "experimental.agentSmith.slackWebhooks", why: "Slack webhook URLs carry their token" },
];

/** Deprecated spellings the installer refuses alongside their replacement; only the replacement is accepted. */
const DEPRECATED_ALIASES: readonly { readonly path: string; readonly use: string }[] = [
  { path: "experimental.webapp.server.defaultBaseImageRegistryWhitelist", use: "containerRegistry.privateBaseImageAllowList" },
  { path: "experimental.webapp.server.workspaceDefaults.workspaceImage", use: "workspace.workspaceImage" },
];

// ---- Checking an override ---------------------------------------------------------------------

export interface InstallerConfigCheckOptions {
  /** Fields the project writes; usually PROJECT_MANAGED_INSTALLER_FIELDS. */
  readonly managed: readonly ManagedField[];
  /** Defaults to SECRET_VALUED_INSTALLER_FIELDS. */
  readonly secretValued?: readonly SecretValuedField[];
}

const MAX_SUGGESTION_KEY = 64;
const MAX_LISTED_FIELDS = 160;

const isMapping = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);

/** The type of a value in words; values themselves are never shown (they may be secrets). */
function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (value instanceof Date) return "a date";
  switch (typeof value) {
    case "string":
      return "a string";
    case "number":
      return "a number";
    case "boolean":
      return "a boolean";
    case "object":
      return "a mapping";
    default:
      return `a ${typeof value}`;
  }
}

const quoted = (values: readonly string[]) => values.map((value) => JSON.stringify(value)).join(", ");

/** A user's key for a message or a path: JSON-escaped, at most about 60 characters. */
export function quoteKey(key: string, max = 60): string {
  let body = "";
  for (const char of key) {
    const escaped = JSON.stringify(char).slice(1, -1);
    if (body.length + escaped.length > max) return `"${body}…"`;
    body += escaped;
  }
  return `"${body}"`;
}

/** `workspace.resources.requests.cpu`, `customization[0].kind`; unusual or long keys quoted. */
export function formatInstallerConfigPath(path: readonly (string | number)[]): string {
  return path
    .map((part, index) => {
      if (typeof part === "number") return `[${part}]`;
      if (/^[A-Za-z_][A-Za-z0-9_-]{0,59}$/.test(part)) return index === 0 ? part : `.${part}`;
      return `[${quoteKey(part)}]`;
    })
    .join("");
}

/** The sibling the user most likely meant: same name in another case, or a few edits away. */
export function suggestField(key: string, known: readonly string[]): string | undefined {
  if (key.length > MAX_SUGGESTION_KEY) return undefined;
  const lower = key.toLowerCase();
  const sameIgnoringCase = known.find((name) => name.toLowerCase() === lower);
  if (sameIgnoringCase !== undefined) return sameIgnoringCase;
  const allowed = key.length <= 4 ? 1 : key.length <= 8 ? 2 : 3;
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = editDistance(lower, name.toLowerCase());
    if (distance <= allowed && (best === undefined || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

const segments = (path: string) => path.split(".");
const startsWith = (path: readonly string[], prefix: readonly string[]) => prefix.length <= path.length && prefix.every((key, i) => path[i] === key);

// Go's duration grammar (time.ParseDuration): an optional sign, then number+unit pairs, or "0".
const DURATION = /^[-+]?(0|(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)$/;
const NANOSECONDS = { ns: 1, us: 1e3, µs: 1e3, μs: 1e3, ms: 1e6, s: 1e9, m: 6e10, h: 3.6e12 } as const;
/** time.Duration is an int64 of nanoseconds: about 2,562,047 hours at most. */
const MAX_DURATION_NS = 2 ** 63 - 1;

function durationInRange(text: string): boolean {
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/([0-9.]+)(ns|us|µs|μs|ms|s|m|h)/g)) {
    total += Number(amount) * NANOSECONDS[unit as keyof typeof NANOSECONDS];
  }
  return total <= MAX_DURATION_NS;
}

// Kubernetes' quantity syntax (resource.ParseQuantity): a signed decimal, then a binary-SI suffix,
// a decimal-SI suffix, or a decimal exponent.
const QUANTITY = /^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$/;

// Go's time.Time decodes RFC 3339 text.
const RFC3339 = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$/;

const DURATION_EXAMPLE = 'must be a duration such as "36h", "30m" or "1h30m"';

/** The problem with a leaf value, or undefined. */
function leafProblem(field: Exclude<InstallerField, ObjectField | MapField | ListField>, value: unknown): string | undefined {
  const got = ` (got ${typeOf(value)})`;
  switch (field.kind) {
    case "opaque":
      return undefined;
    case "string": {
      if (field.values !== undefined) {
        return typeof value === "string" && field.values.includes(value) ? undefined : `must be one of ${quoted(field.values)}${typeof value === "string" ? "" : got}`;
      }
      if (typeof value !== "string") {
        const hint = typeof value === "number" || typeof value === "boolean" || value instanceof Date ? "; put it in quotes" : "";
        return `must be a string${got}${hint}`;
      }
      return field.format === undefined || field.format.pattern.test(value) ? undefined : `must be ${field.format.expected}`;
    }
    case "boolean":
      return typeof value === "boolean" ? undefined : `must be true or false${got}${typeof value === "string" ? "; write it without quotes" : ""}`;
    case "integer": {
      if (typeof value !== "number" || !Number.isInteger(value)) return `must be a whole number${typeof value === "number" ? "" : got}`;
      return value >= field.min && value <= field.max ? undefined : `must be a whole number ${field.range}`;
    }
    case "number":
      return typeof value === "number" && Number.isFinite(value) ? undefined : `must be a finite number${typeof value === "number" ? "" : got}`;
    case "duration":
      // util.Duration also takes a bare number, as nanoseconds: "36" would be 36ns. Refused, to keep units explicit.
      if (typeof value === "number") return `${DURATION_EXAMPLE} (got a number, which the installer would read as nanoseconds; add a unit)`;
      if (typeof value !== "string") return `${DURATION_EXAMPLE}${got}`;
      if (!DURATION.test(value)) return `${DURATION_EXAMPLE}: a number and a unit (ns, us, ms, s, m, h), repeated, without spaces`;
      return durationInRange(value) ? undefined : `${DURATION_EXAMPLE}: at most about 2562047h (Go's limit)`;
    case "quantity":
      if (typeof value === "number") return Number.isFinite(value) ? undefined : 'must be a Kubernetes quantity such as "2Gi" or "500m", or a finite number';
      if (typeof value !== "string") return `must be a Kubernetes quantity such as "2Gi" or "500m", or a number${got}`;
      return QUANTITY.test(value) ? undefined : 'must be a Kubernetes quantity such as "2Gi", "500m" or "1.5"';
    case "timestamp":
      if (typeof value !== "string") return `must be an RFC 3339 time in quotes such as "2022-11-30T00:00:00Z"${got}`;
      return RFC3339.test(value) ? undefined : 'must be an RFC 3339 time such as "2022-11-30T00:00:00Z"';
  }
}

interface Walk {
  readonly managed: readonly { readonly keys: readonly string[]; readonly field: ManagedField }[];
  readonly secret: readonly { readonly keys: readonly string[]; readonly field: SecretValuedField }[];
  readonly aliases: readonly { readonly keys: readonly string[]; readonly use: string }[];
  readonly problems: InstallerConfigProblem[];
}

function managedMessage(field: ManagedField): string {
  if (field.setting === undefined) return `is fixed by this project (${field.why}); leave it out`;
  return `is set by this project from ${field.setting}${field.why === undefined ? "" : ` (${field.why})`}; set that instead`;
}

function unknownMessage(key: string, known: readonly string[], keys: readonly string[], walk: Walk): string {
  const head = `is not a field of Gitpod's installer config (${INSTALLER_CONFIG_VERSION})`;
  const suggestion = suggestField(key, known);
  if (suggestion !== undefined) {
    const managed = walk.managed.find((entry) => startsWith([...keys.slice(0, -1), suggestion], entry.keys));
    const note = managed?.field.setting === undefined ? "" : `, which this project sets from ${managed.field.setting}`;
    return `${head}; did you mean ${JSON.stringify(suggestion)}${note}?`;
  }
  const listed = known.join(", ");
  const fields = listed.length <= MAX_LISTED_FIELDS ? listed : `${listed.slice(0, MAX_LISTED_FIELDS - 1)}…`;
  return `${head}, which refuses unknown keys; fields here: ${fields}`;
}

/**
 * Checks `value` against `field`. `path` has list indices; `keys` only the keys (map keys too),
 * which is what managed, secret and deprecated paths are matched against.
 */
function walk(field: InstallerField, value: unknown, path: readonly (string | number)[], keys: readonly string[], state: Walk): void {
  const report = (message: string, at: readonly (string | number)[] = path) => state.problems.push({ path: at, message });
  if (value === null) {
    report("give a value, or leave the key out to keep the installer's default");
    return;
  }
  switch (field.kind) {
    case "object": {
      if (!isMapping(value)) {
        report(`must be a mapping of fields (key: value)${Array.isArray(value) ? ", not a list" : ` (got ${typeOf(value)})`}`);
        return;
      }
      const known = Object.keys(field.fields);
      for (const key of Object.keys(value)) {
        const childPath = [...path, key];
        const childKeys = [...keys, key];
        const managed = state.managed.find((entry) => startsWith(childKeys, entry.keys));
        if (managed !== undefined) {
          report(managedMessage(managed.field), childPath);
          continue;
        }
        if (!Object.hasOwn(field.fields, key)) {
          report(unknownMessage(key, known, childKeys, state), childPath);
          continue;
        }
        const secret = state.secret.find((entry) => startsWith(childKeys, entry.keys));
        if (secret !== undefined) {
          const why = secret.field.why === undefined ? "" : ` (${secret.field.why})`;
          report(`holds a secret${why}: set here, it would be written into the synthesized JSON and the Terraform state; leave it out`, childPath);
          continue;
        }
        const alias = state.aliases.find((entry) => startsWith(childKeys, entry.keys));
        if (alias !== undefined) {
          report(`is a deprecated alias the installer refuses alongside ${alias.use}; set that instead`, childPath);
          continue;
        }
        walk(field.fields[key], value[key], childPath, childKeys, state);
      }
      for (const key of field.required ?? []) {
        if (!Object.hasOwn(value, key)) report("is required here: the installer refuses the mapping without it", [...path, key]);
      }
      for (const problem of field.check?.(value) ?? []) report(problem.message, [...path, ...problem.path]);
      return;
    }
    case "map":
      if (!isMapping(value)) {
        report(`must be a mapping (key: value)${Array.isArray(value) ? ", not a list" : ` (got ${typeOf(value)})`}`);
        return;
      }
      for (const key of Object.keys(value)) walk(field.of, value[key], [...path, key], [...keys, key], state);
      return;
    case "list":
      if (!Array.isArray(value)) {
        report(`must be a list${field.of.kind === "string" ? ' of strings, e.g. ["a", "b"]' : ""} (got ${typeOf(value)})`);
        return;
      }
      value.forEach((item, index) => walk(field.of, item, [...path, index], keys, state));
      return;
    default: {
      const problem = leafProblem(field, value);
      if (problem !== undefined) report(problem);
    }
  }
}

/**
 * Every problem of `value` as an overlay onto the installer config: unknown keys (with the sibling
 * the user probably meant), wrong types and values, nulls, fields the project manages, secrets and
 * deprecated aliases. Empty when the override can be used.
 */
export function installerConfigProblems(value: unknown, options: InstallerConfigCheckOptions): InstallerConfigProblem[] {
  const state: Walk = {
    managed: options.managed.map((field) => ({ keys: segments(field.path), field })),
    secret: (options.secretValued ?? SECRET_VALUED_INSTALLER_FIELDS).map((field) => ({ keys: segments(field.path), field })),
    aliases: DEPRECATED_ALIASES.map(({ path, use }) => ({ keys: segments(path), use })),
    problems: [],
  };
  if (!isMapping(value)) {
    return [{ path: [], message: `must be a mapping of installer config fields (got ${typeOf(value)})` }];
  }
  walk(INSTALLER_CONFIG_FIELDS, value, [], [], state);
  return state.problems;
}

/**
 * Paths of the keys in `value` that the installer config does not define, e.g. "database.exernal"
 * or "customization[0].spec.envs". Only keys are judged, not values.
 */
export function unknownInstallerConfigFields(value: unknown, field: InstallerField = INSTALLER_CONFIG_FIELDS): string[] {
  const found: string[] = [];
  const visit = (spec: InstallerField, node: unknown, path: readonly (string | number)[]): void => {
    if (spec.kind === "object" && isMapping(node)) {
      for (const key of Object.keys(node)) {
        if (Object.hasOwn(spec.fields, key)) visit(spec.fields[key], node[key], [...path, key]);
        else found.push(formatInstallerConfigPath([...path, key]));
      }
    } else if (spec.kind === "map" && isMapping(node)) {
      for (const key of Object.keys(node)) visit(spec.of, node[key], [...path, key]);
    } else if (spec.kind === "list" && Array.isArray(node)) {
      node.forEach((item, index) => visit(spec.of, item, [...path, index]));
    }
  };
  visit(field, value, []);
  return found;
}
