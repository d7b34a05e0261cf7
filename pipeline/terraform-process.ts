/**
 * Runs terraform as a child process, passing its output through unchanged (or, when stacks run in
 * parallel, line by line behind the stack's id so interleaved logs stay readable).
 */
import { spawn, type ChildProcess } from "child_process";
import * as fs from "fs";

export interface OutputStream {
  write(chunk: string | Uint8Array): unknown;
}

export interface TerraformInvocation {
  readonly binary: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Where terraform's stdout and stderr go. */
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  /** Put before every line of output, e.g. "[gitpod-release] ". */
  readonly linePrefix?: string;
  /** The working directory as messages show it (e.g. cdktf.out/stacks/gitpod-release). */
  readonly shownCwd?: string;
}

export type ProcessExit =
  | { readonly exitCode: number | null; readonly signal: NodeJS.Signals | null }
  | { readonly spawnError: string };

/**
 * The umask terraform runs with: what it creates (local state and its backups, saved plans, which
 * hold secrets in clear text, and .terraform) is readable by its owner only. Files that exist keep
 * their mode (docs/modes.md, "Local state files").
 */
export const TERRAFORM_UMASK = 0o077;

/**
 * The terraform processes of one pipeline run. Each runs in a process group of its own, so an
 * interrupt from the terminal reaches terraform exactly once, through `interrupt()`: a second
 * interrupt makes terraform stop at once, which can leave state locked.
 */
export class TerraformProcesses {
  private readonly live = new Set<ChildProcess>();

  run(invocation: TerraformInvocation): Promise<ProcessExit> {
    return new Promise((resolve) => {
      let child: ChildProcess;
      // Inherited by terraform when it is started (spawn forks synchronously), then restored.
      const previousUmask = process.umask(TERRAFORM_UMASK);
      try {
        child = spawn(invocation.binary, [...invocation.args], {
          cwd: invocation.cwd,
          env: invocation.env,
          stdio: ["ignore", "pipe", "pipe"],
          detached: true,
        });
      } catch (error) {
        // Some failures (a working directory that is a file, arguments Node refuses) are thrown here.
        resolve({ spawnError: describeSpawnError(error, invocation) });
        return;
      } finally {
        process.umask(previousUmask);
      }
      this.live.add(child);
      const flushers = [
        forward(child.stdout!, invocation.stdout, invocation.linePrefix),
        forward(child.stderr!, invocation.stderr, invocation.linePrefix),
      ];
      child.on("error", (error: NodeJS.ErrnoException) => {
        this.live.delete(child);
        resolve({ spawnError: describeSpawnError(error, invocation) });
      });
      child.on("close", (exitCode, signal) => {
        this.live.delete(child);
        flushers.forEach((flush) => flush());
        resolve({ exitCode, signal });
      });
    });
  }

  /** Sends `signal` to every running terraform (terraform stops gracefully on SIGINT/SIGTERM). */
  interrupt(signal: NodeJS.Signals): void {
    for (const child of this.live) child.kill(signal);
  }
}

/** Copies a child's stream to `target`; returns a function writing any last partial line. */
function forward(source: NodeJS.ReadableStream, target: OutputStream, linePrefix: string | undefined): () => void {
  if (linePrefix === undefined) {
    source.on("data", (chunk: Buffer) => target.write(chunk));
    return () => undefined;
  }
  let partial = "";
  source.setEncoding("utf8");
  source.on("data", (chunk: string) => {
    const lines = (partial + chunk).split("\n");
    partial = lines.pop()!;
    if (lines.length > 0) target.write(lines.map((line) => `${linePrefix}${line}\n`).join(""));
  });
  return () => {
    if (partial !== "") target.write(`${linePrefix}${partial}\n`);
    partial = "";
  };
}

/** Why terraform could not be started, in a few words: the binary, or the folder it runs in. */
function describeSpawnError(error: unknown, invocation: TerraformInvocation): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const folder = invocation.shownCwd ?? invocation.cwd;
  let cwdIsFolder: boolean;
  try {
    cwdIsFolder = fs.statSync(invocation.cwd).isDirectory();
  } catch {
    cwdIsFolder = false;
  }
  if (!cwdIsFolder) return `cannot start terraform: its working directory ${folder} is missing or not a folder (${code ?? "error"})`;
  if (code === "ENOENT") return `${invocation.binary} was not found`;
  if (code === "EACCES") return `cannot start ${invocation.binary}: permission denied`;
  // Only the code: Node's messages can quote an argument, and arguments can carry a -var value.
  return `cannot start ${invocation.binary} in ${folder} (${code ?? "unknown error"})`;
}
