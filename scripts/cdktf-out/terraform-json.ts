/** The parts of a synthesized cdk.tf.json that the project's tools read. */
export interface TerraformJson {
  readonly terraform?: { readonly required_providers?: Record<string, unknown> };
  readonly provider?: Record<string, unknown>;
  readonly resource?: Record<string, Record<string, TerraformBlock>>;
  readonly data?: Record<string, Record<string, TerraformBlock>>;
  readonly output?: Record<string, { readonly value?: unknown; readonly sensitive?: boolean }>;
  readonly variable?: Record<string, { readonly sensitive?: boolean }>;
}

/** A resource or data source; cdktf records the construct that made it under "//". */
export interface TerraformBlock {
  readonly "//"?: { readonly metadata?: { readonly path?: string; readonly uniqueId?: string } };
  readonly [argument: string]: unknown;
}

/**
 * Terraform's rule for the provider of a resource or data source type: the word before the first
 * underscore (`kubernetes_secret_v1` -> kubernetes). `terraform_*` types are built in.
 */
export function providerOfType(type: string): string {
  return type.split("_")[0];
}

export const BUILT_IN_PROVIDER = "terraform";
