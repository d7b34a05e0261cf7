import * as fs from "fs";
import * as path from "path";
import { ClusterRoleBindingV1 } from "@cdktf/provider-kubernetes/lib/cluster-role-binding-v1";
import { ClusterRoleV1 } from "@cdktf/provider-kubernetes/lib/cluster-role-v1";
import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { RoleBindingV1 } from "@cdktf/provider-kubernetes/lib/role-binding-v1";
import { RoleV1 } from "@cdktf/provider-kubernetes/lib/role-v1";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
import type { Release } from "@cdktf/provider-helm/lib/release";
import type { IJob } from "kubernetes-models/batch/v1/Job";
import { Password } from "@cdktf/provider-random/lib/password";
import { Fn, TerraformLocal, Token } from "cdktf";
import { Construct } from "constructs";
import { ChartRelease, helmHookAnnotations } from "../helm-chart/chart-release";
import type { LocalChart } from "../helm-chart/local-chart";
import { imagePullSecretsOf, MANAGED_BY_LABEL, type KubernetesObject } from "../helm-chart/kubernetes-object";
import { terraformTemplateLiteral, terraformTemplateLiterals } from "../terraform/template-literal";
import { dockerConfigJson } from "../registry-login/registry-pull-secret";
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
import { installerRules, type PolicyRule } from "./installer-rbac";

/** The script the hook Jobs run (see gitpod-release.sh); shipped next to this file. */
export const RELEASE_SCRIPT_PATH = path.join(__dirname, "gitpod-release.sh");
const INPUTS_MOUNT = "/gitpod-release";
/** Helm release that holds Gitpod's own objects (the name KOTS used). */
export const GITPOD_RELEASE_NAME = "gitpod";

export interface GitpodInstallationProps {
  /** Existing namespace for Gitpod (may be a reference to another stack's namespace). */
  readonly namespace: string;
  /** The same namespace by name: the hook Jobs, written at synth time, install Gitpod there. */
  readonly namespaceName: string;
  /**
   * Existing namespace of the installer alone (may be a reference): its service account, hook
   * Jobs, inputs and render seed. Nothing else may run there, and nobody else may create pods
   * there: a pod in it can run as the installer (docs/security.md, "The installer's rights").
   */
  readonly installerNamespace: string;
  /** The same namespace by name, for the hook Jobs. */
  readonly installerNamespaceName: string;
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
  /**
   * Pull secrets, in Gitpod's namespace and the installer's, of the mirror Gitpod's images (and
   * the installer's) come from.
   * @default none
   */
  readonly imagePullSecrets?: readonly string[];
  /**
   * E-mail domains whose users may still sign up once an account exists (`blockNewUsers`).
   * @default anyone who can log in to a source-control host may sign up
   */
  readonly signUpPasslist?: readonly string[];
  /**
   * Gitpod's license key (sensitive), written to a `license` secret.
   * @default none: Gitpod runs unlicensed
   */
  readonly license?: string;
  /**
   * Run the SSH gateway. Its host key is generated in the cluster by the first install and then
   * kept (gitpod-release.sh), so it is never in the config or Terraform's state.
   * @default false
   */
  readonly sshGateway?: boolean;
  /**
   * Open VSX registry for workspaces' extensions.
   * @default the installer's, https://open-vsx.org
   */
  readonly openVsxUrl?: string;
  /**
   * A private CA (PEM) Gitpod trusts (`customCACert`). When the certificate brings a CA of its own
   * (self-signed), Gitpod trusts a bundle of both, which the release script assembles in the
   * cluster once that CA exists.
   * @default only the certificate's own CA, if any
   */
  readonly customCaCertificate?: string;
  /**
   * Laid over the generated installer config (mergeInstallerConfig); checked by the caller
   * against the installer's fields.
   * @default none
   */
  readonly installerConfigOverride?: Readonly<Record<string, unknown>>;
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

    const license = props.license === undefined ? undefined : secret("license-secret", `${prefix}-license`, { license: props.license, type: "gitpod" });
    const sshGatewayHostKey = props.sshGateway ? `${prefix}-ssh-gateway-host-key` : undefined;
    const customCa = this.customCaSecrets(props, prefix, secret);

