import { EcrLifecyclePolicy } from "@cdktf/provider-aws/lib/ecr-lifecycle-policy";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { Fn } from "cdktf";
import { Construct } from "constructs";
import { dnsSuffix, parseArn } from "../aws-iam/arn";
import { ServiceAccountRole } from "../aws-iam/service-account-role";

/** Where Gitpod pushes below its registry URL (docs/gitpod-installer.md, "The config file"). */
export const GITPOD_REPOSITORIES = ["base-images", "workspace-images"] as const;

export interface EcrRegistryProps {
  readonly region: string;
  /** Repositories are `<prefix>/base-images` and `<prefix>/workspace-images`. */
  readonly repositoryPrefix: string;
  readonly untaggedImageExpiryDays: number;
  readonly deletionProtection: boolean;
  /** The service account whose tokens log in to ECR (the token refresher's). */
  readonly oidcProviderArn: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly roleName: string;
}

/**
 * ECR as Gitpod's registry. Gitpod never supported ECR because ECR does not create repositories
 * on push and its login tokens expire after 12 hours: the repositories are created here up front,
 * and a role lets the token refresher log in. An ECR token carries its requester's permissions, so
 * the role may push and pull exactly these repositories.
 */
export class EcrRegistry extends Construct {
  readonly repositories: EcrRepository[];
  /** `<account>.dkr.ecr.<region>.amazonaws.com/<prefix>`: Gitpod's `containerRegistry.external.url`. */
  readonly url: string;
  /** `<account>.dkr.ecr.<region>.amazonaws.com`: the key of the login in `.dockerconfigjson`. */
  readonly server: string;
  readonly role: ServiceAccountRole;

  constructor(scope: Construct, id: string, props: EcrRegistryProps) {
    super(scope, id);
    this.repositories = GITPOD_REPOSITORIES.map((name) => {
      const repository = new EcrRepository(this, name, {
        name: `${props.repositoryPrefix}/${name}`,
        // Gitpod re-pushes tags such as `latest` of base images.
        imageTagMutability: "MUTABLE",
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfiguration: [{ encryptionType: "AES256" }],
        forceDelete: false,
        lifecycle: { preventDestroy: props.deletionProtection },
      });
      new EcrLifecyclePolicy(this, `${name}-lifecycle`, {
        repository: repository.name,
        policy: Fn.jsonencode({
          rules: [
            {
              rulePriority: 1,
              description: `Expire untagged images after ${props.untaggedImageExpiryDays} days`,
              selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: props.untaggedImageExpiryDays },
              action: { type: "expire" },
            },
          ],
        }),
      });
      return repository;
    });
    // An IRSA role lives in the account of its OIDC provider, and so do these repositories: the
    // registry's address and ARNs are known before anything exists.
    const { partition, account } = parseArn(props.oidcProviderArn);
    this.server = `${account}.dkr.ecr.${props.region}.${dnsSuffix(partition)}`;
    this.url = `${this.server}/${props.repositoryPrefix}`;
    const repositoryArns = GITPOD_REPOSITORIES.map((name) => `arn:${partition}:ecr:${props.region}:${account}:repository/${props.repositoryPrefix}/${name}`);

    this.role = new ServiceAccountRole(this, "token-refresher", {
      roleName: props.roleName,
      description: `Logs Gitpod in to ECR (${props.repositoryPrefix}/*) from ${props.namespace}/${props.serviceAccount}`,
      oidcProviderArn: props.oidcProviderArn,
      namespace: props.namespace,
      serviceAccount: props.serviceAccount,
      statements: [
        { Sid: "Login", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
        {
          Sid: "PushAndPullGitpodImages",
          Effect: "Allow",
          Action: [
            "ecr:BatchCheckLayerAvailability",
            "ecr:BatchGetImage",
            "ecr:GetDownloadUrlForLayer",
            "ecr:InitiateLayerUpload",
            "ecr:UploadLayerPart",
            "ecr:CompleteLayerUpload",
            "ecr:PutImage",
            "ecr:DescribeImages",
            "ecr:ListImages",
          ],
          Resource: repositoryArns,
        },
      ],
    });
  }
}
