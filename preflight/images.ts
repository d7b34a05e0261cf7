/**
 * What the config alone says about the images this project deploys. The installer's runs with
 * rights over the cluster's RBAC (docs/security.md, "The installer's rights"): a tag can be moved to
 * another image by whoever can push to it, a digest names exactly one image.
 */
import type { CheckResult } from "./checks";

export const GITPOD = "gitpod";

/** `<repository>[:tag]@sha256:<64 hex>`: the form the config accepts for a pinned image. */
export const isPinnedByDigest = (image: string): boolean => /@sha256:[a-f0-9]{64}$/.test(image);

export function checkInstallerImage(image: string): CheckResult {
  const row = { dependency: GITPOD, check: "installer image" };
  if (isPinnedByDigest(image)) return { ...row, status: "pass", detail: `pinned by digest: ${image}` };
  return {
    ...row,
    status: "warn",
    detail: `referenced by tag only: ${image}; whoever can push that tag chooses what runs with the installer's rights`,
    hint: `pin it by digest in gitpod.installerImage (${image}@sha256:<digest>); the digest of what the tag names now: crane digest ${image}, or skopeo inspect --format '{{.Digest}}' docker://${image}`,
  };
}
