/**
 * Reads `manifest.json`, the only file of a synthesized app the pipeline needs: the stacks, the
 * stacks each one reads outputs from (`dependencies`) and its Terraform working directory.
 */
import * as fs from "fs";
import * as path from "path";
import * as v from "valibot";
import { PipelineInputError } from "./errors";
import { findCycle } from "./stack-graph";

export const MANIFEST_FILE = "manifest.json";

export interface ManifestStack {
  readonly id: string;
  /** Stacks whose outputs this stack reads through `terraform_remote_state`. */
  readonly dependencies: readonly string[];
  /** Relative to the output folder, e.g. `stacks/gitpod-release`. */
  readonly workingDirectory: string;
}

export interface Manifest {
  /** By id, sorted by id. */
  readonly stacks: ReadonlyMap<string, ManifestStack>;
}

/** Ids become plan file names (`<id>.tfplan`) and appear in logs: keep them plain. */
const STACK_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

// cdktf writes more fields (annotations, constructPath...); only these are read.
const manifestSchema = v.object({
  stacks: v.record(
    v.string(),
    v.object({
      dependencies: v.array(v.string()),
      workingDirectory: v.pipe(v.string(), v.minLength(1, "must not be empty")),
    }),
  ),
});

/** `stacks.a.dependencies: expected array, got "b"` */
function describeIssue(issue: v.BaseIssue<unknown>): string {
  const field = v.getDotPath(issue) ?? "(top level)";
  if (issue.kind !== "schema") return `${field}: ${issue.message}`;
  const missing = issue.path?.[issue.path.length - 1]?.origin === "key";
  return missing ? `${field}: is missing` : `${field}: expected ${issue.expected?.toLowerCase()}, got ${issue.received}`;
}

/**
 * Reads `<outdir>/manifest.json`. Messages name it `shownAs` (the path as the user gave it,
 * relative to where the command runs).
 */
export function readManifest(outdir: string, shownAs: string = path.join(outdir, MANIFEST_FILE)): Manifest {
  const file = path.join(outdir, MANIFEST_FILE);
  if (!fs.existsSync(file)) {
    throw new PipelineInputError(
      `${shownAs} does not exist: synthesize first (npm run synth, or cdktf synth), or pass --outdir <the folder holding ${MANIFEST_FILE}>`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    throw new PipelineInputError(`${shownAs} is not valid JSON (${(error as Error).message}): synthesize again`);
  }
  return parseManifest(json, shownAs);
}

/** Validates a parsed manifest; `source` names it in messages. */
export function parseManifest(json: unknown, source: string): Manifest {
  const parsed = v.safeParse(manifestSchema, json);
  if (!parsed.success) {
    throw new PipelineInputError(`${source} is not a cdktf manifest: ${parsed.issues.map(describeIssue).join("; ")}`);
  }
  const problems: string[] = [];
  const stacks = new Map<string, ManifestStack>();
  for (const id of Object.keys(parsed.output.stacks).sort()) {
    const { dependencies, workingDirectory } = parsed.output.stacks[id];
    if (!STACK_ID.test(id)) problems.push(`stack id ${JSON.stringify(id)} has characters other than letters, digits, ".", "_" and "-"`);
    for (const dependency of dependencies) {
      if (!(dependency in parsed.output.stacks)) problems.push(`stacks.${id}.dependencies: ${JSON.stringify(dependency)} is not a stack of this manifest`);
      if (dependency === id) problems.push(`stacks.${id}.dependencies: a stack cannot depend on itself`);
    }
    if (path.isAbsolute(workingDirectory) || path.normalize(workingDirectory).split(path.sep)[0] === "..") {
      problems.push(`stacks.${id}.workingDirectory: ${JSON.stringify(workingDirectory)} must be a path inside the output folder`);
    }
    stacks.set(id, { id, dependencies: [...new Set(dependencies)].sort(), workingDirectory });
  }
  if (stacks.size === 0) problems.push("stacks: the manifest has no stacks");
  if (problems.length === 0) {
    const cycle = findCycle(stacks);
    if (cycle) problems.push(`dependencies form a cycle: ${cycle.join(" -> ")}`);
  }
  if (problems.length > 0) throw new PipelineInputError(`${source}: ${problems.join("; ")}`);
  return { stacks };
}
