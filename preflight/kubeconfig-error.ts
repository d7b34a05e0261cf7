/** A kubeconfig that cannot be used; `missing` when there is none at all (the cluster may not exist yet). */
export class KubeconfigError extends Error {
  constructor(
    message: string,
    readonly missing = false,
  ) {
    super(message);
    this.name = "KubeconfigError";
  }
}
