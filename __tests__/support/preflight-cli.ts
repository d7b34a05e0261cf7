/**
 * Runs the preflight command (`npm run preflight`: bin/gitpod-cdktf.ts from the sources) as users do, in a process of
 * its own, with an environment the test controls (HOME included: no real kubeconfig is read).
 */
import { spawn } from "child_process";
import { sourceArgs } from "./run-sources";

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function runCli(args: readonly string[], options: { cwd: string; env?: Record<string, string> }): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, sourceArgs("bin/gitpod-cdktf.ts", ...args), {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? "", HOME: options.cwd, TMPDIR: process.env.TMPDIR ?? "/tmp", ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("close", (status) => resolve({ status, stdout, stderr }));
  });
}
