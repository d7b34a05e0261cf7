/**
 * The figures of one bench run: per measurement, per run and summarised, with the ratios to the
 * floor, the targets and the machine. The JSON file holds exactly this.
 */
import * as os from "os";
import type { Measurement, MeasurementId } from "./measurements";
import type { RunSample } from "./measure-process";
import { median, ratio } from "./statistics";
import type { TargetResult } from "./targets";

export interface MeasurementResult {
  readonly id: MeasurementId;
  readonly title: string;
  readonly command: string;
  readonly runs: number;
  readonly wallSeconds: readonly number[];
  readonly peakRssMiB: readonly number[];
  readonly medianSeconds: number;
  /** User + system CPU time of the process tree (with GNU time): less sensitive to a busy machine. */
  readonly cpuSeconds?: readonly number[];
  readonly medianCpuSeconds?: number;
  readonly medianPeakRssMiB: number;
  readonly maxPeakRssMiB: number;
}

export interface Ratios {
  /** Median time / the floor's median time. */
  readonly time?: number;
  /** Median peak RSS / the floor's median peak RSS. */
  readonly memory?: number;
}

export interface MachineFacts {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly node: string;
  readonly platform: string;
  readonly totalMemoryMiB: number;
  /** 1-minute load average when the bench started: other work on the machine inflates every figure. */
  readonly loadAverage: number;
}

/** A measurement whose command failed: its remaining runs were skipped. */
export interface MeasurementFailure {
  readonly id: MeasurementId;
  readonly command: string;
  readonly message: string;
}

export interface BenchReport {
  readonly machine: MachineFacts;
  readonly config: string;
  readonly memoryMethod: string;
  readonly measurements: readonly MeasurementResult[];
  /** Each synth measured (directly, through npm, after an edit, on the largest config, through the cdktf CLI) against the floor. */
  readonly ratios: Partial<Record<MeasurementId, Ratios>>;
  readonly failures: readonly MeasurementFailure[];
  readonly targets: readonly TargetResult[];
  /** Every target evaluated was met and no measurement failed. */
  readonly targetsMet: boolean;
}

const MIB = 1024 * 1024;

export function summarize(measurement: Measurement, samples: readonly RunSample[]): MeasurementResult {
  const seconds = samples.map((sample) => round(sample.wallSeconds, 3));
  const mib = samples.map((sample) => round(sample.peakRssBytes / MIB, 1));
  const cpu = samples.flatMap((sample) => (sample.cpuSeconds === undefined ? [] : [round(sample.cpuSeconds, 2)]));
  return {
    id: measurement.id,
    title: measurement.title,
    command: measurement.display,
    runs: samples.length,
    wallSeconds: seconds,
    peakRssMiB: mib,
    medianSeconds: round(median(seconds), 3),
    ...(cpu.length === samples.length ? { cpuSeconds: cpu, medianCpuSeconds: round(median(cpu), 2) } : {}),
    medianPeakRssMiB: round(median(mib), 1),
    maxPeakRssMiB: Math.max(...mib),
  };
}

export function ratiosToFloor(results: Partial<Record<MeasurementId, MeasurementResult>>, id: MeasurementId): Ratios {
  const floor = results.floor;
  const measured = results[id];
  const time = ratio(measured?.medianSeconds, floor?.medianSeconds);
  const memory = ratio(measured?.medianPeakRssMiB, floor?.medianPeakRssMiB);
  return {
    ...(time === undefined ? {} : { time: round(time, 2) }),
    ...(memory === undefined ? {} : { memory: round(memory, 2) }),
  };
}

/** The ratios to the floor of every measured synth. */
export function allRatiosToFloor(
  results: Partial<Record<MeasurementId, MeasurementResult>>,
  measured: readonly Measurement[],
): Partial<Record<MeasurementId, Ratios>> {
  return Object.fromEntries(measured.filter((m) => m.versusFloor && m.id !== "floor" && results[m.id]).map((m) => [m.id, ratiosToFloor(results, m.id)]));
}

export function machineFacts(): MachineFacts {
  const cpus = os.cpus();
  return {
    cpus: os.availableParallelism?.() ?? cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? "unknown",
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    totalMemoryMiB: Math.round(os.totalmem() / MIB),
    loadAverage: round(os.loadavg()[0], 2),
  };
}

export function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
