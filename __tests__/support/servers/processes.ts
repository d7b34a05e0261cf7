/**
 * Server processes the integration tests start on 127.0.0.1 and stop again by their own PID.
 */
import { spawn, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";

/** A port nothing listens on right now (the kernel picks it). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface ServerProcess {
  readonly name: string;
  readonly pid: number;
  /** The log file the process writes to, for failure messages. */
  readonly logFile: string;
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Folder for the log file. */
  readonly logDir: string;
}

export function startProcess(name: string, command: string, args: readonly string[], options: StartOptions): ServerProcess {
  const logFile = path.join(options.logDir, `${name}.log`);
  const log = fs.openSync(logFile, "a");
  const child: ChildProcess = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ["ignore", log, log],
  });
  fs.closeSync(log);
  if (child.pid === undefined) throw new Error(`${name}: could not start ${command}`);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
  return {
    name,
    pid: child.pid,
    logFile,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(killer);
    },
  };
}

/** Retries `probe` until it resolves true; fails with the server's log after `timeoutMs`. */
export async function waitUntil(what: string, probe: () => Promise<boolean>, logFile: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) {
      const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8").slice(-3000) : "(no log)";
      throw new Error(`${what} did not become ready within ${timeoutMs / 1000} s; log ${logFile}:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Stops every server, even if one of them fails to stop. */
export async function stopAll(servers: ReadonlyArray<{ stop(): Promise<void> } | undefined>): Promise<void> {
  await Promise.allSettled(servers.map((server) => server?.stop()));
}
