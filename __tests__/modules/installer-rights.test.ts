/**
 * The installer's namespace and rights (docs/security.md, "The installer's rights"): it runs alone
 * in a namespace of its own, installs into Gitpod's, holds what installing Gitpod 2022.11.3 takes
 * and not cluster-admin, and an installation made by an earlier version keeps its release.
 */
import * as fs from "fs";
import * as path from "path";
import { App, TerraformStack } from "cdktf";
import { load } from "js-yaml";
import { GitpodInstallation } from "../../modules/gitpod/gitpod-installation";
import { installerRules, type PolicyRule } from "../../modules/gitpod/installer-rbac";
import { gitpodRbac } from "../support/gitpod-rbac";
import { literalInstallationProps } from "../support/literal-installation";
import { config, resourcesOf, scratchDir, synthApp, type TerraformJson } from "../support/synth";
import { validateAgainstSchema } from "../support/kubernetes-schemas";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** One request Kubernetes authorizes: a verb on a resource of a group, maybe on one name. */
interface Request {
  readonly apiGroup: string;
  readonly resource: string;
  readonly verb: string;
  readonly name?: string;
}

/** Whether `rules` allow `request`, as Kubernetes' RBAC authorizer decides (wildcards included). */
function allows(rules: readonly PolicyRule[], request: Request): boolean {
  const has = (values: readonly string[], value: string) => values.includes(value) || values.includes("*");
  return rules.some(
    (rule) =>
      has(rule.apiGroups, request.apiGroup) &&
      has(rule.resources, request.resource) &&
      has(rule.verbs, request.verb) &&
      (rule.resourceNames === undefined || rule.resourceNames.length === 0 || (request.name !== undefined && rule.resourceNames.includes(request.name))),
  );
}

/** Each single request a rule grants: what RBAC's escalation check requires its creator to hold. */
const requestsOf = (rule: PolicyRule): Request[] =>
  rule.apiGroups.flatMap((apiGroup) =>
    rule.resources.flatMap((resource) =>
      rule.verbs.flatMap((verb) => (rule.resourceNames?.length ? rule.resourceNames.map((name) => ({ apiGroup, resource, verb, name })) : [{ apiGroup, resource, verb }])),
    ),
  );

const rules = installerRules("gitpod");
/** Cluster-wide rights count in every namespace; the Role's only in Gitpod's. */
const inGitpodNamespace = [...rules.cluster, ...rules.namespace];
const gitpod = gitpodRbac("gitpod");
const HELM_VERBS = ["get", "list", "watch", "create", "update", "patch", "delete"];

function build(): { json: TerraformJson; objects: Json[] } {
  const outdir = path.join(scratchDir("installer-rights-"), "out");
  const app = new App({ outdir, skipValidation: true });
  const stack = new TerraformStack(app, "gitpod");
  const installation = new GitpodInstallation(stack, "gitpod", literalInstallationProps());
  app.synth();
  const json = JSON.parse(fs.readFileSync(path.join(outdir, "stacks/gitpod/cdk.tf.json"), "utf8")) as TerraformJson;
  const objects = Object.entries(installation.chart.files)
    .filter(([name]) => name.startsWith("templates/"))
    .map(([, text]) => load(text) as Json);
  return { json, objects };
}

