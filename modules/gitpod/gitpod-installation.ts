import * as fs from "fs";
import * as path from "path";
import { ClusterRoleBindingV1 } from "@cdktf/provider-kubernetes/lib/cluster-role-binding-v1";
import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
import type { Release } from "@cdktf/provider-helm/lib/release";
import type { IJob } from "kubernetes-models/batch/v1/Job";
import { Password } from "@cdktf/provider-random/lib/password";
import { Fn, TerraformLocal, Token } from "cdktf";
import { Construct } from "constructs";
import { ChartRelease, helmHookAnnotations } from "../helm-chart/chart-release";
import type { LocalChart } from "../helm-chart/local-chart";
import { MANAGED_BY_LABEL, type KubernetesObject } from "../helm-chart/kubernetes-object";
import { terraformTemplateLiteral, terraformTemplateLiterals } from "../terraform/template-literal";
import { writeOnlyVersion } from "../terraform/write-only-version";
import type {
  GitpodAuthProvider,
  GitpodCertificate,
  GitpodContainerRegistry,
  GitpodDatabase,
  GitpodObjectStorage,
} from "./dependencies";
import {
  buildInstallerConfig,
  installerConfigYaml,
  needsExperimentalConfig,
  type InstallerConfig,
  type ProxyServiceType,
  type WorkspaceRuntime,
} from "./installer-config";

/** The script the hook Jobs run (see gitpod-release.sh); shipped next to this file. */
export const RELEASE_SCRIPT_PATH = path.join(__dirname, "gitpod-release.sh");
const INPUTS_MOUNT = "/gitpod-release";
/** Helm release that holds Gitpod's own objects (the name KOTS used). */
export const GITPOD_RELEASE_NAME = "gitpod";

export interface GitpodInstallationProps {
  /** Existing namespace for Gitpod (may be a reference to another stack's namespace). */
  readonly namespace: string;
  /** Prefix of the objects this construct creates. */
  readonly namePrefix: string;
  readonly domain: string;
  /** Gitpod release, e.g. 2022.11.3. */
  readonly version: string;
  /** Registry path of Gitpod's component images (the installer's `repository`). */
  readonly repository: string;
  readonly installerImage: string;
  /** Flatten image paths below `repository` (mirrors without nested paths). */
  readonly dropImageRepo: boolean;
  readonly workspaceRuntime: WorkspaceRuntime;
  readonly proxyServiceType: ProxyServiceType;
  /** Annotations of the proxy's Service (rendered with the installer's experimental config). */
  readonly proxyServiceAnnotations: Readonly<Record<string, string>>;
  readonly database: GitpodDatabase;
  /** Sensitive JSON array of Gitpod's database encryption keys; must never change. */
  readonly encryptionKeys: string;
  readonly objectStorage: GitpodObjectStorage;
  readonly containerRegistry: GitpodContainerRegistry;
  readonly certificate: GitpodCertificate;
  /**
   * Objects installed with the release before Gitpod, e.g. the cert-manager Certificate.
   * @default none
   */
  readonly manifests?: readonly KubernetesObject[];
  /**
   * OAuth apps of source-control hosts; they can also be added later in Gitpod's dashboard.
   * @default none
   */
  readonly authProviders?: readonly GitpodAuthProvider[];
  /**
   * Limit for the TLS wait and for each Helm operation on Gitpod (install/upgrade, its atomic
   * rollback, recovery of an interrupted release, uninstall).
   */
  readonly installTimeoutSeconds: number;
  /**
   * How long an upgrade or uninstall waits for running workspaces to stop (and be backed up)
   * before it gives up and leaves Gitpod as it is.
   * @default 900
   */
  readonly workspaceStopTimeoutSeconds?: number;
}

/**
 * Gitpod itself: the secrets its config refers to, the installer config, and a Helm release whose
 * hook Jobs run Gitpod's installer in the cluster (install/upgrade on apply, uninstall on destroy).
 *
 * Every change of the config, the release version or a secret's data upgrades the release: their
 * checksums are values of the Helm release.
 */
