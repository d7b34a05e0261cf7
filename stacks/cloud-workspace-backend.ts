import { DataTerraformRemoteState, NamedCloudWorkspace, TerraformBackend, type TerraformRemoteState } from "cdktf";
import type { Construct } from "constructs";

export interface CloudWorkspaceBackendProps {
  readonly organization: string;
  readonly hostname: string;
  /** The one workspace of the stack. */
  readonly workspace: string;
  readonly project?: string;
}

/**
 * Terraform Cloud's `cloud` block with a named workspace: the same JSON and remote state as
 * cdktf's CloudBackend with a NamedCloudWorkspace. That class also validates the Terraform
 * version by running `terraform version` at every synth, once per stack, so a synth fails where
 * Terraform is not installed (a Node-only CI job) and takes a process start per stack. The cloud
 * block needs Terraform >= 1.1; this project needs >= 1.11 anyway (write-only attributes).
 */
export class CloudWorkspaceBackend extends TerraformBackend {
  private readonly workspaces: NamedCloudWorkspace;

  constructor(
    scope: Construct,
    private readonly props: CloudWorkspaceBackendProps,
  ) {
    super(scope, "backend", "cloud");
    this.workspaces = new NamedCloudWorkspace(props.workspace, props.project);
  }

  public toTerraform(): any {
    const { organization, hostname } = this.props;
    return { terraform: { cloud: { organization, hostname, workspaces: this.workspaces.toTerraform() } } };
  }

  public toHclTerraform(): any {
    const { organization, hostname } = this.props;
    return {
      terraform: {
        cloud: {
          organization,
          hostname,
          workspaces: { value: this.workspaces.toHclTerraform(), isBlock: true, type: "map", storageClassType: "stringmap" },
        },
      },
    };
  }

  public toMetadata(): any {
    return { ...super.toMetadata(), cloud: this.props.hostname.startsWith("app.terraform.io") ? "tfc" : "tfe" };
  }

  /** Consumers read the producer's workspace (shared with them in Terraform Cloud). */
  public getRemoteStateDataSource(scope: Construct, name: string, _fromStack: string): TerraformRemoteState {
    return new DataTerraformRemoteState(scope, name, {
      organization: this.props.organization,
      hostname: this.props.hostname,
      workspaces: { name: this.props.workspace },
    });
  }
}
