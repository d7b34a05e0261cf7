import * as path from "path";
import { s3StateKey } from "../stacks/gitpod-stack";
import { config, resourcesOf, scratchDir, synthApp, type SynthesizedApp } from "./support/synth";

const S3 = { type: "s3", bucket: "acme-terraform-state", region: "eu-west-1", dynamodbTable: "terraform-locks" };
const CLOUD = { type: "cloud", organization: "acme", project: "gitpod" };
const BACKENDS: [string, Record<string, unknown>][] = [
  ["local", { type: "local" }],
  ["s3", S3],
  ["cloud", CLOUD],
];

/** consumer -> producer pairs, as manifest.json records them. */
function edges(app: SynthesizedApp): [string, string][] {
  return Object.entries(app.manifest.stacks).flatMap(([consumer, stack]) => stack.dependencies.map((producer): [string, string] => [consumer, producer]));
}

/** What a consumer must read to find a producer's state, from the producer's own backend. */
function expectedRemoteState(app: SynthesizedApp, producer: string): Record<string, unknown> {
  const terraform = app.stack(producer).terraform as any;
  if (terraform.cloud) {
    const { organization, hostname, workspaces } = terraform.cloud;
    return { backend: "remote", config: { organization, hostname, workspaces: { name: workspaces.name } } };
  }
  const [type, settings] = Object.entries(terraform.backend)[0] as [string, Record<string, unknown>];
  // Locking settings are for writers; a reader needs where the state is.
  const { use_lockfile: _lock, ...location } = settings;
  return { backend: type, config: location };
}

describe.each(BACKENDS)("backend %s", (_, backend) => {
  const app = synthApp(config({ backend, scm: { providers: [{ id: "gh", type: "GitHub", clientId: "a" }] } }));

  it("every consumer's remote state points at its producer's state", () => {
    expect(edges(app).length).toBeGreaterThanOrEqual(4);
    for (const [consumer, producer] of edges(app)) {
      const remoteState = app.stack(consumer).data!.terraform_remote_state[`cross-stack-reference-input-${producer}`];
      expect(remoteState).toMatchObject(expectedRemoteState(app, producer));
    }
  });

  it("is byte-identical when synthesized in another folder", () => {
    const elsewhere = synthApp(config({ backend, scm: { providers: [{ id: "gh", type: "GitHub", clientId: "a" }] } }), path.join(scratchDir("far-"), "a", "b", "cdktf.out"));
    expect(elsewhere.files()).toEqual(app.files());
  });
});

describe("S3 backend", () => {
  const app = synthApp(config({ backend: { ...S3, keyPrefix: "platform/gitpod", kmsKeyId: "alias/terraform" } }));

  it("keeps one encrypted, natively locked state object per stack under the prefix", () => {
    for (const id of app.stackIds) {
      expect(app.stack(id).terraform.backend).toEqual({
        s3: {
          bucket: "acme-terraform-state",
          key: s3StateKey("platform/gitpod", id),
          region: "eu-west-1",
          encrypt: true,
          kms_key_id: "alias/terraform",
          dynamodb_table: "terraform-locks",
          use_lockfile: true,
        },
      });
    }
    expect(s3StateKey("platform/gitpod", "gitpod-release")).toBe("platform/gitpod/gitpod-release.tfstate");
  });

  it("leaves S3 locking to the DynamoDB table when asked", () => {
    const app2 = synthApp(config({ backend: { ...S3, useLockfile: false } }));
    expect(app2.stack("gitpod-release").terraform.backend!.s3).not.toHaveProperty("use_lockfile");
  });
});

describe("Terraform Cloud backend", () => {
  it("gives every stack a workspace named after it, in the project", () => {
    const app = synthApp(config({ backend: CLOUD }));
    for (const id of app.stackIds) {
      expect((app.stack(id).terraform as any).cloud).toEqual({ organization: "acme", hostname: "app.terraform.io", workspaces: { name: id, project: "gitpod" } });
      expect(app.stack(id).terraform.backend).toBeUndefined();
    }
    expect(app.stackIds).not.toContain("gitpod-terraform-cloud");
  });
});

