import { Release } from "@cdktf/provider-helm/lib/release";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { plainYaml } from "../yaml/plain-yaml";

/** The jetstack chart repository. */
export const DEFAULT_CERT_MANAGER_CHART_REPOSITORY = "https://charts.jetstack.io";

export interface CertManagerProps {
  /** Chart version (a cert-manager release tag such as v1.16.5). */
  readonly version: string;
  /** Namespace to install into; created if missing. */
  readonly namespace: string;
  /**
   * Secrets in `namespace` to pull the images with (a mirror's login). They must exist before the
   * chart is installed, so the namespace must too: create both first and say so with
   * `createNamespace: false`.
   * @default none
   */
  readonly imagePullSecrets?: readonly string[];
  /**
   * Let Helm create the namespace when it does not exist.
   * @default true
   */
  readonly createNamespace?: boolean;
  /**
   * What must exist first (the namespace's pull secrets).
   * @default none
   */
  readonly dependsOn?: readonly ITerraformDependable[];
  /**
   * Helm repository of the jetstack chart (or a mirror of it).
   * @default DEFAULT_CERT_MANAGER_CHART_REPOSITORY
   */
  readonly chartRepository?: string;
  /**
   * Seconds to wait for cert-manager to be ready.
   * @default 600
   */
  readonly timeoutSeconds?: number;
  /**
   * Images of the components as `repository[:tag][@sha256:digest]`, e.g. pinned by digest.
   * @default the chart's, by tag
   */
  readonly images?: CertManagerImages;
}

/** The chart's components that run an image of their own. */
export type CertManagerImages = Readonly<Partial<Record<"controller" | "webhook" | "cainjector" | "acmesolver" | "startupapicheck", string>>>;

/**
 * cert-manager from the jetstack chart, CRDs included. `helm_release` waits until the deployments
 * are ready and the chart's startupapicheck Job has confirmed that the webhook accepts objects, so
 * stacks that create cert-manager objects afterwards do not race it.
 */
export class CertManager extends Construct {
  readonly release: Release;
  /** Namespace cert-manager runs in (a reference: depending on it waits for the installation). */
  readonly namespace: string;

  constructor(scope: Construct, id: string, props: CertManagerProps) {
    super(scope, id);
    this.release = new Release(this, "release", {
      name: "cert-manager",
      repository: props.chartRepository ?? DEFAULT_CERT_MANAGER_CHART_REPOSITORY,
      chart: "cert-manager",
      version: props.version,
      namespace: props.namespace,
      createNamespace: props.createNamespace ?? true,
      values: [plainYaml(certManagerValues(props.version, props.images, props.imagePullSecrets))],
      wait: true,
      waitForJobs: true,
      atomic: true,
      timeout: props.timeoutSeconds ?? 600,
      dependsOn: props.dependsOn === undefined ? undefined : [...props.dependsOn],
    });
    this.namespace = this.release.namespace;
  }
}

const atLeast = (version: string, wantedMinor: number) => {
  const [major, minor] = version.replace(/^v/, "").split(".").map(Number);
  return major > 1 || (major === 1 && minor >= wantedMinor);
};

/**
 * The images the jetstack chart of `version` runs by default (quay.io, tagged with the release):
 * what a mirror must hold. The startupapicheck Job ran cert-manager-ctl before v1.12.
 */
export function certManagerPublicImages(version: string): Required<CertManagerImages> {
  const image = (name: string) => `quay.io/jetstack/cert-manager-${name}:${version}`;
  return {
    controller: image("controller"),
    webhook: image("webhook"),
    cainjector: image("cainjector"),
    acmesolver: image("acmesolver"),
    startupapicheck: image(atLeast(version, 12) ? "startupapicheck" : "ctl"),
  };
}

/** Chart values; the CRD switch was renamed in cert-manager v1.15. */
export function certManagerValues(version: string, images: CertManagerImages = {}, imagePullSecrets: readonly string[] = []): Record<string, unknown> {
  const crdsAsValues = atLeast(version, 15);
  // Keep the CRDs on uninstall: deleting them would delete every Certificate in the cluster.
  const values: Record<string, unknown> = crdsAsValues ? { crds: { enabled: true, keep: true } } : { installCRDs: true };
  if (imagePullSecrets.length > 0) values.global = { imagePullSecrets: imagePullSecrets.map((name) => ({ name })) };
  // The controller's image is the chart's top-level `image`, the others' `<component>.image`.
  for (const [component, reference] of Object.entries(images)) {
    if (reference === undefined) continue;
    if (component === "controller") values.image = chartImage(reference);
    else values[component] = { image: chartImage(reference) };
  }
  return values;
}

/**
 * The chart's image values for `repository[:tag][@sha256:digest]`. The chart writes
 * `repository@digest` when it has a digest (a tag beside it would be ignored) and `repository:tag`
 * otherwise.
 */
export function chartImage(reference: string): { repository: string; tag?: string; digest?: string } {
  const [name, digest] = reference.split("@");
  const colon = name.lastIndexOf(":");
  const tagged = colon > name.lastIndexOf("/");
  const repository = tagged ? name.slice(0, colon) : name;
  if (digest !== undefined) return { repository, digest };
  return tagged ? { repository, tag: name.slice(colon + 1) } : { repository };
}
