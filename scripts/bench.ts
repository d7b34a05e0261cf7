#!/usr/bin/env node
/**
 * npm run bench: how much the project costs on this machine, against the floor of any synth
 * (Node loading cdktf). Prints a table and the speed targets, writes the figures as JSON, and
 * shows on stderr what it is measuring.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigError } from "../config/errors";
import { CONFIG_ENV_VAR, loadConfig } from "../config/load";
import { BENCH_USAGE, DEFAULT_CONFIG, DEFAULT_OUTPUT, parseBenchArguments } from "./bench/arguments";
import { findGnuTime, MeasuredCommandFailed, measureProcess, type RunSample } from "./bench/measure-process";
import {
  CACHE_PLACEHOLDER,
  DEFAULT_RUNS,
  LARGEST_CONFIG,
  MEASURING_ENV_VAR,
  measurements,
  OUTDIR_PLACEHOLDER,
  readAppCommand,
  type Measurement,
  type MeasurementId,
} from "./bench/measurements";
import {
  allRatiosToFloor,
  machineFacts,
  summarize,
  type BenchReport,
  type MeasurementFailure,
  type MeasurementResult,
} from "./bench/results";
import { formatMiB, formatReport, formatSeconds } from "./bench/table";
import { evaluateTargets, targetsMet } from "./bench/targets";
import { providerUsage, type ProviderUsage } from "./cdktf-out/provider-usage";
import { CdktfOutError, readCdktfOut } from "./cdktf-out/read-cdktf-out";
import { CommandError, runCommand, userPathOrDefault } from "./command-line";
import { projectRoot } from "./project-root";
import { cacheFileFor } from "./run-sources";

const progress = (text: string) => process.stderr.write(text);

async function main(): Promise<number> {
  const root = projectRoot();
  const args = parseBenchArguments(process.argv.slice(2), DEFAULT_RUNS);
  if (args.help) {
    process.stdout.write(BENCH_USAGE);
    return 0;
  }
  const configFile = userPathOrDefault(args.config, DEFAULT_CONFIG, root);
  const outputFile = userPathOrDefault(args.output, DEFAULT_OUTPUT, root);
  if (!fs.existsSync(configFile)) throw new CommandError(`--config ${args.config ?? DEFAULT_CONFIG}: the file ${configFile} does not exist`);
  const largestConfigFile = path.join(root, LARGEST_CONFIG);
  // Fail now, with the config's own message, rather than after minutes of measuring.
  loadConfig({ env: { [CONFIG_ENV_VAR]: configFile }, cwd: root });
  if (args.only.includes("largest")) loadConfig({ env: { [CONFIG_ENV_VAR]: largestConfigFile }, cwd: root });
  if (process.env[MEASURING_ENV_VAR] && args.only.includes("npm-test")) {
    throw new CommandError(
      `npm-test: this bench runs inside a command another bench is measuring (${MEASURING_ENV_VAR} is set): ` +
        "measuring npm test here would run the test suite inside itself; add --skip npm-test",
    );
  }
  const shownConfig = path.relative(root, configFile).split(path.sep).join("/");
  const selected = measurements({ appCommand: readAppCommand(root), configFile, largestConfigFile }).filter((m) => args.only.includes(m.id));

  const gnuTime = findGnuTime();
  const memoryMethod = gnuTime
    ? "peak RSS of the process tree (GNU time and /proc sampling)"
    : "peak RSS of the process tree (/proc sampling only: install GNU time, .ci/install-tools)";
  if (!gnuTime) progress("bench: /usr/bin/time (GNU time) not found: memory is sampled only, short peaks may be missed\n");

  const machine = machineFacts(); // before measuring: the load average is the machine's, not ours
  const samples = new Map<MeasurementId, RunSample[]>(selected.map((m) => [m.id, []]));
  const failures: MeasurementFailure[] = [];
  const failed = (measurement: Measurement, error: MeasuredCommandFailed) => {
    progress("failed\n");
    failures.push({ id: measurement.id, command: measurement.display, message: error.message });
  };
  let usage: ProviderUsage[] | undefined;
  // The scratch transpile cache of the measurement of an edit; the project's own is left alone.
  const transpileCache = fs.mkdtempSync(path.join(os.tmpdir(), "gitpod-cdktf-bench-cache-"));
  const context = { root, gnuTime, transpileCache };
  try {
    const warmUps = selected.filter((m) => m.warmUp);
    if (warmUps.length > 0) progress(`bench: warm-up (not counted): ${warmUps.map((m) => m.id).join(", ")}\n`);
    for (const measurement of warmUps) {
      progress(`bench:   ${measurement.id}: ${measurement.display} ... `);
      try {
        const { sample } = await measureRun(measurement, { ...context, keepOutput: false });
        progress(`${formatSeconds(sample.wallSeconds)}\n`);
      } catch (error) {
        if (!(error instanceof MeasuredCommandFailed)) throw error;
        failed(measurement, error);
      }
    }
    // Run after run, each measurement in turn: a change in the machine's load touches them all
    // alike, so the ratios to the floor hold better than with each measurement's runs in a row.
    const rounds = Math.max(...selected.map((m) => args.runs[m.id]));
    for (let round = 1; round <= rounds; round++) {
      for (const measurement of selected) {
        const runs = args.runs[measurement.id];
        if (round > runs || failures.some((f) => f.id === measurement.id)) continue;
        progress(`bench: [run ${round}/${runs}] ${measurement.id}: ${measurement.display} ... `);
        try {
          const { sample, synthesized } = await measureRun(measurement, { ...context, keepOutput: usage === undefined });
          if (synthesized) usage = synthesized;
          samples.get(measurement.id)?.push(sample);
          progress(`${formatSeconds(sample.wallSeconds)}, ${formatMiB(sample.peakRssBytes / 1024 / 1024)}\n`);
        } catch (error) {
          if (!(error instanceof MeasuredCommandFailed)) throw error;
          failed(measurement, error);
        }
      }
    }
  } finally {
    fs.rmSync(transpileCache, { recursive: true, force: true });
  }

  const results: Partial<Record<MeasurementId, MeasurementResult>> = {};
  for (const measurement of selected) {
    const taken = samples.get(measurement.id) ?? [];
    if (taken.length > 0 && !failures.some((f) => f.id === measurement.id)) results[measurement.id] = summarize(measurement, taken);
  }
  const targets = evaluateTargets({ results, providerUsage: usage });
  const report: BenchReport = {
    machine,
    config: shownConfig,
    memoryMethod,
    measurements: selected.flatMap((m) => results[m.id] ?? []),
    ratios: allRatiosToFloor(results, selected),
    failures,
    targets,
    targetsMet: targetsMet(targets) && failures.length === 0,
  };
  fs.writeFileSync(outputFile, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`\n${formatReport(report, args.markdown ? "markdown" : "text")}`);
  progress(`bench: wrote ${outputFile}\n`);
  if (failures.length > 0) {
    for (const failure of failures) progress(`bench: ${failure.id} failed: ${failure.message}\n`);
    return 1;
  }
  if (!report.targetsMet && args.check) {
    progress("bench: a target was missed (--check)\n");
    return 1;
  }
  return 0;
}

/**
 * One run, in a scratch folder for what it synthesizes. The first synthesized app is read for the
 * provider check, then every scratch folder is removed. A measurement of an edit first removes the
 * cached output of the edited file (the warm-up run has filled the scratch cache), and afterwards
 * checks that the run transpiled it again.
 */
