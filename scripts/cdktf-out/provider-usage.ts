import { compareIds } from "../../pipeline/stack-graph";
import type { SynthesizedApp } from "./read-cdktf-out";
import { BUILT_IN_PROVIDER, providerOfType, type TerraformJson } from "./terraform-json";

export interface ProviderUsage {
  readonly stack: string;
  /** Providers the stack configures or requires: `terraform init` installs each of them. */
  readonly declared: readonly string[];
  /** Providers of the stack's resources and data sources. */
  readonly used: readonly string[];
  /** Declared but used by nothing: slower init and plans, credentials needed for nothing. */
  readonly unused: readonly string[];
}

export function declaredProviders(json: TerraformJson): string[] {
  return unique([...Object.keys(json.provider ?? {}), ...Object.keys(json.terraform?.required_providers ?? {})]);
}

export function usedProviders(json: TerraformJson): string[] {
  const types = [...Object.keys(json.resource ?? {}), ...Object.keys(json.data ?? {})];
  return unique(types.map(providerOfType).filter((provider) => provider !== BUILT_IN_PROVIDER));
}

export function providerUsage(app: SynthesizedApp): ProviderUsage[] {
  return app.stacks.map(({ id, json }) => {
    const declared = declaredProviders(json);
    const used = usedProviders(json);
    return { stack: id, declared, used, unused: declared.filter((provider) => !used.includes(provider)) };
  });
}

function unique(values: string[]): string[] {
  return [...new Set(values)].sort(compareIds);
}
