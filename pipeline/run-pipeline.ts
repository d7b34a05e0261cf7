/**
 * `npm run pipeline -- plan|apply`: plain terraform over the synthesized stack folders, in
 * manifest.json dependency order. It keeps no state of its own: everything it knows comes from
 * manifest.json, and everything it writes is terraform's own files in each stack's folder
 * (.terraform/, .terraform.lock.hcl, <stack>.tfplan), so it runs the same on a fresh CI runner.
 */
import { spawnSync } from "child_process";
import * as path from "path";
import type { PipelineOptions } from "./arguments";
import { errorText, joinProblems, PipelineInputError, quote } from "./errors";
import { describeKind, statPath } from "../util/input-file";
import { MANIFEST_FILE, readManifest, type Manifest } from "./manifest";
import {
  countOutcomes,
  describeOutcome,
  formatDuration,
  listWords,
  ProgressLog,
  summaryTable,
  type PipelineSummary,
  type StackResult,
} from "./report";
import { runStacks } from "./scheduler";
import { executionOrder, selectedPrerequisites, unselectedDependencies } from "./stack-graph";
import { runStack } from "./stack-runner";
import { displayArgs } from "./terraform-steps";
import type { OutputStream, TerraformProcesses } from "./terraform-process";

export interface PipelineEnvironment {
  readonly cwd: string;
  /** Passed to terraform as is (credentials, TF_VAR_*, TF_CLI_ARGS_*...); never printed. */
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly processes: TerraformProcesses;
  readonly isCancelled: () => boolean;
  readonly now: () => number;
}

/** Runs the pipeline; throws PipelineInputError (before running anything) on unusable input. */
export async function runPipeline(options: PipelineOptions, environment: PipelineEnvironment): Promise<PipelineSummary> {
  const started = environment.now();
  const log = new ProgressLog(environment.stderr);
  const outdir = path.resolve(environment.cwd, options.outdir);
  const manifestShown = path.join(options.outdir, MANIFEST_FILE);
  const manifest = during(`reading ${manifestShown}`, () => readManifest(outdir, manifestShown));
  const selected = selectStacks(manifest, options.stacks, manifestShown);
  const order = during("ordering the stacks", () => executionOrder(manifest.stacks, selected));
  const shownDirectory = (id: string) => path.join(options.outdir, manifest.stacks.get(id)!.workingDirectory);
  during("checking the stack folders", () => checkStackFolders(order, (id) => path.join(outdir, manifest.stacks.get(id)!.workingDirectory), shownDirectory));
  const terraformVersion = during(`running ${options.terraform} version`, () => checkTerraform(options.terraform, environment));

  const parallel = options.parallelism > 1;
  log.line(
    `${options.command} ${order.length} stack${order.length === 1 ? "" : "s"} from ${manifestShown} in this order: ${order.join(", ")}` +
      (parallel ? ` (up to ${options.parallelism} at once, each after the stacks it depends on)` : ""),
  );
  log.line(`using ${terraformVersion}`);
  if (options.planArgs.length > 0) log.line(`extra arguments for terraform plan: ${displayArgs(options.planArgs)}`);
  const unselected = unselectedDependencies(manifest.stacks, selected);
  for (const [id, dependencies] of unselected) {
    log.line(`note: ${id} reads from ${listWords(dependencies)}, not selected: their last applied state is used`);
  }

  const prerequisites = selectedPrerequisites(manifest.stacks, selected);
  const dependants = (id: string) => order.filter((other) => prerequisites.get(other)!.includes(id));
  const results = new Map<string, StackResult>();
  const context = {
    command: options.command,
    terraform: options.terraform,
    planArgs: options.planArgs,
    // TF_IN_AUTOMATION only shortens terraform's hints ("run terraform apply") that do not apply here.
    env: { TF_IN_AUTOMATION: "1", ...environment.env },
    processes: environment.processes,
    log,
    stdout: options.json ? environment.stderr : environment.stdout,
    stderr: environment.stderr,
    prefixLines: parallel,
    now: environment.now,
  };

  const outcomes = await runStacks<StackResult>({
    order,
    prerequisites,
    parallelism: options.parallelism,
    isCancelled: environment.isCancelled,
    run: async (id, position) => {
      const label = `[${position}/${order.length}] ${id}`;
      const result = await runStack(
        { id, label, cwd: path.join(outdir, manifest.stacks.get(id)!.workingDirectory), shownDirectory: shownDirectory(id) },
        context,
      );
      results.set(id, result);
      if (result.succeeded) {
        log.line(`${label}: ${describeOutcome(options.command, { id, position, status: "ran", result })} in ${formatDuration(result.durationMs)}`);
      } else {
        const stopped = dependants(id);
        log.line(
          `${label}: FAILED at ${result.failedStep}` + (stopped.length > 0 ? `; not running what depends on it: ${stopped.join(", ")}` : ""),
        );
        const hint = staleDependencyHint(options.command, manifest, id, result, results);
        if (hint) log.line(`${label}: ${hint}`);
      }
      return result;
    },
    onSkipped: (skipped) => log.line(`[${skipped.position}/${order.length}] ${skipped.id}: ${describeOutcome(options.command, skipped)}`),
  });

  const summary: PipelineSummary = {
    command: options.command,
    outdir: options.outdir,
    succeeded: outcomes.every((outcome) => outcome.status === "ran" && outcome.result.succeeded),
    stacks: outcomes,
    workingDirectories: new Map(order.map((id) => [id, shownDirectory(id)])),
    unselectedDependencies: unselected,
    durationMs: environment.now() - started,
  };
  const counts = countOutcomes(summary);
  log.line(
    `${options.command} ${summary.succeeded ? "succeeded" : "FAILED"} in ${formatDuration(summary.durationMs)}: ` +
      Object.entries(counts)
        .filter(([, count]) => count > 0)
        .map(([what, count]) => `${count} ${what}`)
        .join(", "),
  );
  environment.stderr.write(`${summaryTable(summary)}\n`);
  return summary;
}

