import { DataTfeProject } from "@cdktf/provider-tfe/lib/data-tfe-project";
import { TfeProvider } from "@cdktf/provider-tfe/lib/provider";
import { RunTrigger } from "@cdktf/provider-tfe/lib/run-trigger";
import { Variable } from "@cdktf/provider-tfe/lib/variable";
import { VariableSet } from "@cdktf/provider-tfe/lib/variable-set";
import { Workspace } from "@cdktf/provider-tfe/lib/workspace";
import { WorkspaceSettings } from "@cdktf/provider-tfe/lib/workspace-settings";
import { WorkspaceVariableSet } from "@cdktf/provider-tfe/lib/workspace-variable-set";
import { TerraformOutput, TerraformProvider, TerraformStack, TerraformVariable, Token } from "cdktf";
import type { Construct } from "constructs";
import type { BackendConfig } from "../config/schema";
import { configureBackend, sensitiveVariable } from "./gitpod-stack";

type CloudBackendConfig = Extract<BackendConfig, { type: "cloud" }>;

/** A stack the bootstrap makes a workspace for, with the stacks whose state it reads. */
export interface WorkspaceStack {
  readonly id: string;
  readonly dependencies: readonly string[];
  /** Sensitive Terraform variables the stack declares (values come from a variable set). */
  readonly sensitiveVariables: readonly string[];
  /** The providers the stack configures (`kubernetes`, `helm`, `aws`, `random`...). */
  readonly providers: readonly string[];
}

/**
 * The providers' environment variables, grouped by the providers that read them: each group is a
 * variable set on exactly the workspaces whose stacks use one of those providers. The helm
 * provider reads the KUBE_* variables too (its `kubernetes` block), and HELM_* alone.
 */
export const CREDENTIAL_GROUPS = [
  { id: "kubernetes", prefix: "KUBE_", providers: ["kubernetes", "helm"], description: "Cluster access of the kubernetes and helm providers" },
  { id: "helm", prefix: "HELM_", providers: ["helm"], description: "Settings of the helm provider" },
  { id: "aws", prefix: "AWS_", providers: ["aws"], description: "Credentials of the aws provider" },
] as const;

export type CredentialGroup = (typeof CREDENTIAL_GROUPS)[number]["id"];

/** The group of a provider environment variable (the schema takes no other names). */
export function credentialGroupOf(name: string): CredentialGroup {
  const group = CREDENTIAL_GROUPS.find((candidate) => name.startsWith(candidate.prefix));
  if (group === undefined) throw new Error(`${name} is not a variable of the kubernetes, helm or aws provider`);
  return group.id;
}

/**
 * The environment variables that turn on Terraform Cloud's dynamic provider credentials (OIDC),
 * by group: plain values, not secrets. Names as Terraform Cloud documents them (workspaces,
 * "Dynamic provider credentials", AWS and Kubernetes configuration).
 */
export function dynamicCredentialVariables(dynamic: CloudBootstrapConfig["dynamicCredentials"]): Record<CredentialGroup, { key: string; value: string }[]> {
  const aws = dynamic.aws;
  return {
    aws: aws
      ? [
          { key: "TFC_AWS_PROVIDER_AUTH", value: "true" },
          { key: "TFC_AWS_RUN_ROLE_ARN", value: aws.roleArn },
          ...(aws.planRoleArn ? [{ key: "TFC_AWS_PLAN_ROLE_ARN", value: aws.planRoleArn }] : []),
          ...(aws.audience ? [{ key: "TFC_AWS_WORKLOAD_IDENTITY_AUDIENCE", value: aws.audience }] : []),
        ]
      : [],
    // Terraform Cloud then sets KUBE_TOKEN, which the kubernetes and helm providers both read.
    kubernetes: dynamic.kubernetes
      ? [
          { key: "TFC_KUBERNETES_PROVIDER_AUTH", value: "true" },
          { key: "TFC_KUBERNETES_WORKLOAD_IDENTITY_AUDIENCE", value: dynamic.kubernetes.audience },
        ]
      : [],
    helm: [],
  };
}

