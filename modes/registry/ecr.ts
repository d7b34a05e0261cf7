import { TerraformOutput } from "cdktf";
import * as v from "valibot";
import { deletionProtection, imageReference, integerBetween, matching } from "../../config/primitives";
import { EcrRegistry } from "../../modules/aws-ecr/ecr-registry";
import { EcrCredentialRefresher, ecrTokenRefresherServiceAccount } from "../../modules/ecr-credentials/ecr-credential-refresher";
import { registryMode } from "../dependencies";

/** Image of the ECR token refresher's first step (`aws ecr get-login-password`). */
export const DEFAULT_AWS_CLI_IMAGE = "public.ecr.aws/aws-cli/aws-cli:2.27.49";

export const ecrRegistry = registryMode({
  type: "ecr",
  summary: "Amazon ECR: both repositories created up front, and the 12-hour login refreshed in the cluster",
  entries: {
    /** Repositories are `<prefix>/base-images` and `<prefix>/workspace-images`; default: the name. */
    repositoryPrefix: v.optional(
      matching(/^[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/, 'must be an ECR repository path such as "gitpod"'),
    ),
    untaggedImageExpiryDays: v.optional(integerBetween(1, 3650), 7),
    /** ECR tokens live 12 hours; the refresher runs this often (1-6). */
    refreshIntervalHours: v.optional(integerBetween(1, 6), 4),
    awsCliImage: v.optional(imageReference),
    deletionProtection,
  },
  placement: ["aws-services", "release"],
  aws: { eksOidcProviderArn: "the EKS OIDC provider, for the token refresher's IAM role" },
  build(context, options, aws) {
    const awsScope = context.scope("aws-services");
    // The role is named like the service account that assumes it.
    const serviceAccount = ecrTokenRefresherServiceAccount(context.namePrefix);
    const ecr = new EcrRegistry(awsScope, "ecr", {
      region: aws.region,
      repositoryPrefix: options.repositoryPrefix ?? context.namePrefix,
      untaggedImageExpiryDays: options.untaggedImageExpiryDays,
      deletionProtection: options.deletionProtection,
      oidcProviderArn: aws.eksOidcProviderArn,
      namespace: context.namespaceName,
      serviceAccount,
      roleName: serviceAccount,
    });
    new TerraformOutput(awsScope, "registry_url", { value: ecr.url, description: "ECR path Gitpod pushes below (base-images, workspace-images)" });
    new TerraformOutput(awsScope, "ecr_refresher_role_arn", { value: ecr.role.arn, description: "IAM role of the ECR token refresher (IRSA)" });
    const refresher = new EcrCredentialRefresher(context.scope("release"), "ecr-credentials", {
      namespace: context.namespace,
      namePrefix: context.namePrefix,
      registryServer: ecr.server,
      region: aws.region,
      roleArn: ecr.role.arn,
      awsCliImage: options.awsCliImage ?? context.image(DEFAULT_AWS_CLI_IMAGE),
      imagePullSecrets: context.imagePullSecrets,
      // Gitpod's installer image has kubectl, and is mirrored with the rest of Gitpod.
      kubectlImage: context.gitpod.installerImage,
      intervalHours: options.refreshIntervalHours,
    });
    return { kind: "external", url: ecr.url, auth: { existingSecretName: refresher.secretName }, prerequisites: [refresher.workloads.release] };
  },
});