function selectStacks(manifest: Manifest, requested: readonly string[] | undefined, manifestShown: string): Set<string> {
  if (requested === undefined) return new Set(manifest.stacks.keys());
  const unknown = requested.filter((id) => !manifest.stacks.has(id));
  if (unknown.length > 0) {
    const shownUnknown = unknown.slice(0, 5).map((id) => quote(id));
    if (unknown.length > 5) shownUnknown.push(`${unknown.length - 5} more`);
    const known = [...manifest.stacks.keys()];
    throw new PipelineInputError(
      `--stacks: ${listWords(shownUnknown)} ${unknown.length === 1 ? "is not a stack" : "are not stacks"} of ${manifestShown}; ` +
        `its stacks are: ${known.slice(0, 20).join(", ")}${known.length > 20 ? ` and ${known.length - 20} more` : ""}`,
    );
  }
  return new Set(requested);
}

/** What cdktf writes into each stack's folder: JSON, or HCL with `cdktf synth --hcl`. */
export const STACK_FILES = ["cdk.tf.json", "cdk.tf"] as const;

/**
 * Every selected stack's folder exists, is a folder and holds what cdktf wrote for it; checked for
 * all of them before anything runs, so a broken output folder stops the run with nothing half done.
 */
function checkStackFolders(order: readonly string[], directory: (id: string) => string, shownDirectory: (id: string) => string): void {
  const problems: string[] = [];
  for (const id of order) {
    const folder = statPath(directory(id));
    let problem: string | undefined;
    if ("problem" in folder) problem = folder.problem;
    else if (!folder.stats.isDirectory()) problem = `is ${describeKind(folder.stats)}, not a folder`;
    else {
      const files = STACK_FILES.map((name) => statPath(path.join(directory(id), name)));
      if (!files.some((file) => "stats" in file && file.stats.isFile())) problem = `holds no ${STACK_FILES[0]} (or ${STACK_FILES[1]}) file`;
    }
    if (problem !== undefined) problems.push(`stack ${id}: its working directory ${shownDirectory(id)} ${problem}`);
  }
  if (problems.length > 0) throw new PipelineInputError(`${joinProblems(problems)}; synthesize again`);
}

/** How long `terraform version` may take (it may look for a newer version online). */
const VERSION_TIMEOUT_MS = 60_000;

/** `terraform version`'s first line; a PipelineInputError if terraform cannot run. */
function checkTerraform(binary: string, environment: PipelineEnvironment): string {
  const result = spawnSync(binary, ["version"], {
    cwd: environment.cwd,
    env: environment.env,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    timeout: VERSION_TIMEOUT_MS,
    killSignal: "SIGKILL",
    maxBuffer: 1024 * 1024,
  });
  if (result.error || result.status !== 0) {
    const code = (result.error as NodeJS.ErrnoException | undefined)?.code;
    const reason =
      code === "ENOENT" ? "not found" : code === "ETIMEDOUT" ? `\`${binary} version\` did not finish within ${VERSION_TIMEOUT_MS / 1000}s` : `\`${binary} version\` failed`;
    throw new PipelineInputError(
      `--terraform: cannot run ${quote(binary)} (${reason}); install Terraform (>= 1.5) or pass --terraform <path to the terraform binary>`,
    );
  }
  return result.stdout.split("\n")[0].trim().slice(0, 200);
}

/**
 * Runs a step of the checks before anything runs; an unexpected error in it (a bug, or something
 * the checks did not foresee) becomes a PipelineInputError naming the step: nothing has run yet.
 */
function during<T>(what: string, step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof PipelineInputError) throw error;
    throw new PipelineInputError(`${what} failed unexpectedly: ${errorText(error)}; nothing was run`);
  }
}

/**
 * A plan reads its dependencies' applied outputs. When one of them has changes planned in this
 * very run (or was never applied), a failing plan downstream is most likely that, not a bug.
 */
function staleDependencyHint(
  command: PipelineOptions["command"],
  manifest: Manifest,
  id: string,
  result: StackResult,
  results: ReadonlyMap<string, StackResult>,
): string | undefined {
  if (command !== "plan" || result.failedStep !== "plan") return undefined;
  const pending = manifest.stacks.get(id)!.dependencies.filter((dependency) => results.get(dependency)?.changes === true);
  if (pending.length === 0) return undefined;
  return (
    `note: it reads from ${listWords(pending)}, whose planned changes are not applied yet; a plan reads its ` +
    `dependencies' applied state, so on a first deployment (no state yet) run apply instead`
  );
}
