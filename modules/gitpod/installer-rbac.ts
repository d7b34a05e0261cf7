/**
 * The rights of the installer's service account: what installing, upgrading and uninstalling Gitpod
 * 2022.11.3 takes, and nothing more (docs/security.md, "The installer's rights"; the facts about
 * Gitpod's own RBAC objects: docs/gitpod-installer.md, "Gitpod's RBAC objects").
 *
 * Kubernetes lets nobody create a Role or ClusterRole granting rights it does not hold itself, nor
 * bind one, unless it has the `escalate` or `bind` verb. `escalate` on any role is as good as
 * cluster-admin (grant yourself anything), so the installer instead holds every right Gitpod's
 * roles grant, and `bind` only on the roles Gitpod binds without rendering them.
 */

/** One rule of a Role or ClusterRole, as Kubernetes writes it. */
export interface PolicyRule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
  readonly resourceNames?: readonly string[];
}

/** Helm installs, upgrades (3-way patches), rolls back and uninstalls; `--wait` lists and watches. */
const MANAGE = ["get", "list", "watch", "create", "update", "patch", "delete"] as const;
/** Every verb a Gitpod role grants on a resource (ws-manager's Role, ws-manager's ClusterRole). */
const ALL = [...MANAGE, "deletecollection"] as const;

export interface InstallerRules {
  /** Bound cluster-wide (ClusterRoleBinding): cluster-scoped objects and what Gitpod's ClusterRoles grant. */
  readonly cluster: readonly PolicyRule[];
  /** Bound in Gitpod's namespace only (RoleBinding). */
  readonly namespace: readonly PolicyRule[];
}

/** The installer's rules for a Gitpod installed into `gitpodNamespace` (some role names contain it). */
export function installerRules(gitpodNamespace: string): InstallerRules {
  return {
    cluster: [
      // Gitpod's cluster-scoped objects: 4 ClusterRoles and 20 ClusterRoleBindings, nothing else.
      { apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles", "clusterrolebindings"], verbs: MANAGE },
      // Bindings to ClusterRoles the render refers to but does not contain: only `bind` on their
      // names lets anyone but cluster-admin create those bindings. They grant nothing while the
      // roles do not exist, and the installer could only create them with rights it holds.
      {
        apiGroups: ["rbac.authorization.k8s.io"],
        resources: ["clusterroles"],
        verbs: ["bind"],
        resourceNames: [
          `${gitpodNamespace}-ns-psp:restricted-root-user`,
          `${gitpodNamespace}-ns-psp:unprivileged`,
          `${gitpodNamespace}-ns-image-builder-mk3`,
          "ide-metrics",
          "ide-service",
        ],
      },
      // What Gitpod's ClusterRoles grant (ws-daemon, registry-facade, ws-manager, kube-rbac-proxy),
      // which the installer must hold to create them.
      { apiGroups: [""], resources: ["nodes"], verbs: ["get", "list", "watch", "update", "patch"] },
      { apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch", "update", "patch", "delete"] },
      { apiGroups: [""], resources: ["services"], verbs: ["get", "list", "watch"] },
      { apiGroups: ["snapshot.storage.k8s.io"], resources: ["volumesnapshotcontents", "volumesnapshotclasses"], verbs: ALL },
      { apiGroups: ["authentication.k8s.io"], resources: ["tokenreviews"], verbs: ["create"] },
      { apiGroups: ["authorization.k8s.io"], resources: ["subjectaccessreviews"], verbs: ["create"] },
    ],
    namespace: [
      // Gitpod's namespaced objects, Helm's release records (Secrets), what `helm --wait` reads
      // (pods, replicasets, events), the secrets the release script checksums, the ones it writes
      // (SSH gateway host key: get, create; custom CA bundle: get, create, patch) and gpctl's TLS
      // secrets; all verbs where one of Gitpod's Roles grants them (ws-manager: pods, events,
      // services, endpoints, configmaps, persistentvolumeclaims, secrets).
      {
        apiGroups: [""],
        resources: ["configmaps", "endpoints", "events", "persistentvolumeclaims", "pods", "pods/log", "resourcequotas", "secrets", "serviceaccounts", "services"],
        verbs: ALL,
      },
      // gpctl reaches ws-manager through a port-forward to its pod (stopping workspaces).
      { apiGroups: [""], resources: ["pods/portforward"], verbs: ["get", "create"] },
      { apiGroups: ["apps"], resources: ["daemonsets", "deployments", "replicasets", "statefulsets"], verbs: MANAGE },
      { apiGroups: ["batch"], resources: ["cronjobs", "jobs"], verbs: MANAGE },
      { apiGroups: ["policy"], resources: ["poddisruptionbudgets"], verbs: MANAGE },
      { apiGroups: ["networking.k8s.io"], resources: ["networkpolicies"], verbs: MANAGE },
      { apiGroups: ["cert-manager.io"], resources: ["certificates", "issuers"], verbs: MANAGE },
      { apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles", "rolebindings"], verbs: MANAGE },
      // The Role `workspace` is bound but not rendered, like the ClusterRoles above.
      { apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles"], verbs: ["bind"], resourceNames: ["workspace"] },
      // ws-manager's Role.
      { apiGroups: ["snapshot.storage.k8s.io"], resources: ["volumesnapshots"], verbs: ALL },
    ],
  };
}
