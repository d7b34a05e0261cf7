import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { TerraformOutput } from "cdktf";
import type { Construct } from "constructs";
import type { BackendConfig, TlsConfig } from "../config/schema";
import { CertManager } from "../modules/cert-manager/cert-manager";
import { MANAGED_BY_LABEL } from "../modules/helm-chart/kubernetes-object";
import { GitpodStack } from "./gitpod-stack";
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

  constructor(scope: Construct, id: string, props: ClusterPrerequisitesStackProps) {
    super(scope, id, props.backend);
    kubernetesProvider(this, props.cluster);
    if (props.certManager.install) {
      helmProvider(this, props.cluster);
      new CertManager(this, "cert-manager", {
        version: props.certManager.version,
        namespace: props.certManager.namespace,
        chartRepository: props.certManager.chartRepository,
        images: props.certManager.images,
      });
    }
    const namespace = new NamespaceV1(this, "gitpod-namespace", {
      metadata: { name: props.gitpodNamespace, labels: { ...MANAGED_BY_LABEL } },
      lifecycle: { preventDestroy: props.protectNamespace },
    });
    this.gitpodNamespace = namespace.metadata.name;
    // Only the installer's hook Jobs run here, as its service account; they meet Pod Security
    // "restricted", and so must anything else (docs/security.md, "The installer's rights").
    const restricted = Object.fromEntries(["enforce", "audit", "warn"].map((mode) => [`pod-security.kubernetes.io/${mode}`, "restricted"]));
    const installerNamespace = new NamespaceV1(this, "installer-namespace", {
      metadata: { name: props.installerNamespace, labels: { ...MANAGED_BY_LABEL, ...restricted } },
    });
    this.installerNamespace = installerNamespace.metadata.name;
    new TerraformOutput(this, "gitpod_namespace", { value: this.gitpodNamespace, description: "Namespace Gitpod runs in" });
  }
}
