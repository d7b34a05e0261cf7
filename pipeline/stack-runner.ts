/**
 * Runs the terraform steps of one stack in its working directory, one after the other, and stops
 * at the first that fails.
 */
import type { PipelineCommand } from "./arguments";
import { describeExit, formatDuration, type ProgressLog, type StackResult } from "./report";
import type { OutputStream, TerraformProcesses } from "./terraform-process";
import { errorText } from "./errors";
import { displayArgs, stepOutcome, terraformSteps, type StepName } from "./terraform-steps";

export interface StackRunContext {
  readonly command: PipelineCommand;
  readonly terraform: string;
  readonly planArgs: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly processes: TerraformProcesses;
  readonly log: ProgressLog;
  /** Where terraform's stdout goes (stderr when stdout carries the JSON summary). */
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  /** Prefix terraform's lines with the stack id (when stacks run in parallel). */
  readonly prefixLines: boolean;
  readonly now: () => number;
}

export interface StackToRun {
  readonly id: string;
  /** "[2/4] gitpod-release", for progress lines. */
  readonly label: string;
  /** Absolute working directory terraform runs in. */
  readonly cwd: string;
  /** As shown to the user, e.g. cdktf.out/stacks/gitpod-release. */
  readonly shownDirectory: string;
}

/**
 * Never rejects (the scheduler relies on it): terraform that cannot be started, or anything else
 * going wrong while the stack runs, is this stack's failure, reported in the summary.
 */
export async function runStack(stack: StackToRun, context: StackRunContext): Promise<StackResult> {
  const { log } = context;
  const stackStart = context.now();
  let changes: boolean | undefined;
  let current: StepName = "init";
  try {
    log.line(`${stack.label}: starting in ${stack.shownDirectory}`);
    for (const step of terraformSteps(context.command, stack.id, context.planArgs)) {
      current = step.name;
      log.line(`${stack.label}: ${step.name}: terraform ${displayArgs(step.args)}`);
      const stepStart = context.now();
      const exit = await context.processes.run({
        binary: context.terraform,
        args: step.args,
        cwd: stack.cwd,
        shownCwd: stack.shownDirectory,
        env: context.env,
        stdout: context.stdout,
        stderr: context.stderr,
        linePrefix: context.prefixLines ? `[${stack.id}] ` : undefined,
      });
      const stepDuration = formatDuration(context.now() - stepStart);
      const exitFields = "spawnError" in exit ? { error: exit.spawnError } : { exitCode: exit.exitCode, signal: exit.signal };
      const outcome = "spawnError" in exit ? { ok: false as const } : stepOutcome(step.name, exit.exitCode);
      if (!outcome.ok) {
        log.line(`${stack.label}: ${step.name} failed after ${stepDuration} (${describeExit(exitFields)})`);
        return { succeeded: false, failedStep: step.name, changes, ...exitFields, durationMs: context.now() - stackStart };
      }
      if (outcome.changes !== undefined) changes = outcome.changes;
      const detail = outcome.changes === undefined ? "" : outcome.changes ? ": changes" : ": no changes";
      log.line(`${stack.label}: ${step.name} done in ${stepDuration}${detail}`);
    }
  } catch (error) {
    const reason = `unexpected error: ${errorText(error)}`;
    log.line(`${stack.label}: ${current} failed (${reason})`);
    return { succeeded: false, failedStep: current, changes, error: reason, durationMs: context.now() - stackStart };
  }
  return { succeeded: true, changes, durationMs: context.now() - stackStart };
}
