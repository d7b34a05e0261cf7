/**
 * A Kubernetes object as written into a manifest. Modules build them with the typed interfaces of
 * `kubernetes-models` (type-only imports), so a misspelt field fails compilation; tests validate
 * them against the OpenAPI schemas as well.
 */
export interface KubernetesObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata?: { readonly name?: string };
}

/** Marks the objects this project creates, so `kubectl get -l` finds them. */
export const MANAGED_BY_LABEL = { "app.kubernetes.io/managed-by": "gitpod-cdktf" } as const;

/** A pod spec's `imagePullSecrets` for these secrets: nothing at all when there are none. */
export function imagePullSecretsOf(names: readonly string[] | undefined): { imagePullSecrets?: { name: string }[] } {
  return names === undefined || names.length === 0 ? {} : { imagePullSecrets: names.map((name) => ({ name })) };
}
