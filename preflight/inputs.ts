/**
 * From the project's configuration and the environment to what each check needs. The secrets
 * come from the same variables Terraform reads (TF_VAR_<name>), so a passing preflight means the
 * values the deploy will use work.
 */
import * as path from "path";
import { SENSITIVE_VARIABLES, terraformVariableEnv, type GitpodCdktfConfig } from "../config/schema";
import { SCM_DEFAULT_HOSTS } from "../config/sections";
import { chosenMode, type Dependency } from "../modes";
import type { ClusterProbe } from "./cluster";
import { DATABASE, type DatabaseProbe } from "./database";
import { OBJECT_STORAGE, type ObjectStorageProbe } from "./object-storage";
import { REGISTRY, type RegistryProbe } from "./registry";
import { gitpodCallbackUrl, type ScmProbe } from "./scm";
import type { SignUpPolicy } from "./sign-ups";

export interface PreflightInputs {
  readonly database?: DatabaseProbe;
  readonly objectStorage?: ObjectStorageProbe;
  readonly registry?: RegistryProbe;
  readonly scm: readonly ScmProbe[];
  readonly cluster: ClusterProbe;
  /** The image the installer's Jobs run (gitpod.installerImage). */
  readonly installerImage: string;
  readonly signUps: SignUpPolicy;
  /** Dependencies this project creates itself: nothing to prove before apply. */
  readonly notChecked: ReadonlyArray<{ readonly dependency: string; readonly detail: string }>;
  /** Every secret value above, so that output can be redacted whatever a server echoes. */
  readonly secrets: readonly string[];
}

export interface InputOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** For `~` in kubernetes.configPath. */
  readonly homeDir: string;
  /** For a relative kubernetes.configPath. */
  readonly cwd: string;
  /** Per connection or request. */
  readonly timeoutMs: number;
}

export function preflightInputs(config: GitpodCdktfConfig, options: InputOptions): PreflightInputs {
  const { env, timeoutMs } = options;
  const secret = (name: string) => ({ value: env[terraformVariableEnv(name)], source: terraformVariableEnv(name) });
  const notChecked: Array<{ dependency: string; detail: string }> = [];
  const secrets: string[] = [];
  // What the chosen mode creates, and where: there is nothing to prove before it exists.
  const created = (dependency: Dependency) => {
    const mode = chosenMode(config, dependency);
    return `${mode.type}: ${mode.summary}; created by the ${mode.placement.join(" and ")} stack${mode.placement.length > 1 ? "s" : ""}, nothing to prove before apply`;
  };
  const keep = (value: string | undefined) => {
    if (value) secrets.push(value);
    return value;
  };

  let database: DatabaseProbe | undefined;
  if (config.database.type === "external") {
    const password = secret(SENSITIVE_VARIABLES.databasePassword);
    const { host, port, username, caCertificate } = config.database;
    database = { host, port, username, password: keep(password.value), passwordSource: password.source, caCertificate, timeoutMs };
  } else {
    notChecked.push({ dependency: DATABASE, detail: created("database") });
  }

  let objectStorage: ObjectStorageProbe | undefined;
  if (config.storage.type === "external") {
    const secretKey = secret(SENSITIVE_VARIABLES.storageSecretAccessKey);
    const { endpoint, bucket, region, accessKeyId, allowInsecureConnection } = config.storage;
    objectStorage = {
      endpoint,
      bucket,
      region,
      accessKeyId,
      secretAccessKey: keep(secretKey.value),
      secretAccessKeySource: secretKey.source,
      insecure: allowInsecureConnection,
      timeoutMs,
    };
  } else {
    notChecked.push({ dependency: OBJECT_STORAGE, detail: created("storage") });
  }

  let registry: RegistryProbe | undefined;
  if (config.registry.type === "external") {
    const password = secret(SENSITIVE_VARIABLES.registryPassword);
    registry = { url: config.registry.url, username: config.registry.username, password: keep(password.value), passwordSource: password.source, timeoutMs };
  } else {
    notChecked.push({ dependency: REGISTRY, detail: created("registry") });
  }

  const scm = config.scm.providers.map((provider): ScmProbe => {
    const clientSecret = secret(provider.clientSecretVariable);
    keep(clientSecret.value);
    return {
      id: provider.id,
      host: provider.host,
      domain: config.domain,
      callbackUrl: gitpodCallbackUrl(config.domain, provider.host),
      clientSecretSet: clientSecret.value !== undefined,
      clientSecretSource: clientSecret.source,
      timeoutMs,
    };
  });

  const namedStorageClasses: Array<{ name: string; usedBy: string }> = [];
  const defaultStorageClassNeededBy: string[] = [];
  for (const [section, what] of [
    ["database", "the in-cluster MySQL volume"],
    ["storage", "the in-cluster MinIO volume"],
  ] as const) {
    const dependency = config[section];
    if (dependency.type !== "in-cluster") continue;
    if (dependency.storageClass) namedStorageClasses.push({ name: dependency.storageClass, usedBy: `${section}.storageClass` });
    else defaultStorageClassNeededBy.push(what);
  }
  if (config.registry.type === "in-cluster") defaultStorageClassNeededBy.push("Gitpod's in-cluster registry volume");

  const configPath = config.kubernetes.configPath;
  const cluster: ClusterProbe = {
    kubeconfigPath: configPath === "" ? undefined : path.resolve(options.cwd, configPath.replace(/^~(?=$|\/)/, options.homeDir)),
    context: config.kubernetes.context,
    namedStorageClasses,
    defaultStorageClassNeededBy,
    certManagerInstalledByPrerequisites: config.tls.certManager.install,
    timeoutMs,
  };

  const { blockNewUsers } = config.gitpod;
  const signUps: SignUpPolicy = {
    passlist: blockNewUsers.enabled ? blockNewUsers.passlist : undefined,
    hosts: config.scm.providers.map((provider) => provider.host),
    publicHosts: Object.values(SCM_DEFAULT_HOSTS),
  };
  return { database, objectStorage, registry, scm, cluster, installerImage: config.gitpod.installerImage, signUps, notChecked, secrets };
}

