import { IamAccessKey } from "@cdktf/provider-aws/lib/iam-access-key";
import { IamUser } from "@cdktf/provider-aws/lib/iam-user";
import { IamUserPolicy } from "@cdktf/provider-aws/lib/iam-user-policy";
import { Construct } from "constructs";
import { policyDocument } from "./policy";

export interface BucketAccessKeyProps {
  readonly userName: string;
  readonly bucketArn: string;
  /** Actions on the bucket itself (s3:ListBucket...). */
  readonly bucketActions: readonly string[];
  /** Actions on the bucket's objects (s3:GetObject...). */
  readonly objectActions: readonly string[];
}

/**
 * A static access key that can do only the given actions on one bucket: for software that reads
 * `accessKeyId`/`secretAccessKey` and cannot use a role (Gitpod 2022.11 has no IRSA path).
 */
export class BucketAccessKey extends Construct {
  readonly accessKeyId: string;
  /** Sensitive. Kept in Terraform state; rotate by replacing this construct's access key. */
  readonly secretAccessKey: string;
  readonly user: IamUser;

  constructor(scope: Construct, id: string, props: BucketAccessKeyProps) {
    super(scope, id);
    this.user = new IamUser(this, "user", { name: props.userName, path: "/gitpod/" });
    new IamUserPolicy(this, "policy", {
      name: props.userName,
      user: this.user.name,
      policy: policyDocument([
        { Sid: "Bucket", Effect: "Allow", Action: props.bucketActions, Resource: props.bucketArn },
        { Sid: "Objects", Effect: "Allow", Action: props.objectActions, Resource: `${props.bucketArn}/*` },
      ]),
    });
    const key = new IamAccessKey(this, "key", { user: this.user.name });
    this.accessKeyId = key.id;
    this.secretAccessKey = key.secret;
  }
}
