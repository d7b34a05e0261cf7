/**
 * The terraform commands run in one stack's working directory, and what their exit codes mean.
 * Pure: the runner executes these, the tests read them.
 */
import type { PipelineCommand } from "./arguments";

export type StepName = "init" | "plan" | "apply";

export interface TerraformStep {
  readonly name: StepName;
  readonly args: readonly string[];
}

/** The saved plan, written into the stack's own working directory (a relative path). */
export function planFileName(stackId: string): string {
  return `${stackId}.tfplan`;
}

/**
 * `plan`: init, plan to `<stack>.tfplan`. `apply`: the same, then apply exactly that plan. Apply
 * always plans again right before applying, against the state its dependencies have just been
 * applied to; a plan made earlier (for review) could be stale for a stack that reads another
 * stack's outputs, and Terraform cannot detect that. `-detailed-exitcode` tells whether the plan
 * has changes (exit 2), which the summary reports.
 */
export function terraformSteps(command: PipelineCommand, stackId: string, planArgs: readonly string[]): TerraformStep[] {
  const planFile = planFileName(stackId);
  const steps: TerraformStep[] = [
    { name: "init", args: ["init", "-input=false"] },
    { name: "plan", args: ["plan", "-input=false", `-out=${planFile}`, "-detailed-exitcode", ...planArgs] },
  ];
  if (command === "apply") steps.push({ name: "apply", args: ["apply", "-input=false", planFile] });
  return steps;
}

export type StepOutcome = { readonly ok: true; readonly changes?: boolean } | { readonly ok: false };

/** What an exit code of `step` means. A plan exits 0 without changes, 2 with changes. */
export function stepOutcome(step: StepName, exitCode: number | null): StepOutcome {
  if (step === "plan") {
    if (exitCode === 0) return { ok: true, changes: false };
    if (exitCode === 2) return { ok: true, changes: true };
    return { ok: false };
  }
  return exitCode === 0 ? { ok: true } : { ok: false };
}

/**
 * Arguments as shown in the log: the value of every `-var` is replaced, because variables carry
 * secrets (TF_VAR_* are never shown either, as the environment is never printed).
 */
export function displayArgs(args: readonly string[]): string {
  const shown: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const inline = /^(--?var=)([^=]*)=/.exec(arg);
    if (inline) {
      shown.push(`${inline[1]}${inline[2]}=(hidden)`);
    } else if (/^--?var$/.test(arg) && i + 1 < args.length) {
      shown.push(arg, `${args[i + 1].split("=")[0]}=(hidden)`);
      i++;
    } else {
      shown.push(arg);
    }
  }
  return shown.map(quoteForShell).join(" ");
}

function quoteForShell(arg: string): string {
  return /^[A-Za-z0-9_./=:,+@%-]+$/.test(arg) || arg.endsWith("=(hidden)") ? arg : `'${arg.replace(/'/g, "'\\''")}'`;
}
