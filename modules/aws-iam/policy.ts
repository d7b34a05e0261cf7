import { Fn } from "cdktf";

/** An IAM policy statement; values may be Terraform references (ARNs of resources being created). */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal?: unknown;
  readonly Action: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

/**
 * An IAM policy document, rendered by Terraform's jsonencode so references resolve at apply and the
 * plan shows the policy as JSON.
 */
export function policyDocument(statements: readonly PolicyStatement[]): string {
  return Fn.jsonencode({ Version: "2012-10-17", Statement: statements });
}