describe("the installer's namespace", () => {
  const { json, objects } = build();
  const only = (type: string) => {
    const all = Object.values(resourcesOf(json, type)) as Json[];
    expect(all).toHaveLength(1);
    return all[0];
  };
  const jobs = objects.filter((object) => object.kind === "Job");

  it("holds the service account (token mounted nowhere by default), the inputs and the render seed", () => {
    expect(only("kubernetes_service_account_v1")).toMatchObject({ metadata: { name: "gitpod-installer", namespace: "gitpod-installer" }, automount_service_account_token: false });
    expect(only("kubernetes_config_map_v1").metadata).toMatchObject({ name: "gitpod-installer", namespace: "gitpod-installer" });
    const secrets = Object.values(resourcesOf(json, "kubernetes_secret_v1")) as Json[];
    const namespaces = Object.fromEntries(secrets.map((secret) => [secret.metadata.name, secret.metadata.namespace]));
    // Only the seed: the secrets Gitpod reads stay in Gitpod's namespace.
    expect(namespaces).toEqual({ "gitpod-installer-seed": "gitpod-installer", "gitpod-database": "gitpod", "gitpod-object-storage": "gitpod" });
  });

  it("runs the hook Jobs there, as the installer, installing into Gitpod's namespace", () => {
    expect(jobs.map((job) => [job.metadata.name, job.metadata.namespace])).toEqual([
      ["gitpod-installer-apply", "gitpod-installer"],
      ["gitpod-installer-uninstall", "gitpod-installer"],
    ]);
    for (const job of jobs) {
      const pod = job.spec.template.spec;
      expect(pod).toMatchObject({ serviceAccountName: "gitpod-installer", automountServiceAccountToken: true });
      const env = Object.fromEntries(pod.containers[0].env.map((variable: Json) => [variable.name, variable.value ?? variable.valueFrom]));
      // Not the pod's own namespace (a fieldRef to metadata.namespace would be the installer's).
      expect(env.NAMESPACE).toBe("gitpod");
      // The seed and the inputs are read from the Job's own namespace.
      expect(pod.volumes).toContainEqual({ name: "inputs", configMap: { name: "gitpod-installer" } });
      validateAgainstSchema(job);
    }
  });

  it("keeps the Jobs within Pod Security 'restricted', which the namespace enforces", () => {
    for (const job of jobs) {
      const pod = job.spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
      expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
      for (const container of pod.containers) {
        expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
        expect(container.securityContext.privileged).toBeUndefined();
        // Non-root: tools write their caches into the emptyDir.
        expect(container.env).toContainEqual({ name: "HOME", value: "/tmp" });
        expect(container.volumeMounts).toContainEqual({ name: "scratch", mountPath: "/tmp" });
      }
      for (const volume of pod.volumes) expect(Object.keys(volume).filter((key) => key !== "name")).toEqual([expect.stringMatching(/^(configMap|secret|emptyDir)$/)]);
    }
  });

  it("is <name>-installer, which the config lets neither Gitpod's nor cert-manager's namespace be", () => {
    expect(() => config({ gitpod: { namespace: "gitpod-installer" } })).toThrow(/gitpod\.namespace: must not be gitpod-installer, the installer's own namespace/);
    expect(() => config({ name: "acme", tls: { type: "self-signed", certManager: { namespace: "acme-installer" } } })).toThrow(
      /tls\.certManager\.namespace: must not be acme-installer/,
    );
    expect(() => config({ name: "acme", gitpod: { namespace: "gitpod-installer" } })).not.toThrow();
  });

  it("is created next to Gitpod's by the prerequisites stack, unprotected, enforcing 'restricted'", () => {
    const app = synthApp(config({ database: { type: "in-cluster", deletionProtection: true } }));
    const namespaces = resourcesOf(app.stack("gitpod-cluster-prerequisites"), "kubernetes_namespace_v1") as Record<string, Json>;
    expect(namespaces["installer-namespace"].metadata).toEqual({
      name: "gitpod-installer",
      labels: {
        "app.kubernetes.io/managed-by": "gitpod-cdktf",
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/audit": "restricted",
        "pod-security.kubernetes.io/warn": "restricted",
      },
    });
    // Nothing in it to lose; Gitpod's namespace stays protected while it holds volumes.
    expect(namespaces["installer-namespace"].lifecycle).toBeUndefined();
    expect(namespaces["gitpod-namespace"].lifecycle).toEqual({ prevent_destroy: true });
    const output = `kubectl logs --namespace gitpod-installer job/gitpod-installer-apply`;
    expect((app.stack("gitpod-release").output as Json).installer_logs.value).toBe(output);
  });
});

describe("the installer's rights", () => {
  const { json } = build();
  const bindings = [...Object.values(resourcesOf(json, "kubernetes_cluster_role_binding_v1")), ...Object.values(resourcesOf(json, "kubernetes_role_binding_v1"))] as Json[];

  it("bind nothing to cluster-admin or any built-in role, in Gitpod's namespace or anywhere", () => {
    expect(bindings).toHaveLength(2);
    for (const binding of bindings) {
      expect(binding.role_ref.name).toMatch(/^\$\{kubernetes_(cluster_)?role_v1\./);
      expect(binding.subject).toEqual([{ kind: "ServiceAccount", name: expect.stringContaining("kubernetes_service_account_v1."), namespace: expect.stringContaining("kubernetes_service_account_v1.") }]);
    }
    const roleBinding = Object.values(resourcesOf(json, "kubernetes_role_binding_v1"))[0] as Json;
    expect(roleBinding.metadata.namespace).toBe("gitpod");
    expect(roleBinding.role_ref.kind).toBe("Role");
  });

  it("are the rules of installer-rbac.ts, in a ClusterRole and a Role in Gitpod's namespace", () => {
    const asRules = (resource: Json) =>
      resource.rule.map((rule: Json) => ({ apiGroups: rule.api_groups, resources: rule.resources, verbs: rule.verbs, ...(rule.resource_names ? { resourceNames: rule.resource_names } : {}) }));
    const clusterRole = Object.values(resourcesOf(json, "kubernetes_cluster_role_v1")) as Json[];
    const role = Object.values(resourcesOf(json, "kubernetes_role_v1")) as Json[];
    expect(clusterRole.map((r) => r.metadata.name)).toEqual(["gitpod-installer"]);
    expect(role.map((r) => [r.metadata.name, r.metadata.namespace])).toEqual([["gitpod-installer", "gitpod"]]);
    expect(asRules(clusterRole[0])).toEqual(rules.cluster);
    expect(asRules(role[0])).toEqual(rules.namespace);
  });

  it("hold every right Gitpod's ClusterRoles grant, cluster-wide, so the installer may create them", () => {
    const missing = gitpod.clusterRoleRules.flatMap(requestsOf).filter((request) => !allows(rules.cluster, request));
    expect(missing).toEqual([]);
  });

  it("hold every right Gitpod's Roles grant in Gitpod's namespace", () => {
    const missing = gitpod.roleRules.flatMap(requestsOf).filter((request) => !allows(inGitpodNamespace, request));
    expect(missing).toEqual([]);
  });

  it("may bind the roles Gitpod binds without rendering them, by name only", () => {
    for (const name of gitpod.boundNotRendered.clusterRoles) expect(allows(rules.cluster, { apiGroup: "rbac.authorization.k8s.io", resource: "clusterroles", verb: "bind", name })).toBe(true);
    for (const name of gitpod.boundNotRendered.roles) expect(allows(inGitpodNamespace, { apiGroup: "rbac.authorization.k8s.io", resource: "roles", verb: "bind", name })).toBe(true);
    expect(allows(rules.cluster, { apiGroup: "rbac.authorization.k8s.io", resource: "clusterroles", verb: "bind", name: "cluster-admin" })).toBe(false);
    expect(allows(inGitpodNamespace, { apiGroup: "rbac.authorization.k8s.io", resource: "roles", verb: "bind", name: "anything-else" })).toBe(false);
  });

  it("let Helm install, upgrade and uninstall every kind Gitpod renders", () => {
    for (const { apiGroup, resource } of gitpod.namespacedKinds) {
      for (const verb of HELM_VERBS) expect([resource, verb, allows(inGitpodNamespace, { apiGroup, resource, verb })]).toEqual([resource, verb, true]);
    }
    for (const { apiGroup, resource } of gitpod.clusterKinds) {
      for (const verb of HELM_VERBS) expect([resource, verb, allows(rules.cluster, { apiGroup, resource, verb })]).toEqual([resource, verb, true]);
    }
  });

  it("let the release script read and write secrets, keep Helm's records, wait for pods and reach ws-manager", () => {
    const core = (resource: string, verb: string) => allows(inGitpodNamespace, { apiGroup: "", resource, verb });
    // Helm's records; the SSH gateway host key (get, create) and the CA bundle (get, create, patch).
    expect(["get", "list", "create", "update", "patch", "delete"].every((verb) => core("secrets", verb))).toBe(true);
    expect(core("pods", "list") && core("pods/portforward", "create")).toBe(true);
    expect(allows(inGitpodNamespace, { apiGroup: "apps", resource: "replicasets", verb: "list" })).toBe(true);
  });

  it("grant no wildcard, no escalate or impersonate, and nothing of cluster-admin's outside Gitpod's needs", () => {
    for (const rule of [...rules.cluster, ...rules.namespace]) {
      for (const values of [rule.apiGroups, rule.resources, rule.verbs]) expect(values).not.toContain("*");
      expect(rule.verbs).not.toEqual(expect.arrayContaining(["escalate"]));
      expect(rule.verbs).not.toEqual(expect.arrayContaining(["impersonate"]));
    }
    // Cluster-wide: no secret, no pod creation, no workload, no namespace, no webhook, no CRD.
    const elsewhere = (apiGroup: string, resource: string, verb: string) => allows(rules.cluster, { apiGroup, resource, verb });
    expect(elsewhere("", "secrets", "get")).toBe(false);
    expect(elsewhere("", "secrets", "list")).toBe(false);
    expect(elsewhere("", "pods", "create")).toBe(false);
    expect(elsewhere("", "pods/exec", "create")).toBe(false);
    expect(elsewhere("", "serviceaccounts/token", "create")).toBe(false);
    expect(elsewhere("apps", "deployments", "create")).toBe(false);
    expect(elsewhere("", "namespaces", "create")).toBe(false);
    expect(elsewhere("admissionregistration.k8s.io", "validatingwebhookconfigurations", "create")).toBe(false);
    expect(elsewhere("apiextensions.k8s.io", "customresourcedefinitions", "create")).toBe(false);
    expect(elsewhere("rbac.authorization.k8s.io", "clusterroles", "escalate")).toBe(false);
  });
});

describe("an installation made by an earlier version", () => {
  // Terraform replaces a helm_release only when its address, name or namespace changes, and the
  // replacement's destroy runs the old release's pre-delete hook: it would uninstall Gitpod. These
  // are the values every earlier version wrote; the installer's namespace must not show up here.
  const release = synthApp(config()).stack("gitpod-release");
  const releases = resourcesOf(release, "helm_release") as Record<string, Json>;

  it("keeps its installer release: same address, name and namespace (no replacement, no uninstall)", () => {
    expect(Object.keys(releases)).toContain("gitpod_installer_release_ADB91662");
    expect(releases.gitpod_installer_release_ADB91662).toMatchObject({
      name: "gitpod-installer",
      namespace: "${data.terraform_remote_state.cross-stack-reference-input-gitpod-cluster-prerequisites.outputs.cross-stack-output-kubernetes_namespace_v1gitpod-namespacemetadata0name}",
    });
  });
});
