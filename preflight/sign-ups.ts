/**
 * Who can create a Gitpod account, from the config alone. Gitpod lets anyone who can log in to
 * one of its source-control hosts sign up unless `gitpod.blockNewUsers` limits it: on a public
 * host (github.com, gitlab.com, bitbucket.org) that is anyone at all.
 */
import type { CheckResult } from "./checks";
import { GITPOD } from "./images";

export interface SignUpPolicy {
  /** E-mail domains that may still sign up; undefined when sign-ups are open. */
  readonly passlist?: readonly string[];
  /** The hosts of the configured SCM providers. */
  readonly hosts: readonly string[];
  /** The hosts where anyone can make an account. */
  readonly publicHosts: readonly string[];
}

export function checkSignUps(policy: SignUpPolicy): CheckResult {
  const row = { dependency: GITPOD, check: "sign-ups" };
  if (policy.passlist !== undefined) return { ...row, status: "pass", detail: `limited to e-mail domains ${policy.passlist.join(", ")}` };
  const open = policy.hosts.filter((host) => policy.publicHosts.includes(host));
  if (open.length === 0) {
    const hosts = policy.hosts.length === 0 ? "no source-control host yet" : policy.hosts.join(", ");
    return { ...row, status: "pass", detail: `open to every user of ${hosts} (none is public)` };
  }
  return {
    ...row,
    status: "warn",
    detail: `open to anyone with an account on ${open.join(", ")}`,
    hint: "limit sign-ups to your e-mail domains: gitpod.blockNewUsers: {enabled: true, passlist: [acme.dev]}",
  };
}
