/**
 * For tests that feed a command hostile input: run it as a process with a deadline (a command that
 * hangs on a FIFO must fail the test, not the suite), and check the rules every refusal follows.
 */
import { spawn } from "child_process";

export interface CommandResult {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** True when the deadline passed and the process was killed. */
  readonly hung: boolean;
}

/** Runs `node <args>` in `cwd` with exactly `env` (plus PATH), killing it after `timeoutMs`. */
export function runNode(args: readonly string[], options: { cwd: string; env?: Record<string, string>; timeoutMs?: number }): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...args], {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? "", TMPDIR: process.env.TMPDIR ?? "/tmp", ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let hung = false;
    const timer = setTimeout(() => {
      hung = true;
      child.kill("SIGKILL");
    }, options.timeoutMs ?? 30_000);
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("close", (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr, hung });
    });
  });
}

/** The longest refusal line a test accepts, whatever the size of the input. */
export const MAX_LINE = 2100;

export interface Refusal {
  /** Exit status expected. */
  readonly status: number;
  /** The line's start, e.g. "pipeline: ". */
  readonly prefix: string;
  /** What the line must say: the thing (file, flag, stack) and the problem. */
  readonly says: RegExp;
}

/**
 * The problems of a refusal against the rules, empty when it follows them: the exit status, one
 * line on stderr only, that names the thing and the problem, no stack trace, bounded size, and no
 * value that must not be shown.
 */
export function refusalProblems(result: CommandResult, expected: Refusal, secrets: readonly string[] = []): string[] {
  const problems: string[] = [];
  if (result.hung) return ["did not finish in time (hangs)"];
  if (result.status !== expected.status) problems.push(`exit ${result.status} (signal ${result.signal}), expected ${expected.status}`);
  if (result.stdout !== "") problems.push(`wrote to stdout: ${JSON.stringify(result.stdout.slice(0, 300))}`);
  const lines = result.stderr.split("\n");
  if (lines.length !== 2 || lines[1] !== "") problems.push(`stderr is not one line: ${JSON.stringify(result.stderr.slice(0, 600))}`);
  if (!result.stderr.startsWith(expected.prefix)) problems.push(`stderr does not start with ${JSON.stringify(expected.prefix)}: ${JSON.stringify(result.stderr.slice(0, 300))}`);
  if (!expected.says.test(result.stderr)) problems.push(`stderr does not match ${expected.says}: ${JSON.stringify(result.stderr.slice(0, 600))}`);
  if (/\n\s+at /.test(result.stderr) || /\bat .*\(.*:\d+:\d+\)/.test(result.stderr)) problems.push("stderr has a stack trace");
  if (result.stderr.length > MAX_LINE) problems.push(`stderr has ${result.stderr.length} characters`);
  for (const secret of secrets) if (result.stderr.includes(secret) || result.stdout.includes(secret)) problems.push(`shows the secret ${secret}`);
  return problems;
}

/** Runs every case at once and collects the problems by case name: one assertion for the class. */
export async function problemsByCase<C>(cases: Record<string, C>, check: (name: string, testCase: C) => Promise<string[]>): Promise<Record<string, string[]>> {
  const entries = await Promise.all(Object.entries(cases).map(async ([name, testCase]) => [name, await check(name, testCase)] as const));
  return Object.fromEntries(entries.filter(([, problems]) => problems.length > 0));
}
