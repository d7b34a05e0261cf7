import { TerraformOutput } from "cdktf";
import type { Construct } from "constructs";
import { SENSITIVE_VARIABLES, type BackendConfig, type GitpodCdktfConfig, type ScmProviderConfig } from "../config/schema";
import type { GitpodAuthProvider } from "../modules/gitpod/dependencies";
import { GitpodInstallation } from "../modules/gitpod/gitpod-installation";
import type { ProvidedDependencies } from "../modes";
import { GitpodStack, sensitiveVariable } from "./gitpod-stack";
import { helmProvider, kubernetesProvider, randomProvider, type ClusterAccess } from "./providers";

export interface GitpodReleaseStackProps {
  readonly backend: BackendConfig;
  readonly cluster: ClusterAccess;
  readonly namePrefix: string;
  readonly domain: string;
  readonly gitpod: GitpodCdktfConfig["gitpod"];
  /** Gitpod's namespace (a reference to the prerequisites stack's namespace). */
  readonly namespace: string;
  /** The installer's namespace (a reference to the prerequisites stack's namespace). */
  readonly installerNamespace: string;
  /** The same namespace by name. */
  readonly installerNamespaceName: string;
  readonly encryptionKeys: string;
  /**
   * Builds Gitpod's dependencies with the chosen modes, once this stack exists: a mode may put
   * resources here too (a token refresher, an issuer, the variable holding a password).
   */
  readonly dependencies: (stack: GitpodReleaseStack) => ProvidedDependencies;
  readonly scmProviders: readonly ScmProviderConfig[];
  /** A private CA (PEM) Gitpod trusts besides its certificate's own. */
  readonly caCertificate?: string;
  /** The mirror's pull secrets, in Gitpod's and the installer's namespaces. */
  readonly imagePullSecrets: readonly string[];
}

/** Gitpod: its secrets, TLS certificate, installer config and the release itself. */
export class GitpodReleaseStack extends GitpodStack {
  readonly installation: GitpodInstallation;

  constructor(scope: Construct, id: string, props: GitpodReleaseStackProps) {
    super(scope, id, props.backend);
    kubernetesProvider(this, props.cluster);
    helmProvider(this, props.cluster);
    randomProvider(this);
    const { gitpod, namespace } = props;
    const dependencies = props.dependencies(this);

    this.installation = new GitpodInstallation(this, "gitpod", {
      namespace,
      namespaceName: gitpod.namespace,
      installerNamespace: props.installerNamespace,
      installerNamespaceName: props.installerNamespaceName,
      namePrefix: props.namePrefix,
      domain: props.domain,
      version: gitpod.version,
      repository: gitpod.repository,
      installerImage: gitpod.installerImage,
      dropImageRepo: gitpod.dropImageRepo,
      workspaceRuntime: gitpod.workspaceRuntime,
      proxyServiceType: gitpod.proxy.serviceType,
      proxyServiceAnnotations: gitpod.proxy.serviceAnnotations,
      database: dependencies.database,
      encryptionKeys: props.encryptionKeys,
      objectStorage: dependencies.storage,
      containerRegistry: dependencies.registry,
      certificate: dependencies.tls,
      manifests: dependencies.tls.manifests,
      authProviders: props.scmProviders.map((provider) => this.authProvider(provider)),
      installTimeoutSeconds: gitpod.installTimeout,
      imagePullSecrets: props.imagePullSecrets,
      signUpPasslist: gitpod.blockNewUsers.enabled ? gitpod.blockNewUsers.passlist : undefined,
      license: gitpod.license.enabled ? sensitiveVariable(this, SENSITIVE_VARIABLES.gitpodLicense, "Gitpod's license key") : undefined,
      sshGateway: gitpod.sshGateway.enabled,
      openVsxUrl: gitpod.openVsx?.url,
      customCaCertificate: props.caCertificate,
      installerConfigOverride: gitpod.installerConfig,
    });

    new TerraformOutput(this, "url", { value: `https://${props.domain}`, description: "Gitpod's dashboard" });
    new TerraformOutput(this, "installer_logs", {
      value: `kubectl logs --namespace ${props.installerNamespaceName} job/${props.namePrefix}-installer-apply`,
      description: "Where the last install or upgrade of Gitpod logged what it did",
    });
  }

  /** An SCM OAuth app; its client secret is a sensitive variable, never part of the config. */
  private authProvider(provider: ScmProviderConfig): GitpodAuthProvider {
    const clientSecret = sensitiveVariable(
      this,
      provider.clientSecretVariable,
      `OAuth client secret of the ${provider.type} app "${provider.id}" (${provider.host})`,
    );
    return { id: provider.id, type: provider.type, host: provider.host, clientId: provider.clientId, clientSecret };
  }
}
