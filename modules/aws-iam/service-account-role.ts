import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Construct } from "constructs";
import { policyDocument, type PolicyStatement } from "./policy";

export interface ServiceAccountRoleProps {
  readonly roleName: string;
  readonly description: string;
  /** ARN of the EKS cluster's IAM OIDC provider. */
  readonly oidcProviderArn: string;
  /** The one Kubernetes service account that may assume the role. */
  readonly namespace: string;
  readonly serviceAccount: string;
  /** What the role may do. */
  readonly statements: readonly PolicyStatement[];
}

/** `oidc.eks.<region>.amazonaws.com/id/<id>` from the provider's ARN: the prefix of its condition keys. */
export function oidcIssuer(oidcProviderArn: string): string {
  const marker = ":oidc-provider/";
  const at = oidcProviderArn.indexOf(marker);
  if (at < 0) throw new Error(`not an IAM OIDC provider ARN: ${oidcProviderArn}`);
  return oidcProviderArn.slice(at + marker.length);
}

/**
 * An IAM role for one Kubernetes service account (IRSA): only a token of that service account,
 * issued for STS, can assume it.
 */
export class ServiceAccountRole extends Construct {
  readonly role: IamRole;
  readonly arn: string;

  constructor(scope: Construct, id: string, props: ServiceAccountRoleProps) {
    super(scope, id);
    const issuer = oidcIssuer(props.oidcProviderArn);
    this.role = new IamRole(this, "role", {
      name: props.roleName,
      description: props.description,
      assumeRolePolicy: policyDocument([
        {
          Effect: "Allow",
          Principal: { Federated: props.oidcProviderArn },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: {
              [`${issuer}:sub`]: `system:serviceaccount:${props.namespace}:${props.serviceAccount}`,
              [`${issuer}:aud`]: "sts.amazonaws.com",
            },
          },
        },
      ]),
    });
    new IamRolePolicy(this, "policy", { name: props.roleName, role: this.role.id, policy: policyDocument(props.statements) });
    this.arn = this.role.arn;
  }
}
