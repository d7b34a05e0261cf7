/**
 * What the pipeline tells its reader: one line per step on stderr, a summary table at the end, and
 * optionally the same summary as JSON for the pipeline's next steps. Never an environment value or
 * a variable's value (see displayArgs).
 */
import type { PipelineCommand } from "./arguments";
import type { ScheduledStack, StackRunResult } from "./scheduler";
import type { StepName } from "./terraform-steps";
import type { OutputStream } from "./terraform-process";

export interface StackResult extends StackRunResult {
  readonly succeeded: boolean;
  /** Whether the stack's plan had changes (known once the plan ran). */
  readonly changes?: boolean;
  /** The step that failed, and how. */
  readonly failedStep?: StepName;
  readonly exitCode?: number | null;
  readonly signal?: string | null;
  /** Why terraform could not be started at all. */
  readonly error?: string;
  readonly durationMs: number;
}

export type StackOutcome = ScheduledStack<StackResult>;

export interface PipelineSummary {
  readonly command: PipelineCommand;
  readonly outdir: string;
  readonly succeeded: boolean;
  /** In the order they were started or skipped. */
  readonly stacks: readonly StackOutcome[];
  readonly workingDirectories: ReadonlyMap<string, string>;
  /** Selected stacks that read from stacks outside the selection. */
  readonly unselectedDependencies: ReadonlyMap<string, readonly string[]>;
  readonly durationMs: number;
}

/** Writes `pipeline: ...` lines to stderr. */
export class ProgressLog {
  constructor(private readonly stream: OutputStream) {}

  line(message: string): void {
    this.stream.write(`pipeline: ${message}\n`);
  }
}

export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, "0")}s`;
}

/** "applied (changes)" / "failed at plan (terraform exited 1)" / "skipped: depends on a, which failed". */
export function describeOutcome(command: PipelineCommand, outcome: StackOutcome): string {
  switch (outcome.status) {
    case "skipped":
      return `skipped: depends on ${listWords(outcome.because)}, which failed`;
    case "cancelled":
      return "not run: the pipeline was interrupted";
    case "ran": {
      const { result } = outcome;
      if (result.succeeded) {
        return `${command === "apply" ? "applied" : "planned"} (${result.changes ? "changes" : "no changes"})`;
      }
      return `failed at ${result.failedStep} (${describeExit(result)})`;
    }
  }
}

export function describeExit(result: Pick<StackResult, "exitCode" | "signal" | "error">): string {
  if (result.error !== undefined) return result.error;
  if (result.signal) return `terraform stopped by ${result.signal}`;
  return `terraform exited ${result.exitCode}`;
}

export function summaryTable(summary: PipelineSummary): string {
  const total = summary.stacks.length;
  const rows = summary.stacks.map((outcome) => [
    `${outcome.position}/${total}`,
    outcome.id,
    describeOutcome(summary.command, outcome),
    outcome.status === "ran" ? formatDuration(outcome.result.durationMs) : "-",
  ]);
  const header = ["#", "stack", "result", "duration"];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const format = (row: string[]) => `  ${row.map((cell, column) => cell.padEnd(widths[column])).join("  ")}`.trimEnd();
  return [format(header), ...rows.map(format)].join("\n");
}

export function countOutcomes(summary: PipelineSummary): { succeeded: number; failed: number; skipped: number; cancelled: number } {
  const counts = { succeeded: 0, failed: 0, skipped: 0, cancelled: 0 };
  for (const outcome of summary.stacks) {
    if (outcome.status === "ran") counts[outcome.result.succeeded ? "succeeded" : "failed"]++;
    else counts[outcome.status]++;
  }
  return counts;
}

/** The `--json` document: stable keys, stacks in the order they ran. */
export function jsonSummary(summary: PipelineSummary): string {
  const stacks = summary.stacks.map((outcome) => {
    const common = {
      id: outcome.id,
      position: outcome.position,
      workingDirectory: summary.workingDirectories.get(outcome.id),
      ...(summary.unselectedDependencies.has(outcome.id) ? { readsUnselected: summary.unselectedDependencies.get(outcome.id) } : {}),
    };
    switch (outcome.status) {
      case "skipped":
        return { ...common, result: "skipped", skippedBecause: outcome.because };
      case "cancelled":
        return { ...common, result: "cancelled" };
      case "ran": {
        const { result } = outcome;
        if (result.succeeded) return { ...common, result: "succeeded", changes: result.changes ?? false, durationMs: Math.round(result.durationMs) };
        return {
          ...common,
          result: "failed",
          failedStep: result.failedStep,
          ...(result.error !== undefined ? { error: result.error } : { exitCode: result.exitCode, signal: result.signal ?? null }),
          ...(result.changes !== undefined ? { changes: result.changes } : {}),
          durationMs: Math.round(result.durationMs),
        };
      }
    }
  });
  return `${JSON.stringify({ command: summary.command, outdir: summary.outdir, succeeded: summary.succeeded, durationMs: Math.round(summary.durationMs), stacks }, null, 2)}\n`;
}

/** "a", "a and b", "a, b and c". */
export function listWords(words: readonly string[]): string {
  if (words.length <= 1) return words.join("");
  return `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`;
}
