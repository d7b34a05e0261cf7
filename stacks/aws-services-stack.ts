import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformResource } from "cdktf";
import type { Construct } from "constructs";
import type { AwsSection, BackendConfig } from "../config/schema";
import { GitpodStack } from "./gitpod-stack";
import { randomProvider } from "./providers";

export interface AwsServicesStackProps {
  readonly backend: BackendConfig;
  readonly aws: AwsSection;
  /** Tags every resource with the installation it belongs to. */
  readonly namePrefix: string;
}

/**
 * Gitpod's dependencies as AWS managed services (the AWS modes put RDS MySQL, S3, ECR and IAM
 * roles here), with the secrets they are created with (the RDS master password). Uses the aws
 * provider, and random when a mode generated a secret here; reads no other stack, so nothing else
 * waits for it but the release, and a plan needs no cluster. Exists only when a chosen mode needs it.
 */
export class AwsServicesStack extends GitpodStack {
  constructor(scope: Construct, id: string, props: AwsServicesStackProps) {
    super(scope, id, props.backend);
    const { aws, namePrefix } = props;
    new AwsProvider(this, "aws", {
      region: aws.region,
      defaultTags: [{ tags: { "gitpod-cdktf/installation": namePrefix, ...aws.tags } }],
      ...(aws.offline
        ? { skipCredentialsValidation: true, skipRequestingAccountId: true, skipMetadataApiCheck: "true", skipRegionValidation: true }
        : {}),
    });
  }

  /**
   * The random provider is configured only when a mode put a random resource here (the RDS master
   * password): the other AWS modes' plans initialise the aws provider alone. Runs before cdktf
   * checks that every resource has its provider, once every mode has built.
   */
  prepareStack(): void {
    const usesRandom = this.node.findAll().some((construct) => construct instanceof TerraformResource && construct.terraformResourceType.startsWith("random_"));
    if (usesRandom && this.node.tryFindChild("random") === undefined) randomProvider(this);
    super.prepareStack();
  }
}
