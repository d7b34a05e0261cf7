import { TerraformOutput } from "cdktf";
import type { Construct } from "constructs";
import type { BackendConfig, GitpodCdktfConfig, ScmProviderConfig } from "../config/schema";
import type {
  GitpodAuthProvider,
  GitpodContainerRegistry,
  GitpodDatabase,
  GitpodObjectStorage,
} from "../modules/gitpod/dependencies";
import { GitpodInstallation } from "../modules/gitpod/gitpod-installation";
import type { CertificateSource } from "../modules/tls/gitpod-certificate";
import { GitpodStack, sensitiveVariable } from "./gitpod-stack";
import { helmProvider, kubernetesProvider, randomProvider, type ClusterAccess } from "./providers";

/** What a dependency created in the release stack may need to know. */
export interface ReleaseContext {
  /** Gitpod's namespace (a reference to the prerequisites stack's namespace). */
  readonly namespace: string;
  readonly gitpod: GitpodCdktfConfig["gitpod"];
}

/**
 * How the release stack obtains one of Gitpod's dependencies: a module created in another stack
 * (its values cross as remote state), or one created in this stack (around a sensitive variable,
 * or Kubernetes objects such as a token refresher). The scope is this stack.
 */
export type DependencySource<T> = (scope: Construct, context: ReleaseContext) => T;

export interface GitpodReleaseStackProps {
  readonly backend: BackendConfig;
  readonly cluster: ClusterAccess;
  readonly namePrefix: string;
  readonly domain: string;
  readonly gitpod: GitpodCdktfConfig["gitpod"];
  readonly namespace: string;
  readonly encryptionKeys: string;
  readonly database: DependencySource<GitpodDatabase>;
  readonly objectStorage: DependencySource<GitpodObjectStorage>;
  readonly containerRegistry: DependencySource<GitpodContainerRegistry>;
  readonly certificate: DependencySource<CertificateSource>;
  readonly scmProviders: readonly ScmProviderConfig[];
  /** Keep Gitpod's own volumes (the in-cluster registry) when the release is uninstalled. */
  readonly keepVolumesOnUninstall: boolean;
}

/** Gitpod: its secrets, TLS certificate, installer config and the release itself. */
export class GitpodReleaseStack extends GitpodStack {
  readonly installation: GitpodInstallation;

  constructor(scope: Construct, id: string, props: GitpodReleaseStackProps) {
    super(scope, id, props.backend);
    kubernetesProvider(this, props.cluster);
    helmProvider(this, props.cluster);
    randomProvider(this);
    const gitpod = props.gitpod;
    const context: ReleaseContext = { namespace: props.namespace, gitpod };
    const certificate = props.certificate(this, context);

    this.installation = new GitpodInstallation(this, "gitpod", {
      namespace: props.namespace,
      namePrefix: props.namePrefix,
      domain: props.domain,
      version: gitpod.version,
      repository: gitpod.repository,
      installerImage: gitpod.installerImage,
      dropImageRepo: gitpod.dropImageRepo,
      workspaceRuntime: {
        fsShiftMethod: gitpod.workspaceRuntime.fsShiftMethod,
        containerdRuntimeDir: gitpod.workspaceRuntime.containerdRuntimeDir,
        containerdSocket: gitpod.workspaceRuntime.containerdSocket,
      },
      proxyServiceType: gitpod.proxy.serviceType,
      proxyServiceAnnotations: gitpod.proxy.serviceAnnotations,
      database: props.database(this, context),
      encryptionKeys: props.encryptionKeys,
      objectStorage: props.objectStorage(this, context),
      containerRegistry: props.containerRegistry(this, context),
      certificate,
      manifests: certificate.manifests,
      authProviders: props.scmProviders.map((provider) => this.authProvider(provider)),
      installTimeoutSeconds: gitpod.installTimeout,
      keepVolumesOnUninstall: props.keepVolumesOnUninstall,
    });

    new TerraformOutput(this, "url", { value: `https://${props.domain}`, description: "Gitpod's dashboard" });
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
