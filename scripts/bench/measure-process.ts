/**
 * Runs one command and measures its wall time and the peak memory of its whole process tree.
 *
 * Memory comes from two sources, because neither alone is right for every command:
 * - the kernel's exact peak RSS of the largest single process of the tree, reported by GNU time
 *   (`/usr/bin/time -f %M`, Debian package `time`); it catches short peaks, but not processes
 *   that run side by side (the cdktf CLI and the app it starts, jest and its workers);
 * - the sum of the RSS of every process of the tree, sampled from /proc every few milliseconds.
 * The peak reported is the larger of the two. GNU time also gives the CPU time of the tree (user +
 * system, of every process waited for), which a busy machine inflates much less than wall time.
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export interface RunSample {
  readonly wallSeconds: number;
  /** Peak RSS of the process tree, bytes. */
  readonly peakRssBytes: number;
  /** User + system CPU time of the tree; only with GNU time. */
  readonly cpuSeconds?: number;
}

export interface MeasureOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Path of GNU time, or undefined to rely on sampling alone. */
  readonly gnuTime?: string;
  readonly sampleIntervalMs?: number;
}

/** The measured command exited non-zero: its numbers would mean nothing. */
export class MeasuredCommandFailed extends Error {}

const GNU_TIME = "/usr/bin/time";
/** Peak RSS (KiB), user and system CPU seconds. */
const GNU_TIME_FORMAT = "%M %U %S";

/** GNU time, if installed (BSD and shell built-in `time` have no -f/-o). */
export function findGnuTime(): string | undefined {
  const probe = spawnSync(GNU_TIME, ["-f", "%M", "-o", os.devNull, "true"], { stdio: "ignore" });
  return probe.error === undefined && probe.status === 0 ? GNU_TIME : undefined;
}

export async function measureProcess(command: readonly string[], options: MeasureOptions): Promise<RunSample> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "gitpod-cdktf-bench-time-"));
  const timeFile = path.join(scratch, "time");
  const argv = options.gnuTime ? [options.gnuTime, "-f", GNU_TIME_FORMAT, "-o", timeFile, ...command] : [...command];
  try {
    const started = process.hrtime.bigint();
    const child = spawn(argv[0], argv.slice(1), { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"] });
    const output = new OutputTail();
    child.stdout.on("data", (chunk: Buffer) => output.add(chunk));
    child.stderr.on("data", (chunk: Buffer) => output.add(chunk));

    let sampledPeak = 0;
    const sample = () => {
      if (child.pid === undefined) return;
      // GNU time's own few MB are not the command's.
      const pids = processTree(child.pid).filter((pid) => !(options.gnuTime && pid === child.pid));
      sampledPeak = Math.max(sampledPeak, pids.reduce((sum, pid) => sum + residentBytes(pid), 0));
    };
    const sampler = setInterval(sample, options.sampleIntervalMs ?? 10);
    sample();

    const { code, signal, ended } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; ended: bigint }>(
      (resolve, reject) => {
        let exit: { code: number | null; signal: NodeJS.Signals | null; ended: bigint } | undefined;
        child.on("error", reject);
        child.on("exit", (exitCode, exitSignal) => {
          exit = { code: exitCode, signal: exitSignal, ended: process.hrtime.bigint() };
          clearInterval(sampler);
        });
        child.on("close", () => resolve(exit ?? { code: null, signal: null, ended: process.hrtime.bigint() }));
      },
    ).finally(() => clearInterval(sampler));

    if (code !== 0) {
      const how = signal ? `was killed by ${signal}` : `exited with status ${code}`;
      throw new MeasuredCommandFailed(`${command.join(" ")} ${how}; its last output:\n${output.text()}`);
    }
    const wallSeconds = Number(ended - started) / 1e9;
    if (!options.gnuTime) return { wallSeconds, peakRssBytes: sampledPeak };
    const kernel = parseGnuTime(fs.readFileSync(timeFile, "utf8"));
    return { wallSeconds, peakRssBytes: Math.max(sampledPeak, kernel.maxRssBytes), cpuSeconds: kernel.cpuSeconds };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** GNU time writes its format on the last line (after a note when the command failed). */
export function parseGnuTime(text: string): { maxRssBytes: number; cpuSeconds?: number } {
  const lines = text.trim().split("\n");
  const [kib, user, system] = lines[lines.length - 1].trim().split(/\s+/).map(Number);
  const cpu = user + system;
  return { maxRssBytes: Number.isFinite(kib) ? kib * 1024 : 0, ...(Number.isFinite(cpu) ? { cpuSeconds: cpu } : {}) };
}

/** A process and all its descendants, from /proc (empty where there is no /proc). */
export function processTree(root: number): number[] {
  const tree: number[] = [];
  const pending = [root];
  while (pending.length > 0) {
    const pid = pending.pop() as number;
    tree.push(pid);
    pending.push(...childrenOf(pid));
  }
  return tree;
}

function childrenOf(pid: number): number[] {
  try {
    return fs.readdirSync(`/proc/${pid}/task`).flatMap((task) =>
      fs
        .readFileSync(`/proc/${pid}/task/${task}/children`, "utf8")
        .split(" ")
        .filter((word) => word.trim() !== "")
        .map(Number),
    );
  } catch {
    return []; // the process (or a thread) has just ended
  }
}

function residentBytes(pid: number): number {
  try {
    const match = /^VmRSS:\s+([0-9]+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** The last part of a command's output, for the message when it fails. */
class OutputTail {
  private chunks: Buffer[] = [];
  private size = 0;
  constructor(private readonly limit = 4000) {}

  add(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size - this.chunks[0].length > this.limit) this.size -= (this.chunks.shift() as Buffer).length;
  }

  text(): string {
    return Buffer.concat(this.chunks).toString("utf8").slice(-this.limit).trimEnd();
  }
}
