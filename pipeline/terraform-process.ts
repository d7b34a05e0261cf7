/**
 * Runs terraform as a child process, passing its output through unchanged (or, when stacks run in
 * parallel, line by line behind the stack's id so interleaved logs stay readable).
 */
import { spawn } from "child_process";

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
}

export type ProcessExit =
  | { readonly exitCode: number | null; readonly signal: NodeJS.Signals | null }
  | { readonly spawnError: string };

/**
 * The terraform processes of one pipeline run. Each runs in a process group of its own, so an
 * interrupt from the terminal reaches terraform exactly once, through `interrupt()`: a second
 * interrupt makes terraform stop at once, which can leave state locked.
 */
export class TerraformProcesses {
  private readonly live = new Set<ReturnType<typeof spawn>>();

  run(invocation: TerraformInvocation): Promise<ProcessExit> {
    return new Promise((resolve) => {
      const child = spawn(invocation.binary, [...invocation.args], {
        cwd: invocation.cwd,
        env: invocation.env,
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
      });
      this.live.add(child);
      const flushers = [
        forward(child.stdout, invocation.stdout, invocation.linePrefix),
        forward(child.stderr, invocation.stderr, invocation.linePrefix),
      ];
      child.on("error", (error: NodeJS.ErrnoException) => {
        this.live.delete(child);
        resolve({ spawnError: error.code === "ENOENT" ? `${invocation.binary} was not found` : error.message });
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
