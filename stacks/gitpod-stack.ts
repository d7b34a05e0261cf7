import { LocalBackend, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import type { BackendConfig } from "../config/schema";

/** A stack of this app: it owns its backend; its providers are declared by each stack. */
export abstract class GitpodStack extends TerraformStack {
  protected constructor(scope: Construct, id: string, backend: BackendConfig) {
    super(scope, id);
    configureBackend(this, backend);
  }
}

/**
 * Local state lives next to cdktf.json, outside cdktf.out (which cdktf may clean). The path is
 * relative to the stack's folder cdktf.out/stacks/<id>/, and consumers' remote state copies the
 * same string, so it works from every stack folder on every machine.
 */
export function localStatePath(stackId: string): string {
  return `../../../terraform.${stackId}.tfstate`;
}

function configureBackend(stack: TerraformStack, backend: BackendConfig): void {
  switch (backend.type) {
    case "local":
      new LocalBackend(stack, { path: localStatePath(stack.node.id) });
      return;
  }
}
