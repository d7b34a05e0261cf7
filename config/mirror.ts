/**
 * A private registry mirror: every third-party image this project deploys is pulled from
 * `<registry>/<its path without the registry host>` instead of from the public registries, and
 * Gitpod's own images from `<registry>/gitpod-core-dev/build` unless `gitpod.repository` says
 * otherwise. docs/air-gapped.md lists what to copy into it.
 */
import * as v from "valibot";
import { HOST_AND_PORT, matching, nonEmptyString, section, urlWithScheme } from "./primitives";

export const mirrorSchema = section({
  /** The mirror's host (with :port if not 443) and optional path, e.g. registry.acme.dev/mirror. */
  registry: matching(
    new RegExp(`^${HOST_AND_PORT}(/[a-z0-9]+([._-][a-z0-9]+)*)*$`),
    "must be a registry host with an optional :port and path, without scheme or tag, e.g. registry.acme.dev/mirror",
  ),
  /**
   * When the mirror needs a login: every pod pulling from it gets a pull secret with this user and
   * the password from the sensitive variable TF_VAR_mirror_password. Default: pulls anonymously.
   */
  username: v.optional(nonEmptyString),
  /**
   * A Helm repository (https) or OCI registry (oci://) holding the charts this project installs
   * (cert-manager, external-dns), the default of each chart's own `chartRepository`. Default:
   * each chart's public repository.
   */
  chartRepository: v.optional(
    urlWithScheme(["https", "oci"], "must be an https URL of a Helm repository or an oci:// registry path, e.g. oci://registry.acme.dev/charts"),
  ),
});

export type MirrorSection = v.InferOutput<typeof mirrorSchema>;

/** True when the first path component of an image reference names a registry host. */
function namesRegistry(component: string): boolean {
  return component.includes(".") || component.includes(":") || component === "localhost";
}

/**
 * Where a public image is pulled from with this mirror: the mirror's path followed by the image's
 * path on its registry (Docker Hub's short names get Docker's `library/` prefix), so
 * `quay.io/jetstack/cert-manager-controller:v1.16.5` becomes
 * `registry.acme.dev/jetstack/cert-manager-controller:v1.16.5`. Without a mirror, the image as is.
 */
export function mirroredImage(reference: string, mirror: MirrorSection | undefined): string {
  if (mirror === undefined) return reference;
  const [first, ...rest] = reference.split("/");
  const imagePath = rest.length > 0 && namesRegistry(first) ? rest.join("/") : rest.length === 0 ? `library/${reference}` : reference;
  return `${mirror.registry}/${imagePath}`;
}

/** The host (and port) pods log in to for the mirror: the key of the pull secret's `auths`. */
export function mirrorHost(mirror: MirrorSection): string {
  return mirror.registry.split("/")[0];
}

/** The pull secret for the mirror, the same name in every namespace that pulls from it. */
export const mirrorPullSecretName = (name: string) => `${name}-mirror-pull`;