export class GitpodInstallation extends Construct {
  /** The installer config as written to the cluster (may contain Terraform references). */
  readonly installerConfig: InstallerConfig;
  readonly chart: LocalChart;
  readonly release: Release;

  constructor(scope: Construct, id: string, props: GitpodInstallationProps) {
    super(scope, id);
    const prefix = props.namePrefix;
    const namespace = props.namespace;
    const timeoutSeconds = props.installTimeoutSeconds;
    const workspaceStopSeconds = props.workspaceStopTimeoutSeconds ?? 900;
    // The installer's ConfigMap, service account, chart and release share this name.
    const installerName = `${prefix}-installer`;
    const labels = { "app.kubernetes.io/part-of": "gitpod", ...MANAGED_BY_LABEL };
    // Each Secret's data is a local value (Terraform keeps locals in no state), written to the
    // cluster write-only (Terraform >= 1.11): never in this stack's state. Its revision changes
    // exactly when the data does (a truncated hash of it), which is when the provider writes the
    // data again; the release's checksum hashes the same values, since there is no `data` to read.
    const secretData: Record<string, string>[] = [];
    const secrets: SecretV1[] = [];
    const secret = (secretId: string, name: string, data: Record<string, string>, type?: string): string => {
      const values = new TerraformLocal(this, `${secretId}-data`, data).asStringMap;
      secretData.push(values);
      secrets.push(
        new SecretV1(this, secretId, { metadata: { name, namespace, labels }, dataWo: values, dataWoRevision: writeOnlyVersion(Fn.jsonencode(values)), type }),
      );
      return name;
    };

    // Secret keys: docs/gitpod-installer.md, "Secret keys".
    const database = props.database;
    const databaseSecret = secret("database-secret", `${prefix}-database`, {
      host: database.host,
      port: Token.isUnresolved(database.port) ? Token.asString(database.port) : String(database.port),
      username: database.username,
      password: database.password,
      encryptionKeys: props.encryptionKeys,
    });
    const databaseCaSecret =
      database.caCertificate === undefined
        ? undefined
        : secret("database-ca-secret", `${prefix}-database-ca`, { "ca.crt": database.caCertificate });
    const storage = props.objectStorage;
    const objectStorageSecret = secret("object-storage-secret", `${prefix}-object-storage`, {
      accessKeyId: storage.accessKeyId,
      secretAccessKey: storage.secretAccessKey,
    });
    const containerRegistrySecret = this.containerRegistrySecret(props.containerRegistry, prefix, secret);
    const authProviderSecrets = (props.authProviders ?? []).map((provider) =>
      secret(`auth-provider-${provider.id}`, `${prefix}-auth-${provider.id.toLowerCase().replace(/[^a-z0-9-]+/g, "-")}`, {
        provider: Fn.yamlencode({
          id: provider.id,
          host: provider.host,
          type: provider.type,
          oauth: {
            clientId: provider.clientId,
            clientSecret: provider.clientSecret,
            callBackUrl: `https://${props.domain}/auth/${provider.host}/callback`,
          },
        }),
      }),
    );

    // `installer render --seed` makes the installer's generated credentials (registry, OAuth JWT
    // secret) stable across renders, so it is generated once and treated as a secret. The leading
    // 1 keeps it a non-zero int64 (19 digits, below 2^63).
    const renderSeed = new Password(this, "render-seed", { length: 18, special: false, upper: false, lower: false, numeric: true });
    const seedSecret = secret("render-seed-secret", `${installerName}-seed`, { seed: `1${renderSeed.result}` });

    this.installerConfig = buildInstallerConfig({
      domain: props.domain,
      repository: props.repository,
      dropImageRepo: props.dropImageRepo,
      workspaceRuntime: props.workspaceRuntime,
      proxyServiceType: props.proxyServiceType,
      proxyServiceAnnotations: props.proxyServiceAnnotations,
      objectStorage: storage,
      containerRegistry: props.containerRegistry,
      certificateSecret: props.certificate.secretName,
      customCaSecret: props.certificate.customCaSecretName,
      secrets: {
        database: databaseSecret,
        databaseCa: databaseCaSecret,
        objectStorage: objectStorageSecret,
        containerRegistry: containerRegistrySecret,
        authProviders: authProviderSecrets,
      },
    });
    const inputs = new ConfigMapV1(this, "installer-inputs", {
      metadata: { name: installerName, namespace, labels },
      data: {
        // User text (annotations...) must reach the cluster verbatim; references stay references.
        "gitpod.config.yaml": installerConfigYaml(terraformTemplateLiterals(this.installerConfig)),
        "gitpod-release.sh": terraformTemplateLiteral(fs.readFileSync(RELEASE_SCRIPT_PATH, "utf8")),
      },
    });

    // The installer creates cluster-wide objects (ClusterRoles, webhooks...), like KOTS' installer.
    const serviceAccount = new ServiceAccountV1(this, "installer-service-account", {
      metadata: { name: installerName, namespace, labels },
    });
    const clusterRoleBinding = new ClusterRoleBindingV1(this, "installer-cluster-admin", {
      metadata: { name: `${installerName}-${namespace}`, labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
      subject: [{ kind: "ServiceAccount", name: serviceAccount.metadata.name, namespace }],
    });

    // Secrets this installation writes that Gitpod's pods read when they start: the release script
    // puts a checksum of their data on the pod templates that read them, so a change rolls exactly
    // those workloads. (A registry secret kept by a refresher restarts its readers itself.)
    const watchedSecrets = [databaseSecret, databaseCaSecret, objectStorageSecret, ...authProviderSecrets, props.certificate.customCaSecretName];
    if (props.containerRegistry.kind !== "external" || !("existingSecretName" in props.containerRegistry.auth)) watchedSecrets.push(containerRegistrySecret);
    // Worst cases the hook Jobs must outlive, each step bounded by its own timeout; then slack for
    // pulling the installer image and rendering.
    const deadlines = {
      // TLS wait, recovery of an interrupted release, stopping workspaces, the upgrade, its rollback.
      apply: 4 * timeoutSeconds + workspaceStopSeconds + 300,
      // Stopping workspaces, the uninstall.
      uninstall: workspaceStopSeconds + timeoutSeconds + 300,
    };
    const job = (action: "apply" | "uninstall", hook: string): IJob =>
      installerJob({
        name: `${installerName}-${action}`,
        action,
        hook,
        image: props.installerImage,
        serviceAccountName: installerName,
        inputsConfigMap: installerName,
        seedSecret,
        labels,
        env: {
          RELEASE_NAME: GITPOD_RELEASE_NAME,
          GITPOD_VERSION: props.version,
          CONFIG_FILE: `${INPUTS_MOUNT}/gitpod.config.yaml`,
          TLS_SECRET: props.certificate.secretName,
          TIMEOUT_SECONDS: String(timeoutSeconds),
          WORKSPACE_STOP_SECONDS: String(workspaceStopSeconds),
          WATCHED_SECRETS: watchedSecrets.filter((name): name is string => name !== undefined).join(" "),
          // The only volume of Gitpod's own objects is the in-cluster registry's.
          KEEP_VOLUMES: String(props.containerRegistry.kind === "in-cluster" && props.containerRegistry.keepVolumeOnUninstall),
          USE_EXPERIMENTAL_CONFIG: String(needsExperimentalConfig(this.installerConfig)),
        },
        activeDeadlineSeconds: deadlines[action],
      });
    const installer = new ChartRelease(this, "installer", {
      chartName: installerName,
      version: "1.0.0",
      appVersion: props.version,
      description: "Installs Gitpod with its installer (generated by gitpod-cdktf)",
      manifests: [
        ...(props.manifests ?? []),
        job("apply", "post-install,post-upgrade"),
        job("uninstall", "pre-delete"),
      ],
      releaseName: installerName,
      namespace,
      // Hooks run inside helm's wait: the longer Job's deadline bounds it.
      timeoutSeconds: Math.max(deadlines.apply, deadlines.uninstall) + 300,
      checksums: { inputs: Fn.sha256(Fn.jsonencode(inputs.data)) },
      sensitiveChecksums: { secrets: Fn.sha256(Fn.jsonencode(secretData)) },
      // The pre-delete hook needs its service account and role until Gitpod is uninstalled; what a
      // dependency needs first (the certificate's issuer, a registry login...) must exist too.
      dependsOn: [
        // The checksum no longer refers to the Secrets: the installer's Jobs read them.
        ...secrets,
        serviceAccount,
        clusterRoleBinding,
        ...[props.certificate, props.database, props.objectStorage, props.containerRegistry].flatMap((dependency) => dependency.prerequisites ?? []),
      ],
    });
    this.chart = installer.chart;
    this.release = installer.release;
  }

  private containerRegistrySecret(
    registry: GitpodContainerRegistry,
    prefix: string,
    secret: (id: string, name: string, data: Record<string, string>, type?: string) => string,
  ): string | undefined {
    switch (registry.kind) {
      case "in-cluster":
        return undefined;
      case "in-cluster-s3":
        return secret("registry-s3-secret", `${prefix}-registry-s3`, { s3AccessKey: registry.accessKeyId, s3SecretKey: registry.secretAccessKey });
      case "external": {
        const auth = registry.auth;
        if ("existingSecretName" in auth) return auth.existingSecretName;
        const dockerConfig = Fn.jsonencode({
          auths: {
            [auth.server]: {
              username: auth.username,
              password: auth.password,
              auth: Fn.base64encode(Fn.join(":", [auth.username, auth.password])),
            },
          },
        });
        return secret("registry-auth-secret", `${prefix}-registry-auth`, { ".dockerconfigjson": dockerConfig }, "kubernetes.io/dockerconfigjson");
      }
    }
  }
}

interface InstallerJobProps {
  readonly name: string;
  readonly action: "apply" | "uninstall";
  readonly hook: string;
  readonly image: string;
  readonly serviceAccountName: string;
  readonly inputsConfigMap: string;
  readonly seedSecret: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly env: Readonly<Record<string, string>>;
  readonly activeDeadlineSeconds: number;
}

/** A Helm hook Job that runs gitpod-release.sh in the installer image. */
function installerJob(props: InstallerJobProps): IJob {
  const labels = { ...props.labels, "app.kubernetes.io/name": "gitpod-installer", "app.kubernetes.io/component": props.action };
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      name: props.name,
      labels,
      annotations: helmHookAnnotations(props.hook),
    },
    spec: {
      // A failed install was already rolled back (--atomic): retrying belongs to the next apply.
      backoffLimit: 0,
      activeDeadlineSeconds: props.activeDeadlineSeconds,
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: props.serviceAccountName,
          restartPolicy: "Never",
          containers: [
            {
              name: "installer",
              image: props.image,
              // The image's entrypoint is the installer binary; the script calls it itself.
              command: ["/bin/sh", `${INPUTS_MOUNT}/gitpod-release.sh`, props.action],
              env: [
                { name: "NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
                ...(props.action === "apply"
                  ? [{ name: "RENDER_SEED", valueFrom: { secretKeyRef: { name: props.seedSecret, key: "seed" } } }]
                  : []),
                ...Object.entries(props.env).map(([name, value]) => ({ name, value })),
              ],
              volumeMounts: [
                { name: "inputs", mountPath: INPUTS_MOUNT, readOnly: true },
                { name: "scratch", mountPath: "/tmp" },
              ],
              resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "1Gi" } },
            },
          ],
          volumes: [
            { name: "inputs", configMap: { name: props.inputsConfigMap } },
            { name: "scratch", emptyDir: {} },
          ],
        },
      },
    },
  };
}
