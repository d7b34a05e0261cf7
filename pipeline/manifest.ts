/**
 * Reads `manifest.json`, the only file of a synthesized app the pipeline needs: the stacks, the
 * stacks each one reads outputs from (`dependencies`) and its Terraform working directory. The file
 * is input like any other: its type, size, encoding and shape are checked, and each problem is
 * named in one line.
 */
import * as path from "path";
import * as v from "valibot";
import { joinProblems, PipelineInputError, quote } from "./errors";
import { describeKind, readTextFile, statPath } from "../util/input-file";
import { findCycle } from "./stack-graph";

export const MANIFEST_FILE = "manifest.json";

/** cdktf writes a few KiB for this app; anything near this is not a manifest it wrote. */
export const MANIFEST_MAX_BYTES = 4 * 1024 * 1024;

/** The app has at most a handful of stacks; the limit keeps ordering and scheduling quick. */
export const MAX_STACKS = 1000;

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

/**
 * Ids become plan file names (`<id>.tfplan`) and appear in logs: keep them plain, and short
 * enough for a file name.
 */
const STACK_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

const SYNTHESIZE_AGAIN = "synthesize again (npm run synth, or cdktf synth)";

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
  const shownField = field.length > 120 ? `${field.slice(0, 120)}...` : field;
  if (issue.kind !== "schema") return `${shownField}: ${issue.message}`;
  const missing = issue.path?.[issue.path.length - 1]?.origin === "key";
  if (missing) return `${shownField}: is missing`;
  const received = typeof issue.input === "string" ? quote(issue.input) : issue.received;
  return `${shownField}: expected ${issue.expected?.toLowerCase()}, got ${received}`;
}

/**
 * Reads `<outdir>/manifest.json`. Messages name it `shownAs` (the path as the user gave it,
 * relative to where the command runs).
 */
export function readManifest(outdir: string, shownAs: string = path.join(outdir, MANIFEST_FILE)): Manifest {
  const shownOutdir = path.dirname(shownAs);
  const folder = statPath(outdir);
  if ("stats" in folder && !folder.stats.isDirectory()) {
    throw new PipelineInputError(
      `--outdir ${quote(shownOutdir)}: is ${describeKind(folder.stats)}, not a folder; pass --outdir <the folder holding ${MANIFEST_FILE}>`,
    );
  }
  const file = path.join(outdir, MANIFEST_FILE);
  const read = readTextFile(file, MANIFEST_MAX_BYTES);
  if ("problem" in read) {
    if (read.missing) {
      throw new PipelineInputError(
        `${shownAs} does not exist: synthesize first (npm run synth, or cdktf synth), or pass --outdir <the folder holding ${MANIFEST_FILE}>`,
      );
    }
    throw new PipelineInputError(`${shownAs} ${read.problem}: ${SYNTHESIZE_AGAIN}, or pass --outdir <the folder holding ${MANIFEST_FILE}>`);
  }
  let json: unknown;
  try {
    json = JSON.parse(read.text);
  } catch (error) {
    // V8's message shows at most a few characters of the file around the error.
    throw new PipelineInputError(`${shownAs} is not valid JSON (${(error as Error).message.slice(0, 160)}): ${SYNTHESIZE_AGAIN}`);
  }
  return parseManifest(json, shownAs);
}

/** Validates a parsed manifest; `source` names it in messages. */
export function parseManifest(json: unknown, source: string): Manifest {
  // Before the schema: valibot's record() drops keys such as "__proto__" and "constructor" silently.
  const rawStacks = (json as { stacks?: unknown } | null)?.stacks;
  const rawIds = rawStacks !== null && typeof rawStacks === "object" && !Array.isArray(rawStacks) ? Object.keys(rawStacks) : [];
  if (rawIds.length > MAX_STACKS) {
    throw new PipelineInputError(`${source}: stacks: has ${rawIds.length} stacks, more than the ${MAX_STACKS} a cdktf app of this project can have; ${SYNTHESIZE_AGAIN}`);
  }
  const badIds = rawIds.filter((id) => !STACK_ID.test(id));
  if (badIds.length > 0) {
    throw new PipelineInputError(
      `${source}: ${joinProblems(badIds.map((id) => `stack id ${quote(id)} is not a plain name (letters, digits, ".", "_" and "-", at most 200, starting with a letter or digit)`))}`,
    );
  }

  const parsed = v.safeParse(manifestSchema, json);
  if (!parsed.success) {
    throw new PipelineInputError(`${source} is not a cdktf manifest: ${joinProblems(parsed.issues.map(describeIssue))}`);
  }
  const problems: string[] = [];
  const stacks = new Map<string, ManifestStack>();
  const isStack = (id: string) => Object.hasOwn(parsed.output.stacks, id);
  for (const id of Object.keys(parsed.output.stacks).sort()) {
    const { dependencies, workingDirectory } = parsed.output.stacks[id];
    const unique = [...new Set(dependencies)].sort();
    for (const dependency of unique) {
      if (!isStack(dependency)) problems.push(`stacks.${id}.dependencies: ${quote(dependency)} is not a stack of this manifest`);
      if (dependency === id) problems.push(`stacks.${id}.dependencies: a stack cannot depend on itself`);
    }
    const folderProblem = workingDirectoryProblem(workingDirectory);
    if (folderProblem) problems.push(`stacks.${id}.workingDirectory: ${quote(workingDirectory)} ${folderProblem}`);
    stacks.set(id, { id, dependencies: unique, workingDirectory });
  }
  if (stacks.size === 0) problems.push("stacks: the manifest has no stacks");
  if (problems.length === 0) {
    const cycle = findCycle(stacks);
    if (cycle) problems.push(`dependencies form a cycle: ${cycle.join(" -> ")}`);
  }
  if (problems.length > 0) throw new PipelineInputError(`${source}: ${joinProblems(problems)}`);
  return { stacks };
}

/** Why a working directory cannot be used, or undefined: it must be a folder below the output folder. */
function workingDirectoryProblem(workingDirectory: string): string | undefined {
  // Both separators: a manifest written on Windows may be read anywhere.
  const normalized = path.normalize(workingDirectory.replace(/\\/g, "/"));
  if (/[\u0000-\u001f\u007f]/.test(workingDirectory)) return "has control characters";
  if (path.isAbsolute(workingDirectory) || /^[A-Za-z]:/.test(workingDirectory) || workingDirectory.startsWith("\\")) {
    return "must be a path inside the output folder, not an absolute path";
  }
  if (normalized === "." || normalized.split("/")[0] === "..") return "must be a path inside the output folder";
  return undefined;
}
