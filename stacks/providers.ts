import { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { RandomProvider } from "@cdktf/provider-random/lib/provider";
import type { Construct } from "constructs";
import type { GitpodCdktfConfig } from "../config/schema";

export type ClusterAccess = GitpodCdktfConfig["kubernetes"];

/** Kubeconfig settings, or none: then the providers read KUBE_* variables (Terraform Cloud, CI). */
function kubeconfig(access: ClusterAccess) {
  return { configPath: access.configPath === "" ? undefined : access.configPath, configContext: access.context };
}

export function kubernetesProvider(scope: Construct, access: ClusterAccess): KubernetesProvider {
  return new KubernetesProvider(scope, "kubernetes", kubeconfig(access));
}

export function helmProvider(scope: Construct, access: ClusterAccess): HelmProvider {
  return new HelmProvider(scope, "helm", { kubernetes: kubeconfig(access) });
}

export function randomProvider(scope: Construct): RandomProvider {
  return new RandomProvider(scope, "random");
}