describe("Terraform Cloud bootstrap stack", () => {
  const OIDC = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC";
  const base = {
    scm: { providers: [{ id: "Public-GitHub", type: "GitHub", clientId: "a" }] },
    database: { type: "external", host: "db.acme.dev", username: "gitpod" },
    aws: { region: "eu-west-1", eksOidcProviderArn: OIDC },
    storage: { type: "s3" },
  };
  const withBootstrap = (bootstrap: Record<string, unknown>, overrides: Record<string, unknown> = {}) =>
    synthApp(config({ ...base, backend: { ...CLOUD, bootstrap }, ...overrides }));
  const app = withBootstrap({ environmentVariables: ["KUBE_HOST", "KUBE_TOKEN", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"] });
  const BOOTSTRAP = "gitpod-terraform-cloud";
  const bootstrap = app.stack(BOOTSTRAP);
  const stacks = app.stackIds.filter((id) => id !== BOOTSTRAP);
  const workspaceRef = (id: string) => `\${tfe_workspace.workspace-${id}.id}`;

  it("uses the tfe provider only, keeps its own state locally, and depends on no stack", () => {
    expect(Object.keys(bootstrap.provider!)).toEqual(["tfe"]);
    expect(bootstrap.terraform.backend).toEqual({ local: { path: `../../../terraform.${BOOTSTRAP}.tfstate` } });
    expect(app.manifest.stacks[BOOTSTRAP].dependencies).toEqual([]);
  });

  it("creates one workspace per stack, named after it, applying only on approval", () => {
    const workspaces = Object.values(resourcesOf(bootstrap, "tfe_workspace")) as any[];
    expect(workspaces.map((w) => w.name).sort()).toEqual([...stacks].sort());
    for (const workspace of workspaces) {
      expect(workspace).toMatchObject({ auto_apply: false, auto_apply_run_trigger: false, project_id: "${data.tfe_project.project.id}" });
      expect(workspace).not.toHaveProperty("working_directory");
    }
  });

  it("shares each producer's state with exactly its consumers", () => {
    const settings = Object.values(resourcesOf(bootstrap, "tfe_workspace_settings")) as any[];
    expect(settings).toHaveLength(stacks.length);
    for (const producer of stacks) {
      const consumers = stacks.filter((id) => app.manifest.stacks[id].dependencies.includes(producer));
      const setting = settings.find((s) => s.workspace_id === workspaceRef(producer));
      expect(setting).toMatchObject({ execution_mode: "remote", global_remote_state: false });
      expect([...setting.remote_state_consumer_ids].sort()).toEqual(consumers.map(workspaceRef).sort());
    }
  });

  it("queues a consumer's run when a producer applies (run triggers follow manifest.json)", () => {
    const triggers = (Object.values(resourcesOf(bootstrap, "tfe_run_trigger")) as any[]).map((t) => [t.workspace_id, t.sourceable_id]);
    const expected = edges(app)
      .filter(([consumer]) => consumer !== BOOTSTRAP)
      .map(([consumer, producer]) => [workspaceRef(consumer), workspaceRef(producer)]);
    expect(triggers.sort()).toEqual(expected.sort());
  });

  it("puts the stacks' sensitive variables in a variable set for the stacks that declare them, write-only", () => {
    const variables = (Object.values(resourcesOf(bootstrap, "tfe_variable")) as any[]).filter((v) => v.category === "terraform");
    expect(variables.map((v) => [v.key, v.value_wo, v.sensitive])).toEqual([
      ["database_password", "${var.database_password}", true],
      ["scm_public_github_client_secret", "${var.scm_public_github_client_secret}", true],
    ]);
    const attachments = (Object.values(resourcesOf(bootstrap, "tfe_workspace_variable_set")) as any[]).filter((a) =>
      a.variable_set_id.includes("terraform-variables"),
    );
    expect(attachments.map((a) => a.workspace_id)).toEqual([workspaceRef("gitpod-release")]);
    expect(bootstrap.variable!.database_password).toMatchObject({ sensitive: true, nullable: false });
  });

  /** The workspaces a variable set is attached to, by stack id. */
  const attachedTo = (json: typeof bootstrap, set: string) =>
    (Object.values(resourcesOf(json, "tfe_workspace_variable_set")) as any[])
      .filter((a) => a.variable_set_id === `\${tfe_variable_set.${set}.id}`)
      .map((a) => /tfe_workspace\.workspace-(.+)\.id/.exec(a.workspace_id)![1])
      .sort();
  /** The environment variables of a variable set: [key, value or value_wo, sensitive]. */
  const envOf = (json: typeof bootstrap, set: string) =>
    (Object.values(resourcesOf(json, "tfe_variable")) as any[])
      .filter((v) => v.category === "env" && v.variable_set_id === `\${tfe_variable_set.${set}.id}`)
      .map((v) => [v.key, v.value_wo ?? v.value, v.sensitive])
      .sort();
  /** The stacks that configure a provider, from their synthesized JSON. */
  const using = (json: SynthesizedApp, ...providers: string[]) => stacks.filter((id) => providers.some((p) => p in (json.stack(id).provider ?? {}))).sort();

  it("gives each provider's credentials only to the workspaces whose stacks use that provider", () => {
    expect(envOf(bootstrap, "kubernetes-credentials")).toEqual([
      ["KUBE_HOST", "${var.env_kube_host}", true],
      ["KUBE_TOKEN", "${var.env_kube_token}", true],
    ]);
    expect(attachedTo(bootstrap, "kubernetes-credentials")).toEqual(using(app, "kubernetes", "helm"));
    expect(attachedTo(bootstrap, "kubernetes-credentials")).toEqual(["gitpod-cluster-prerequisites", "gitpod-release"]);
    expect(envOf(bootstrap, "aws-credentials")).toEqual([
      ["AWS_ACCESS_KEY_ID", "${var.env_aws_access_key_id}", true],
      ["AWS_SECRET_ACCESS_KEY", "${var.env_aws_secret_access_key}", true],
    ]);
    expect(attachedTo(bootstrap, "aws-credentials")).toEqual(["gitpod-aws-services"]);
    // No variable set for every workspace, and none without variables.
    const sets = Object.values(resourcesOf(bootstrap, "tfe_variable_set")) as any[];
    expect(sets.map((set) => set.name).sort()).toEqual(["gitpod-aws-credentials", "gitpod-kubernetes-credentials", "gitpod-terraform-variables"]);
    // The installation secrets stack uses the random provider alone: no credential reaches it.
    expect((Object.values(resourcesOf(bootstrap, "tfe_workspace_variable_set")) as any[]).map((a) => a.workspace_id)).not.toContain(workspaceRef("gitpod-installation-secrets"));
  });

  it("gives HELM_* settings only to the stacks with the helm provider", () => {
    const withHelm = withBootstrap({ environmentVariables: ["KUBE_HOST", "HELM_REGISTRY_CONFIG"] });
    const json = withHelm.stack(BOOTSTRAP);
    expect(envOf(json, "helm-credentials")).toEqual([["HELM_REGISTRY_CONFIG", "${var.env_helm_registry_config}", true]]);
    expect(attachedTo(json, "helm-credentials")).toEqual(using(withHelm, "helm"));
  });

  it("sets up Terraform Cloud's dynamic credentials (OIDC) for AWS and Kubernetes, on the same workspaces", () => {
    const dynamic = withBootstrap({
      environmentVariables: ["KUBE_HOST", "KUBE_CLUSTER_CA_CERT_DATA"],
      dynamicCredentials: {
        aws: { roleArn: "arn:aws:iam::123456789012:role/gitpod-terraform", planRoleArn: "arn:aws:iam::123456789012:role/gitpod-terraform-plan" },
        kubernetes: { audience: "kubernetes" },
      },
    }, { kubernetes: { configPath: "" } });
    const json = dynamic.stack(BOOTSTRAP);
    expect(envOf(json, "aws-credentials")).toEqual([
      ["TFC_AWS_PLAN_ROLE_ARN", "arn:aws:iam::123456789012:role/gitpod-terraform-plan", false],
      ["TFC_AWS_PROVIDER_AUTH", "true", false],
      ["TFC_AWS_RUN_ROLE_ARN", "arn:aws:iam::123456789012:role/gitpod-terraform", false],
    ]);
    expect(attachedTo(json, "aws-credentials")).toEqual(["gitpod-aws-services"]);
    // Terraform Cloud sets KUBE_TOKEN; the endpoint and its CA still come from the variable set.
    expect(envOf(json, "kubernetes-credentials")).toEqual([
      ["KUBE_CLUSTER_CA_CERT_DATA", "${var.env_kube_cluster_ca_cert_data}", true],
      ["KUBE_HOST", "${var.env_kube_host}", true],
      ["TFC_KUBERNETES_PROVIDER_AUTH", "true", false],
      ["TFC_KUBERNETES_WORKLOAD_IDENTITY_AUDIENCE", "kubernetes", false],
    ]);
    expect(attachedTo(json, "kubernetes-credentials")).toEqual(using(dynamic, "kubernetes", "helm"));
    // No static credential is asked for.
    expect(Object.keys(json.variable!).filter((name) => name.startsWith("env_")).sort()).toEqual(["env_kube_cluster_ca_cert_data", "env_kube_host"]);
    const audience = withBootstrap({ dynamicCredentials: { aws: { roleArn: "arn:aws:iam::123456789012:role/r", audience: "aws.acme.dev" } } }).stack(BOOTSTRAP);
    expect(envOf(audience, "aws-credentials")).toContainEqual(["TFC_AWS_WORKLOAD_IDENTITY_AUDIENCE", "aws.acme.dev", false]);
  });

  it("sets up VCS-driven workspaces on cdktf.out/stacks/<id>, and agent execution, when asked", () => {
    const vcs = withBootstrap({ executionMode: "agent", agentPoolId: "apool-abc123", vcs: { identifier: "acme/gitpod-infra", branch: "main", oauthTokenId: "ot-abc123" } });
    const workspaces = Object.values(resourcesOf(vcs.stack(BOOTSTRAP), "tfe_workspace")) as any[];
    for (const workspace of workspaces) {
      expect(workspace.working_directory).toBe(`cdktf.out/stacks/${workspace.name}`);
      expect(workspace.trigger_prefixes).toEqual([`cdktf.out/stacks/${workspace.name}`]);
      expect(workspace.vcs_repo).toEqual({ identifier: "acme/gitpod-infra", branch: "main", oauth_token_id: "ot-abc123" });
    }
    for (const setting of Object.values(resourcesOf(vcs.stack(BOOTSTRAP), "tfe_workspace_settings")) as any[]) {
      expect(setting).toMatchObject({ execution_mode: "agent", agent_pool_id: "apool-abc123" });
    }
  });

  it("does not change the stacks it creates workspaces for", () => {
    const without = synthApp(config({ ...base, backend: CLOUD }));
    for (const id of stacks) expect(app.stack(id)).toEqual(without.stack(id));
  });
});
