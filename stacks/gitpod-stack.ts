import { LocalBackend, S3Backend, TerraformStack, TerraformVariable } from "cdktf";
import type { Construct } from "constructs";
import type { BackendConfig } from "../config/schema";
import { CloudWorkspaceBackend } from "./cloud-workspace-backend";

/** A stack of this app: it owns its backend; its providers are declared by each stack. */
export abstract class GitpodStack extends TerraformStack {
  protected constructor(scope: Construct, id: string, backend: BackendConfig) {
    super(scope, id);
    configureBackend(this, backend);
  }
}

/**
 * A required, sensitive string variable named exactly `name` (set it as TF_VAR_<name>), declared at
 * the top of the stack so its documented name is its Terraform name.
 */
export function sensitiveVariable(scope: Construct, name: string, description: string): string {
  const stack = TerraformStack.of(scope);
  return new TerraformVariable(stack, name, { type: "string", sensitive: true, nullable: false, description }).stringValue;
}

/** A value the config schema guarantees for this configuration; its absence is a bug here. */
export function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} is missing although the configuration requires it`);
  return value;
}

/**
 * Local state lives next to cdktf.json, outside cdktf.out (which cdktf may clean). The path is
 * relative to the stack's folder cdktf.out/stacks/<id>/, and consumers' remote state copies the
 * same string, so it works from every stack folder on every machine.
 */
export function localStatePath(stackId: string): string {
  return `../../../terraform.${stackId}.tfstate`;
}

/** One state object per stack under the configured prefix. */
export function s3StateKey(keyPrefix: string, stackId: string): string {
  return `${keyPrefix}/${stackId}.tfstate`;
}

/**
 * The stack's backend. cdktf gives every consumer a remote state data source built from its
 * producer's backend (same bucket and the producer's key; the producer's workspace), so
 * cross-stack references read the right state with every backend.
 */
export function configureBackend(stack: TerraformStack, backend: BackendConfig): void {
  const id = stack.node.id;
  switch (backend.type) {
    case "local":
      new LocalBackend(stack, { path: localStatePath(id) });
      return;
    case "s3": {
      const s3 = new S3Backend(stack, {
        bucket: backend.bucket,
        key: s3StateKey(backend.keyPrefix, id),
        region: backend.region,
        encrypt: true,
        kmsKeyId: backend.kmsKeyId,
        dynamodbTable: backend.dynamodbTable,
      });
      // S3's native locking (Terraform >= 1.10); cdktf 0.21's S3Backend has no property for it.
      if (backend.useLockfile) s3.addOverride("use_lockfile", true);
      return;
    }
    case "cloud":
      // One workspace per stack, named after it: cross-stack references need named workspaces.
      new CloudWorkspaceBackend(stack, {
        organization: backend.organization,
        hostname: backend.hostname,
        workspace: id,
        project: backend.project,
      });
      return;
  }
  const unknown: never = backend;
  throw new Error(`unknown backend ${JSON.stringify(unknown)}`);
}