    // `installer render --seed` makes the installer's generated credentials (registry, OAuth JWT
    // secret) stable across renders, so it is generated once and treated as a secret. The leading
    // 1 keeps it a non-zero int64 (19 digits, below 2^63).
    const renderSeed = new Password(this, "render-seed", { length: 18, special: false, upper: false, lower: false, numeric: true });
    const seedSecret = secret("render-seed-secret", `${installerName}-seed`, { seed: `1${renderSeed.result}` });
    // The seed is the installer's input, read by its Jobs: it lives in their namespace, not Gitpod's.
    (this.node.findChild("render-seed-secret") as SecretV1).addOverride("metadata.namespace", props.installerNamespace);

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
      customCaSecret: customCa.trusted,
      signUpPasslist: props.signUpPasslist,
      openVsxUrl: props.openVsxUrl,
      override: props.installerConfigOverride,
      secrets: {
        license,
        sshGatewayHostKey,
        imagePullSecrets: props.imagePullSecrets ?? [],
        database: databaseSecret,
        databaseCa: databaseCaSecret,
        objectStorage: objectStorageSecret,
        containerRegistry: containerRegistrySecret,
        authProviders: authProviderSecrets,
      },
    });
    const inputs = new ConfigMapV1(this, "installer-inputs", {
      metadata: { name: installerName, namespace: props.installerNamespace, labels },
      data: {
        // User text (annotations...) must reach the cluster verbatim; references stay references.
        "gitpod.config.yaml": installerConfigYaml(terraformTemplateLiterals(this.installerConfig)),
        "gitpod-release.sh": terraformTemplateLiteral(fs.readFileSync(RELEASE_SCRIPT_PATH, "utf8")),
      },
    });

    // The installer's service account lives in a namespace of its own where nothing else runs: any
    // pod in the namespace of a service account can run as it. Its token is mounted only into the
    // hook Jobs, which ask for it. Its rights are what installing Gitpod takes (installer-rbac.ts),
    // not cluster-admin: cluster-wide the RBAC objects and what Gitpod's ClusterRoles grant, in
    // Gitpod's namespace what Gitpod's objects and Roles need.
    const serviceAccount = new ServiceAccountV1(this, "installer-service-account", {
      metadata: { name: installerName, namespace: props.installerNamespace, labels },
      automountServiceAccountToken: false,
    });
    const subject = [{ kind: "ServiceAccount", name: serviceAccount.metadata.name, namespace: serviceAccount.metadata.namespace }];
    const rules = installerRules(props.namespaceName);
    const role = new RoleV1(this, "installer-role", {
      metadata: { name: installerName, namespace, labels },
      rule: rules.namespace.map(providerRule),
    });
    const roleBinding = new RoleBindingV1(this, "installer-role-binding", {
      metadata: { name: installerName, namespace, labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
      subject,
    });
    // Cluster-scoped, so named after Gitpod's namespace (one Gitpod per namespace and cluster); not
    // the name of the cluster-admin binding earlier versions created, which Terraform deletes while
    // it creates these.
    const clusterRole = new ClusterRoleV1(this, "installer-cluster-role", {
      metadata: { name: `${props.namespaceName}-installer`, labels },
      rule: rules.cluster.map(providerRule),
    });
    const clusterRoleBinding = new ClusterRoleBindingV1(this, "installer-cluster-role-binding", {
      metadata: { name: `${props.namespaceName}-installer`, labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: clusterRole.metadata.name },
      subject,
    });

    // Secrets this installation writes that Gitpod's pods read when they start: the release script
    // puts a checksum of their data on the pod templates that read them, so a change rolls exactly
    // those workloads. (A registry secret kept by a refresher restarts its readers itself.)
    const watchedSecrets = [databaseSecret, databaseCaSecret, objectStorageSecret, ...authProviderSecrets, customCa.trusted, license, sshGatewayHostKey];
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
        namespace: props.installerNamespaceName,
        image: props.installerImage,
        serviceAccountName: installerName,
        inputsConfigMap: installerName,
        seedSecret,
        imagePullSecrets: props.imagePullSecrets,
        labels,
        env: {
          // Where Gitpod is installed: Gitpod's namespace, not the Job's own.
          NAMESPACE: props.namespaceName,
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
          ...(sshGatewayHostKey === undefined ? {} : { SSH_GATEWAY_HOST_KEY_SECRET: sshGatewayHostKey }),
          ...(customCa.bundleSources === undefined ? {} : { CUSTOM_CA_BUNDLE_SECRET: customCa.trusted, CUSTOM_CA_BUNDLE_SOURCES: customCa.bundleSources.join(" ") }),
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
      // The release record stays in Gitpod's namespace, where earlier versions installed it: Helm
      // cannot move a release, and Terraform would replace it, whose pre-delete hook uninstalls
      // Gitpod. Only the Jobs, the one thing that runs as the installer, go to its namespace (they
      // name it themselves). docs/security.md, "The installer's rights".
      releaseName: installerName,
      namespace,
      // Hooks run inside helm's wait: the longer Job's deadline bounds it.
      timeoutSeconds: Math.max(deadlines.apply, deadlines.uninstall) + 300,
      checksums: { inputs: Fn.sha256(Fn.jsonencode(inputs.data)) },
      sensitiveChecksums: { secrets: Fn.sha256(Fn.jsonencode(secretData)) },
      // The pre-delete hook needs its service account and rights until Gitpod is uninstalled; what a
      // dependency needs first (the certificate's issuer, a registry login...) must exist too.
      dependsOn: [
        // The checksum no longer refers to the Secrets: the installer's Jobs read them.
        ...secrets,
        serviceAccount,
        role,
        roleBinding,
        clusterRole,
        clusterRoleBinding,
        ...[props.certificate, props.database, props.objectStorage, props.containerRegistry].flatMap((dependency) => dependency.prerequisites ?? []),
      ],
    });
    this.chart = installer.chart;
    this.release = installer.release;
  }

  /**
   * The secret Gitpod's `customCACert` names, and, when it is a bundle the release script makes,
   * the secrets (each with `ca.crt`) it is made of.
   */
  private customCaSecrets(
    props: GitpodInstallationProps,
    prefix: string,
    secret: (id: string, name: string, data: Record<string, string>) => string,
  ): { trusted?: string; bundleSources?: readonly string[] } {
    const own = props.certificate.customCaSecretName;
    if (props.customCaCertificate === undefined) return { trusted: own };
    const given = secret("custom-ca-secret", `${prefix}-custom-ca`, { "ca.crt": props.customCaCertificate });
    return own === undefined ? { trusted: given } : { trusted: `${prefix}-ca-bundle`, bundleSources: [own, given] };
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
        return secret("registry-auth-secret", `${prefix}-registry-auth`, { ".dockerconfigjson": dockerConfigJson(auth) }, "kubernetes.io/dockerconfigjson");
      }
    }
  }
}

