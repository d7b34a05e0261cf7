import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import type { Construct } from "constructs";
import type { AwsSection, BackendConfig } from "../config/schema";
import { GitpodStack } from "./gitpod-stack";

export interface AwsServicesStackProps {
  readonly backend: BackendConfig;
  readonly aws: AwsSection;
  /** Tags every resource with the installation it belongs to. */
  readonly namePrefix: string;
}

/**
 * Gitpod's dependencies as AWS managed services (the AWS modes put RDS MySQL, S3, ECR and IAM
 * roles here). Uses the aws provider only, so nothing else waits for it but the release, and a plan
 * needs no cluster. Exists only when a chosen mode needs it.
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
}
