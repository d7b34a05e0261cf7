/**
 * Synthesized apps for the pipeline tests, written the way cdktf writes them (see `npm run synth`):
 * `<project>/cdktf.out/manifest.json` and `stacks/<id>/cdk.tf.json`, local state at
 * `../../../terraform.<id>.tfstate`, and each cross-stack value as a sensitive
 * `cross-stack-output-*` output of the producer read through a `terraform_remote_state` in the
 * consumer. Every stack initialises offline: Terraform's built-in `terraform_data` and
 * `terraform_remote_state`, or hashicorp/aws from the local mirror.
 */
import * as fs from "fs";
import * as path from "path";
import { scratchDir } from "./synth";

export interface FixtureStack {
  /** Stacks whose output this one reads (and so depends on). */
  readonly reads?: readonly string[];
  /** How the stack fails: a precondition at plan, or a configuration terraform cannot parse (at init). */
  readonly fail?: "precondition" | "syntax";
  /** An aws_s3_bucket named after the output of `reads[0]` (plans offline with fake credentials). */
  readonly awsBucket?: boolean;
  /** Before recording its apply, create `<project>/<id>.started` and sleep this many seconds. */
  readonly sleepSeconds?: number;
  /** Extra top-level blocks merged into cdk.tf.json (e.g. a variable). */
  readonly extra?: Record<string, unknown>;
}

/** The value each stack outputs: its id and, in brackets, what it read (`app(database(network()))`). */
export const OUTPUT_NAME = "cross-stack-output-terraform_datavalueoutput";

/** Applies append `<id>` to this file (relative to the project), in the order they ran. */
export const APPLY_LOG = "applied.log";

const remoteState = (producer: string) => `cross-stack-reference-input-${producer}`;
const readOutput = (producer: string) => `\${data.terraform_remote_state.${remoteState(producer)}.outputs.${OUTPUT_NAME}}`;

export function stackJson(id: string, stack: FixtureStack): Record<string, unknown> {
  const reads = stack.reads ?? [];
  const json: Record<string, Record<string, unknown>> = {
    terraform: { backend: { local: { path: `../../../terraform.${id}.tfstate` } } },
  };
  if (reads.length > 0) {
    json.data = {
      terraform_remote_state: Object.fromEntries(
        reads.map((producer) => [
          remoteState(producer),
          { backend: "local", config: { path: `../../../terraform.${producer}.tfstate` }, workspace: "${terraform.workspace}" },
        ]),
      ),
    };
  }
  const record = `echo ${id} >> ../../../${APPLY_LOG}`;
  const command = stack.sleepSeconds ? `touch ../../../${id}.started && sleep ${stack.sleepSeconds} && ${record}` : record;
  const value: Record<string, unknown> = {
    input: `${id}(${reads.map(readOutput).join(",")})`,
    provisioner: [{ "local-exec": { command } }],
  };
  if (stack.fail === "precondition") {
    json.variable = { healthy: { type: "bool", default: false } };
    value.lifecycle = { precondition: [{ condition: "${var.healthy}", error_message: `Fixture stack ${id} is not healthy.` }] };
  }
  json.resource = { terraform_data: { value } };
  json.output = { [OUTPUT_NAME]: { value: "${terraform_data.value.output}", sensitive: true } };
  if (stack.awsBucket) {
    (json.terraform as Record<string, unknown>).required_providers = { aws: { source: "aws", version: "5.100.0" } };
    // What an offline plan needs: no credential, account or region lookups, no data sources.
    json.provider = {
      aws: [
        {
          region: "eu-central-1",
          skip_credentials_validation: true,
          skip_requesting_account_id: true,
          skip_metadata_api_check: true,
          skip_region_validation: true,
        },
      ],
    };
    json.resource.aws_s3_bucket = { assets: { bucket: `${readOutput(reads[0])}-assets` } };
  }
  return { ...json, ...stack.extra };
}

/** Writes `<project>/cdktf.out` for these stacks; returns the project folder. */
export function writePipelineProject(stacks: Record<string, FixtureStack>, project = scratchDir("pipeline-")): string {
  const outdir = path.join(project, "cdktf.out");
  const manifest: Record<string, unknown> = {};
  for (const [id, stack] of Object.entries(stacks)) {
    const workingDirectory = `stacks/${id}`;
    fs.mkdirSync(path.join(outdir, workingDirectory), { recursive: true });
    const file = path.join(outdir, workingDirectory, "cdk.tf.json");
    if (stack.fail === "syntax") fs.writeFileSync(file, '{ "resource": { "terraform_data": ');
    else fs.writeFileSync(file, `${JSON.stringify(stackJson(id, stack), null, 2)}\n`);
    manifest[id] = {
      annotations: [],
      constructPath: id,
      dependencies: [...(stack.reads ?? [])],
      name: id,
      stackMetadataPath: `${workingDirectory}/metadata.json`,
      synthesizedStackPath: `${workingDirectory}/cdk.tf.json`,
      workingDirectory,
    };
  }
  fs.writeFileSync(path.join(outdir, "manifest.json"), `${JSON.stringify({ stacks: manifest, version: "0.21.0" }, null, 2)}\n`);
  return project;
}

/** Stacks recorded in the apply log, in order. */
export function appliedStacks(project: string): string[] {
  const log = path.join(project, APPLY_LOG);
  return fs.existsSync(log) ? fs.readFileSync(log, "utf8").split("\n").filter(Boolean) : [];
}

/** Every file under `root`, relative, sorted; folders named in `collapse` are listed, not entered. */
export function listFiles(root: string, collapse: readonly string[] = [".terraform"]): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      const relative = path.relative(root, full);
      if (entry.isDirectory() && collapse.includes(entry.name)) files.push(`${relative}/`);
      else if (entry.isDirectory()) walk(full);
      else files.push(relative);
    }
  };
  walk(root);
  return files.sort();
}