interface InstallerJobProps {
  readonly name: string;
  /** The installer's namespace. */
  readonly namespace: string;
  readonly action: "apply" | "uninstall";
  readonly hook: string;
  readonly image: string;
  readonly serviceAccountName: string;
  readonly inputsConfigMap: string;
  readonly seedSecret: string;
  readonly imagePullSecrets?: readonly string[];
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
      namespace: props.namespace,
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
          ...imagePullSecretsOf(props.imagePullSecrets),
          // The service account mounts its token into no pod that does not ask for it.
          automountServiceAccountToken: true,
          restartPolicy: "Never",
          // Pod Security "restricted", which the installer's namespace enforces: nothing the
          // script runs needs root (helm, kubectl and gpctl write only below HOME=/tmp).
          securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: "RuntimeDefault" } },
          containers: [
            {
              name: "installer",
              image: props.image,
              // The image's entrypoint is the installer binary; the script calls it itself.
              command: ["/bin/sh", `${INPUTS_MOUNT}/gitpod-release.sh`, props.action],
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
              env: [
                { name: "HOME", value: "/tmp" },
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

/** A rule as the kubernetes provider takes it. */
const providerRule = (rule: PolicyRule) => ({
  apiGroups: [...rule.apiGroups],
  resources: [...rule.resources],
  verbs: [...rule.verbs],
  resourceNames: rule.resourceNames && [...rule.resourceNames],
});
