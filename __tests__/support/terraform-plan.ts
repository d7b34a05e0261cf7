/**
 * Runs real Terraform on a synthesized stack folder, offline: the aws provider from the local
 * filesystem mirror, fake credentials, and stand-in state files for the stacks it reads remote
 * state from (as after applying them).
 */
import * as fs from "fs";
import * as path from "path";
import type { SynthesizedApp } from "./synth";
import { findTool, terraform, terraformEnv } from "./tools";

export { findTool };

/** The `aws` section of configs whose AWS stack Terraform plans offline (no AWS call). */
export const OFFLINE_AWS = {
  region: "eu-west-1",
  vpcId: "vpc-0123456789abcdef0",
  subnetIds: ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"],
  eksOidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE",
  offline: true,
};

/** AWS modes whose stack needs the aws provider alone (no RDS, whose password needs random), so it plans offline as it is. */
export const STANDALONE_AWS_CONFIG = { aws: OFFLINE_AWS, storage: { type: "s3" }, registry: { type: "ecr" } };

export interface PlannedResource {
  address: string;
  type: string;
  name: string;
  values: Record<string, any>;
}

export interface Plan {
  resources: PlannedResource[];
  /** Resources of one type, by Terraform address. */
  ofType(type: string): PlannedResource[];
  raw: any;
}

/** Environment of an offline run: the mirror, no checkpoint, fake AWS credentials. */
export function offlineEnv(workDir: string): Record<string, string> {
  return {
    ...terraformEnv(workDir),
    AWS_ACCESS_KEY_ID: "AKIAFAKEFAKEFAKEFAKE",
    AWS_SECRET_ACCESS_KEY: "fake-secret-access-key",
    AWS_EC2_METADATA_DISABLED: "true",
  };
}

/**
 * Writes a state file with string outputs for every remote state the stack reads, where that state
 * does not exist yet: what the producer stacks' apply would leave, as far as this stack can see.
 */
export function writeStandInRemoteStates(app: SynthesizedApp, stackId: string): void {
  const stackDir = path.join(app.outdir, "stacks", stackId);
  const json = app.stack(stackId);
  const text = JSON.stringify(json);
  for (const [name, source] of Object.entries(json.data?.terraform_remote_state ?? {})) {
    const statePath = path.resolve(stackDir, (source as any).config.path as string);
    const outputs = [...text.matchAll(new RegExp(`terraform_remote_state\\.${name}\\.outputs\\.([\\w-]+)`, "g"))].map((m) => m[1]);
    if (fs.existsSync(statePath)) continue;
    fs.writeFileSync(
      statePath,
      JSON.stringify({
        version: 4,
        terraform_version: "1.11.4",
        serial: 1,
        lineage: "00000000-0000-0000-0000-000000000000",
        outputs: Object.fromEntries(outputs.map((output) => [output, { value: `stand-in-${output}`, type: "string", sensitive: true }])),
        resources: [],
        check_results: null,
      }),
    );
  }
}

/** What an offline plan uses for each generated password (`standInRandomPasswords`). */
export const STAND_IN_PASSWORD = "StandInForARandomPasswordOfFortyCharsXYZ";

/**
 * The provider mirror holds hashicorp/aws only, so a stack that also generates passwords (the AWS
 * stack with RDS) cannot be initialised offline as it is. This rewrites the stack folder's
 * cdk.tf.json: each `random_password` becomes the literal STAND_IN_PASSWORD wherever it is used,
 * and the random provider goes. Everything else, what the aws provider checks, stays as synthesized.
 * Returns the names of the passwords replaced.
 */
export function standInRandomPasswords(stackDir: string): string[] {
  const file = path.join(stackDir, "cdk.tf.json");
  const json = JSON.parse(fs.readFileSync(file, "utf8"));
  const names = Object.keys(json.resource?.random_password ?? {});
  if (names.length === 0) return [];
  const unsupported = Object.keys(json.resource ?? {}).filter((type) => type.startsWith("random_") && type !== "random_password");
  if (unsupported.length > 0) throw new Error(`no offline stand-in for ${unsupported.join(", ")}`);
  delete json.resource.random_password;
  delete json.provider?.random;
  delete json.terraform.required_providers.random;
  const literal = JSON.stringify(STAND_IN_PASSWORD);
  const replace = (value: unknown): unknown => {
    if (typeof value === "string") return names.reduce((text, name) => text.split(`random_password.${name}.result`).join(literal), value);
    if (Array.isArray(value)) return value.map(replace);
    if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, replace(inner)]));
    return value;
  };
  fs.writeFileSync(file, JSON.stringify(replace(json), null, 2));
  return names;
}

/** terraform init, validate and an offline plan of one stack; returns the plan as JSON. */
export function planStack(app: SynthesizedApp, stackId: string): Plan {
  const dir = path.join(app.outdir, "stacks", stackId);
  writeStandInRemoteStates(app, stackId);
  standInRandomPasswords(dir);
  const env = offlineEnv(path.dirname(app.outdir));
  terraform(dir, ["init", "-input=false", "-no-color"], env);
  terraform(dir, ["validate", "-no-color"], env);
  terraform(dir, ["plan", "-refresh=false", "-lock=false", "-input=false", "-no-color", "-out=plan.bin"], env);
  const raw = JSON.parse(terraform(dir, ["show", "-json", "plan.bin"], env));
  const resources: PlannedResource[] = (raw.planned_values?.root_module?.resources ?? []).map((r: any) => ({
    address: r.address,
    type: r.type,
    name: r.name,
    values: r.values ?? {},
  }));
  return { resources, ofType: (type) => resources.filter((r) => r.type === type), raw };
}