type CloudBootstrapConfig = NonNullable<CloudBackendConfig["bootstrap"]>;

export interface TerraformCloudBootstrapStackProps {
  readonly backend: CloudBackendConfig;
  readonly bootstrap: NonNullable<CloudBackendConfig["bootstrap"]>;
  readonly namePrefix: string;
  /** The stacks to make workspaces for. */
  readonly stacks: readonly TerraformStack[];
}

/**
 * A stack as Terraform Cloud sees it: the stacks it reads from, as cdktf registers them while it
 * resolves the cross-stack references (what manifest.json records), and its sensitive variables.
 */
export function workspaceStack(stack: TerraformStack): WorkspaceStack {
  return {
    id: stack.node.id,
    dependencies: stack.dependencies.map((dependency) => dependency.node.id).sort(),
    sensitiveVariables: stack.node
      .findAll()
      .filter((construct): construct is TerraformVariable => construct instanceof TerraformVariable && construct.sensitive === true)
      .map((variable) => variable.node.id)
      .sort(),
    providers: [
      ...new Set(
        stack.node
          .findAll()
          .filter((construct): construct is TerraformProvider => construct instanceof TerraformProvider)
          .map((provider) => provider.terraformResourceType),
      ),
    ].sort(),
  };
}

/** Name of the bootstrap's input variable for a provider credential (TF_VAR_env_kube_token). */
export function environmentInputVariable(name: string): string {
  return `env_${name.toLowerCase()}`;
}

/**
 * Creates the Terraform Cloud workspaces the stacks use (one per stack, named after it) and wires
 * them the way the stacks are wired: each producer shares its state with exactly its consumers, and
 * a producer's apply queues a run of each consumer (run triggers; applying stays manual). Secrets
 * reach the workspaces through variable sets, written write-only: they are inputs of this stack's
 * run and end up neither in its state nor in the synthesized JSON. Each provider's credentials go
 * only to the workspaces whose stacks use that provider (CREDENTIAL_GROUPS), static ones or
 * Terraform Cloud's dynamic credentials.
 *
 * It keeps its own state locally: it exists before the workspaces do.
 *
 * Its resources are made when cdktf prepares it for synthesis: the stacks' dependencies are
 * registered while cdktf prepares them, and it prepares stacks in the order they were created, so
 * create this stack last.
 */
