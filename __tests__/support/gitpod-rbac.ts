/**
 * Facts about the RBAC objects Gitpod 2022.11.3's installer renders (docs/gitpod-installer.md,
 * "Gitpod's RBAC objects"), read from the render test outputs of the installer's source at that
 * tag: every configuration there renders the same roles. Role names that contain the namespace
 * take it as an argument.
 */
import type { PolicyRule } from "../../modules/gitpod/installer-rbac";

const READ = ["get", "list", "watch"];
const ALL = ["get", "list", "create", "update", "patch", "watch", "delete", "deletecollection"];

export interface GitpodRbac {
  /** Rules of the ClusterRoles in the render (ws-daemon, registry-facade, ws-manager, kube-rbac-proxy). */
  readonly clusterRoleRules: readonly PolicyRule[];
  /** Rules of the Roles in the render, all in Gitpod's namespace (agent-smith, messagebus, server, ws-manager, ws-proxy). */
  readonly roleRules: readonly PolicyRule[];
  /** Roles bound by the render's bindings that the render does not contain. */
  readonly boundNotRendered: { readonly clusterRoles: readonly string[]; readonly roles: readonly string[] };
  /** Kinds of the render's objects, with their API group and resource. */
  readonly namespacedKinds: ReadonlyArray<{ readonly kind: string; readonly apiGroup: string; readonly resource: string }>;
  readonly clusterKinds: ReadonlyArray<{ readonly kind: string; readonly apiGroup: string; readonly resource: string }>;
}

export function gitpodRbac(namespace: string): GitpodRbac {
  return {
    clusterRoleRules: [
      { apiGroups: ["authentication.k8s.io"], resources: ["tokenreviews"], verbs: ["create"] },
      { apiGroups: ["authorization.k8s.io"], resources: ["subjectaccessreviews"], verbs: ["create"] },
      { apiGroups: [""], resources: ["nodes"], verbs: ["get", "list", "update", "patch"] },
      { apiGroups: [""], resources: ["pods", "services"], verbs: READ },
      { apiGroups: [""], resources: ["pods"], verbs: ["delete", "update", "patch"] },
      { apiGroups: [""], resources: ["nodes"], verbs: READ },
      { apiGroups: ["snapshot.storage.k8s.io"], resources: ["volumesnapshotcontents", "volumesnapshotclasses"], verbs: ALL },
    ],
    roleRules: [
      { apiGroups: [""], resources: ["pods"], verbs: ["get", "update"] },
      { apiGroups: [""], resources: ["endpoints"], verbs: ["get"] },
      { apiGroups: [""], resources: ["events"], verbs: ["create"] },
      { apiGroups: [""], resources: ["services"], verbs: ["get", "list", "create", "update", "patch", "watch"] },
      { apiGroups: [""], resources: ["pods", "pods/log"], verbs: ["get", "list", "create", "update", "patch", "watch"] },
      { apiGroups: [""], resources: ["pods", "pods/log", "events", "services", "endpoints", "configmaps", "persistentvolumeclaims"], verbs: ALL },
      { apiGroups: [""], resources: ["secrets"], verbs: ["get", "create", "delete", "watch", "list"] },
      { apiGroups: ["snapshot.storage.k8s.io"], resources: ["volumesnapshots"], verbs: ALL },
      { apiGroups: [""], resources: ["pods"], verbs: READ },
    ],
    boundNotRendered: {
      clusterRoles: [`${namespace}-ns-psp:restricted-root-user`, `${namespace}-ns-psp:unprivileged`, `${namespace}-ns-image-builder-mk3`, "ide-metrics", "ide-service"],
      roles: ["workspace"],
    },
    namespacedKinds: [
      { kind: "ConfigMap", apiGroup: "", resource: "configmaps" },
      { kind: "Secret", apiGroup: "", resource: "secrets" },
      { kind: "Service", apiGroup: "", resource: "services" },
      { kind: "ServiceAccount", apiGroup: "", resource: "serviceaccounts" },
      { kind: "PersistentVolumeClaim", apiGroup: "", resource: "persistentvolumeclaims" },
      { kind: "ResourceQuota", apiGroup: "", resource: "resourcequotas" },
      { kind: "Deployment", apiGroup: "apps", resource: "deployments" },
      { kind: "StatefulSet", apiGroup: "apps", resource: "statefulsets" },
      { kind: "DaemonSet", apiGroup: "apps", resource: "daemonsets" },
      { kind: "Job", apiGroup: "batch", resource: "jobs" },
      { kind: "CronJob", apiGroup: "batch", resource: "cronjobs" },
      { kind: "PodDisruptionBudget", apiGroup: "policy", resource: "poddisruptionbudgets" },
      { kind: "NetworkPolicy", apiGroup: "networking.k8s.io", resource: "networkpolicies" },
      { kind: "Certificate", apiGroup: "cert-manager.io", resource: "certificates" },
      { kind: "Issuer", apiGroup: "cert-manager.io", resource: "issuers" },
      { kind: "Role", apiGroup: "rbac.authorization.k8s.io", resource: "roles" },
      { kind: "RoleBinding", apiGroup: "rbac.authorization.k8s.io", resource: "rolebindings" },
    ],
    clusterKinds: [
      { kind: "ClusterRole", apiGroup: "rbac.authorization.k8s.io", resource: "clusterroles" },
      { kind: "ClusterRoleBinding", apiGroup: "rbac.authorization.k8s.io", resource: "clusterrolebindings" },
    ],
  };
}
