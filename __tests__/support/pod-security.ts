/**
 * The Pod Security Standards' "restricted" profile (which includes "baseline"), as checks on a pod
 * spec: https://kubernetes.io/docs/concepts/security/pod-security-standards/ (policy version
 * "latest", Kubernetes 1.31). Returns one line per violation, so a test shows what is wrong.
 * Windows-only and deprecated fields (AppArmor annotations, spec.os) are not modelled.
 */
import type { IPodSpec } from "kubernetes-models/v1/PodSpec";
import type { IContainer } from "kubernetes-models/v1/Container";

/** Baseline: capabilities a container may add. Restricted narrows this to NET_BIND_SERVICE. */
const RESTRICTED_ADDABLE_CAPABILITIES = ["NET_BIND_SERVICE"];
/** Restricted: the only volume types allowed. */
const RESTRICTED_VOLUME_TYPES = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];
/** Baseline: sysctls a pod may set. */
const SAFE_SYSCTLS = new Set([
  "kernel.shm_rmid_forced",
  "net.ipv4.ip_local_port_range",
  "net.ipv4.ip_unprivileged_port_start",
  "net.ipv4.tcp_syncookies",
  "net.ipv4.ping_group_range",
  "net.ipv4.ip_local_reserved_ports",
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_fin_timeout",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
]);
const SELINUX_TYPES = [undefined, "", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"];

export function restrictedViolations(pod: IPodSpec): string[] {
  const violations: string[] = [];
  const report = (where: string, what: string) => violations.push(`${where}: ${what}`);
  const podContext = pod.securityContext ?? {};
  const containers: [string, IContainer][] = [
    ...(pod.initContainers ?? []).map((c): [string, IContainer] => [`initContainer ${c.name}`, c]),
    ...pod.containers.map((c): [string, IContainer] => [`container ${c.name}`, c]),
    ...(pod.ephemeralContainers ?? []).map((c): [string, IContainer] => [`ephemeralContainer ${c.name}`, c as IContainer]),
  ];

  // ---- baseline
  if (pod.hostNetwork) report("pod", "hostNetwork");
  if (pod.hostPID) report("pod", "hostPID");
  if (pod.hostIPC) report("pod", "hostIPC");
  for (const volume of pod.volumes ?? []) if (volume.hostPath) report(`volume ${volume.name}`, "hostPath");
  for (const sysctl of podContext.sysctls ?? []) if (!SAFE_SYSCTLS.has(sysctl.name)) report("pod", `unsafe sysctl ${sysctl.name}`);
  if (!SELINUX_TYPES.includes(podContext.seLinuxOptions?.type)) report("pod", `SELinux type ${podContext.seLinuxOptions?.type}`);
  if (podContext.seLinuxOptions?.user || podContext.seLinuxOptions?.role) report("pod", "SELinux user or role");
  if (podContext.appArmorProfile?.type === "Unconfined") report("pod", "AppArmor Unconfined");
  if (podContext.seccompProfile?.type === "Unconfined") report("pod", "seccomp Unconfined");
  for (const [where, c] of containers) {
    const context = c.securityContext ?? {};
    if (context.privileged) report(where, "privileged");
    if (context.windowsOptions?.hostProcess) report(where, "hostProcess");
    for (const port of c.ports ?? []) if (port.hostPort) report(where, `hostPort ${port.hostPort}`);
    if (context.procMount !== undefined && context.procMount !== "Default") report(where, `procMount ${context.procMount}`);
    if (!SELINUX_TYPES.includes(context.seLinuxOptions?.type)) report(where, `SELinux type ${context.seLinuxOptions?.type}`);
    if (context.seLinuxOptions?.user || context.seLinuxOptions?.role) report(where, "SELinux user or role");
    if (context.appArmorProfile?.type === "Unconfined") report(where, "AppArmor Unconfined");
  }

  // ---- restricted
  for (const volume of pod.volumes ?? []) {
    const types = Object.keys(volume).filter((key) => key !== "name");
    for (const type of types) if (!RESTRICTED_VOLUME_TYPES.includes(type)) report(`volume ${volume.name}`, `type ${type}`);
  }
  if (podContext.runAsUser === 0) report("pod", "runAsUser 0");
  const podSeccomp = podContext.seccompProfile?.type;
  for (const [where, c] of containers) {
    const context = c.securityContext ?? {};
    if (context.allowPrivilegeEscalation !== false) report(where, "allowPrivilegeEscalation is not false");
    const runAsNonRoot = context.runAsNonRoot ?? podContext.runAsNonRoot;
    if (runAsNonRoot !== true) report(where, "runAsNonRoot is not true (neither the container's nor the pod's)");
    if (context.runAsUser === 0) report(where, "runAsUser 0");
    const seccomp = context.seccompProfile?.type ?? podSeccomp;
    if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") report(where, `seccompProfile ${seccomp ?? "unset"} (RuntimeDefault or Localhost required)`);
    if (!(context.capabilities?.drop ?? []).includes("ALL")) report(where, "capabilities do not drop ALL");
    for (const capability of context.capabilities?.add ?? []) {
      if (!RESTRICTED_ADDABLE_CAPABILITIES.includes(capability)) report(where, `adds capability ${capability}`);
    }
  }
  return violations;
}