export class TerraformCloudBootstrapStack extends TerraformStack {
  private workspacesCreated = false;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: TerraformCloudBootstrapStackProps,
  ) {
    super(scope, id);
    configureBackend(this, { type: "local" });
    // The token comes from TFE_TOKEN (or the CLI's credentials file), never from configuration.
    new TfeProvider(this, "tfe", { hostname: props.backend.hostname, organization: props.backend.organization });
  }

  public prepareStack(): void {
    if (!this.workspacesCreated) {
      this.workspacesCreated = true;
      this.createWorkspaces(this.props.stacks.map(workspaceStack));
    }
    super.prepareStack();
  }

  private createWorkspaces(stacks: readonly WorkspaceStack[]): void {
    const { backend, bootstrap, namePrefix } = this.props;
    const projectId = backend.project ? new DataTfeProject(this, "project", { name: backend.project }).id : undefined;

    const workspaces: Record<string, Workspace> = {};
    for (const stack of stacks) {
      workspaces[stack.id] = new Workspace(this, `workspace-${stack.id}`, {
        name: stack.id,
        projectId,
        description: `gitpod-cdktf stack ${stack.id}`,
        // Runs wait for a human approval, including those queued by run triggers.
        autoApply: false,
        autoApplyRunTrigger: false,
        ...(bootstrap.vcs
          ? {
              // VCS-driven: the repository must contain the synthesized cdktf.out.
              workingDirectory: `cdktf.out/stacks/${stack.id}`,
              triggerPrefixes: [`cdktf.out/stacks/${stack.id}`],
              vcsRepo: { identifier: bootstrap.vcs.identifier, branch: bootstrap.vcs.branch, oauthTokenId: bootstrap.vcs.oauthTokenId },
            }
          : {}),
      });
    }
    const consumersOf = (producer: string) => stacks.filter((stack) => stack.dependencies.includes(producer)).map((stack) => stack.id);
    for (const stack of stacks) {
      new WorkspaceSettings(this, `settings-${stack.id}`, {
        workspaceId: workspaces[stack.id].id,
        executionMode: bootstrap.executionMode,
        agentPoolId: bootstrap.executionMode === "agent" ? bootstrap.agentPoolId : undefined,
        // Only the stacks that read this state may: no organization-wide sharing.
        globalRemoteState: false,
        remoteStateConsumerIds: consumersOf(stack.id).map((consumer) => workspaces[consumer].id),
      });
      for (const producer of stack.dependencies) {
        new RunTrigger(this, `run-trigger-${producer}-to-${stack.id}`, {
          workspaceId: workspaces[stack.id].id,
          sourceableId: workspaces[producer].id,
        });
      }
    }

    this.variableSet("terraform-variables", {
      description: "Sensitive Terraform variables of the gitpod-cdktf stacks",
      category: "terraform",
      entries: [...new Set(stacks.flatMap((stack) => stack.sensitiveVariables))].sort().map((name) => ({ key: name, input: name })),
      workspaces: stacks.filter((stack) => stack.sensitiveVariables.length > 0).map((stack) => [stack.id, workspaces[stack.id]]),
      namePrefix,
    });
    const dynamic = dynamicCredentialVariables(bootstrap.dynamicCredentials);
    for (const group of CREDENTIAL_GROUPS) {
      this.variableSet(`${group.id}-credentials`, {
        description: `${group.description} in gitpod-cdktf runs`,
        category: "env",
        entries: [
          ...bootstrap.environmentVariables.filter((name) => credentialGroupOf(name) === group.id).map((name) => ({ key: name, input: environmentInputVariable(name) })),
          ...dynamic[group.id],
        ],
        // Only the workspaces whose stacks use one of the group's providers.
        workspaces: stacks
          .filter((stack) => stack.providers.some((provider) => (group.providers as readonly string[]).includes(provider)))
          .map((stack) => [stack.id, workspaces[stack.id]]),
        namePrefix,
      });
    }

    new TerraformOutput(this, "workspace_ids", {
      description: "Terraform Cloud workspace of each stack",
      // Token.asAny: a plain object of tokens makes cdktf call util.isArray, deprecated since Node.js 22 (DEP0044).
      value: Token.asAny(Object.fromEntries(Object.entries(workspaces).map(([stackId, workspace]) => [stackId, workspace.id]))),
    });
  }

  /**
   * A variable set: sensitive values, each from a sensitive input variable of this stack (`input`),
   * and plain ones given here (`value`). None is made without entries or workspaces.
   */
  private variableSet(
    id: string,
    props: {
      description: string;
      category: "terraform" | "env";
      entries: ({ key: string; input: string } | { key: string; value: string })[];
      workspaces: [stackId: string, workspace: Workspace][];
      namePrefix: string;
    },
  ): void {
    if (props.entries.length === 0 || props.workspaces.length === 0) return;
    const set = new VariableSet(this, id, { name: `${props.namePrefix}-${id}`, description: props.description });
    for (const entry of props.entries) {
      if ("value" in entry) {
        new Variable(this, `${id}-${entry.key}`, { variableSetId: set.id, key: entry.key, category: props.category, sensitive: false, value: entry.value });
        continue;
      }
      const value = sensitiveVariable(this, entry.input, `${props.category === "env" ? "Environment variable" : "Terraform variable"} ${entry.key} of the gitpod-cdktf runs`);
      new Variable(this, `${id}-${entry.key}`, {
        variableSetId: set.id,
        key: entry.key,
        category: props.category,
        sensitive: true,
        // Write-only (Terraform >= 1.11): sent to Terraform Cloud, kept out of this stack's state.
        valueWo: value,
      });
    }
    for (const [stackId, workspace] of props.workspaces) {
      new WorkspaceVariableSet(this, `${id}-for-${stackId}`, { variableSetId: set.id, workspaceId: workspace.id });
    }
  }
}
