import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { TerraformOutput } from "cdktf";
import type { Construct } from "constructs";
import { mirroredImage, mirrorHost, mirrorPullSecretName, type MirrorSection } from "../config/mirror";
import { SENSITIVE_VARIABLES, type BackendConfig, type TlsConfig } from "../config/schema";
import { CertManager, certManagerPublicImages } from "../modules/cert-manager/cert-manager";
import { MANAGED_BY_LABEL } from "../modules/helm-chart/kubernetes-object";
import { RegistryPullSecret } from "../modules/registry-login/registry-pull-secret";
import type { ModeNamespace } from "../modes/mode";
import { GitpodStack, sensitiveVariable } from "./gitpod-stack";
import { helmProvider, kubernetesProvider, type ClusterAccess } from "./providers";

export interface ClusterPrerequisitesStackProps {
  readonly backend: BackendConfig;
  readonly cluster: ClusterAccess;
  readonly certManager: TlsConfig["certManager"];
  readonly gitpodNamespace: string;
  /**
   * The installer's own namespace: its service account, hook Jobs and inputs, nothing else. It
   * holds no data, so it is never protected from destroy.
   */
  readonly installerNamespace: string;
  /** The namespace holds volumes (in-cluster services, the registry): protect it from destroy. */
  readonly protectNamespace: boolean;
  /**
   * The registry mirror every third-party image comes from; with a `username`, its pull secret is
   * made in every namespace that pulls from it (the password is the variable mirror_password).
   * @default the public registries
   */
  readonly mirror?: MirrorSection;
  /**
   * Name prefix of the objects of this installation (the pull secret).
   */
  readonly namePrefix: string;
}


/**
 * What must exist before anything of Gitpod: cert-manager (the release contains cert-manager
 * objects, so its CRDs must be installed by an earlier Terraform run), Gitpod's namespace and the
 * installer's. Gitpod's namespace lives here, not with the release, so the release can be
 * destroyed and installed again without deleting the volumes in it.
 */
export class ClusterPrerequisitesStack extends GitpodStack {
  /** Gitpod's namespace, as a reference: using it waits for this stack. */
  readonly gitpodNamespace: string;
  /** The installer's namespace, as a reference. */
  readonly installerNamespace: string;
  /** The mirror's pull secret in Gitpod's and the installer's namespaces, if the mirror needs a login. */
  readonly imagePullSecrets: readonly string[];
  private readonly pullSecret?: RegistryPullSecret;

  constructor(scope: Construct, id: string, props: ClusterPrerequisitesStackProps) {
    super(scope, id, props.backend);
    kubernetesProvider(this, props.cluster);
    const { certManager, mirror } = props;
    const labels = { ...MANAGED_BY_LABEL };
    const namespace = new NamespaceV1(this, "gitpod-namespace", {
      metadata: { name: props.gitpodNamespace, labels },
      lifecycle: { preventDestroy: props.protectNamespace },
    });
    this.gitpodNamespace = namespace.metadata.name;
    // Only the installer's hook Jobs run here, as its service account; they meet Pod Security
    // "restricted", and so must anything else (docs/security.md, "The installer's rights").
    const restricted = Object.fromEntries(["enforce", "audit", "warn"].map((mode) => [`pod-security.kubernetes.io/${mode}`, "restricted"]));
    const installerNamespace = new NamespaceV1(this, "installer-namespace", {
      metadata: { name: props.installerNamespace, labels: { ...labels, ...restricted } },
    });
    this.installerNamespace = installerNamespace.metadata.name;
    new TerraformOutput(this, "gitpod_namespace", { value: this.gitpodNamespace, description: "Namespace Gitpod runs in" });

    const login = mirror?.username === undefined ? undefined : { server: mirrorHost(mirror), username: mirror.username };
    this.pullSecret =
      login === undefined
        ? undefined
        : new RegistryPullSecret(this, "mirror-pull-secret", {
            name: mirrorPullSecretName(props.namePrefix),
            namespaces: { gitpod: this.gitpodNamespace, installer: this.installerNamespace },
            login: {
              ...login,
              password: sensitiveVariable(this, SENSITIVE_VARIABLES.mirrorPassword, `Password of ${login.username} at the registry mirror ${login.server}`),
            },
          });
    this.imagePullSecrets = this.pullSecret === undefined ? [] : [this.pullSecret.name];

    if (certManager.install) {
      helmProvider(this, props.cluster);
      // With a login, the pull secret must be in cert-manager's namespace before its pods start: the
      // namespace is made here rather than by Helm (only then, as existing installations have Helm's).
      const own = this.pullSecret === undefined ? undefined : this.namespaceWithPullSecret("cert-manager", certManager.namespace);
      const publicImages = certManagerPublicImages(certManager.version);
      new CertManager(this, "cert-manager", {
        version: certManager.version,
        namespace: certManager.namespace,
        chartRepository: certManager.chartRepository ?? mirror?.chartRepository,
        // Written out even where they are the chart's own, so the output names every image it runs.
        images: mapValues(publicImages, (image, component) => certManager.images[component] ?? mirroredImage(image, mirror)),
        imagePullSecrets: own?.imagePullSecrets,
        createNamespace: own === undefined,
        dependsOn: own?.dependsOn,
      });
    }
  }

  /** A namespace of this stack for workloads of its own, with the mirror's pull secret in it if it needs a login. */
  namespaceWithPullSecret(id: string, name: string): ModeNamespace {
    const namespace = new NamespaceV1(this, `${id}-namespace`, { metadata: { name, labels: { ...MANAGED_BY_LABEL } } }).metadata.name;
    if (this.pullSecret === undefined) return { name: namespace, imagePullSecrets: [], dependsOn: [] };
    return { name: namespace, imagePullSecrets: [this.pullSecret.name], dependsOn: [this.pullSecret.addNamespace(id, namespace)] };
  }
}

function mapValues<K extends string, T, U>(record: Readonly<Record<K, T>>, map: (value: T, key: K) => U): Record<K, U> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, map(value as T, key as K)])) as Record<K, U>;
}
