/**
 * ARNs and names that are known before anything is created, so plans show complete IAM policies
 * and Gitpod's config needs no value from the AWS stack's state where it can be avoided.
 */

/** The AWS partition of a region: aws, aws-cn or aws-us-gov. */
export function partitionOfRegion(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

/** The partition and account an ARN belongs to. */
export function parseArn(arn: string): { partition: string; account: string } {
  const [scheme, partition, , , account] = arn.split(":");
  if (scheme !== "arn" || !partition || !account) throw new Error(`not an ARN with an account: ${arn}`);
  return { partition, account };
}

/** Domain suffix of a partition's endpoints. */
export function dnsSuffix(partition: string): string {
  return partition === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com";
}

export function s3BucketArn(region: string, bucket: string): string {
  return `arn:${partitionOfRegion(region)}:s3:::${bucket}`;
}

/** The ARN a role named `roleName` (path "/") gets in the account and partition of `accountArn`. */
export function iamRoleArn(accountArn: string, roleName: string): string {
  const { partition, account } = parseArn(accountArn);
  return `arn:${partition}:iam::${account}:role/${roleName}`;
}
