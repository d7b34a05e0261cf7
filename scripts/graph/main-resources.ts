/**
 * Which resources the diagram names, by type. A stack holds many resources that only support
 * others (secrets, config maps, services, RBAC, bucket settings); the diagram names the ones a
 * platform engineer asks about first, and counts the rest:
 * - what runs: Helm releases, Kubernetes workloads;
 * - what holds data or must outlive the rest: namespaces, volume claims, every AWS resource that
 *   is not a setting, policy or attachment of another one;
 * - what is generated once and kept: random_* (keys, passwords, seeds).
 * Add a type here when a new module brings one of these.
 */
const MAIN_TYPES: readonly RegExp[] = [
  /^helm_release$/,
  /^kubernetes_(namespace|deployment|stateful_set|daemon_set|job|cron_job|persistent_volume_claim|persistent_volume)(_v[0-9]+)?$/,
  /^random_/,
  /^aws_/,
];

/** AWS types that configure, authorise or attach another resource: supporting, not main. */
const AWS_SUPPORTING_TYPES =
  /^aws_iam_|_(policy|policy_attachment|attachment|association|rule|configuration|versioning|public_access_block|ownership_controls|acl|tags?)$/;

export function isMainResourceType(type: string): boolean {
  if (type.startsWith("aws_") && AWS_SUPPORTING_TYPES.test(type)) return false;
  return MAIN_TYPES.some((pattern) => pattern.test(type));
}