async function measureRun(
  measurement: Measurement,
  options: { root: string; gnuTime?: string; transpileCache: string; keepOutput: boolean },
): Promise<{ sample: RunSample; synthesized?: ProviderUsage[] }> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), `gitpod-cdktf-bench-${measurement.id}-`));
  const outdir = path.join(scratch, "cdktf.out");
  const fill = (text: string) => text.split(OUTDIR_PLACEHOLDER).join(outdir).split(CACHE_PLACEHOLDER).join(options.transpileCache);
  const edited = measurement.edits === undefined ? undefined : cacheFileFor(path.join(options.root, measurement.edits), options.transpileCache);
  try {
    if (edited !== undefined) fs.rmSync(edited, { force: true });
    const env = { ...userEnvironment(), [MEASURING_ENV_VAR]: "1", ...Object.fromEntries(Object.entries(measurement.env ?? {}).map(([k, v]) => [k, fill(v)])) };
    const sample = await measureProcess(measurement.command.map(fill), { cwd: options.root, env, gnuTime: options.gnuTime });
    if (edited !== undefined && !fs.existsSync(edited)) {
      throw new CommandError(`${measurement.id}: the run did not transpile ${measurement.edits} into ${edited}: the bench and scripts/run-sources.js disagree on where it is cached`);
    }
    const synthesized = measurement.synthesizes && options.keepOutput ? providerUsage(readCdktfOut(outdir)) : undefined;
    return { sample, synthesized };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** The environment as the user's shell has it: without what `npm run bench` itself adds. */
function userEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) && key !== "INIT_CWD"));
}

void runCommand("bench", BENCH_USAGE, [ConfigError, CdktfOutError], main);
