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
import { DEFAULT_RUNS, measurements, OUTDIR_PLACEHOLDER, type Measurement, type MeasurementId } from "./bench/measurements";
import { machineFacts, ratiosToFloor, summarize, type BenchReport, type MeasurementResult } from "./bench/results";
import { formatMiB, formatReport, formatSeconds } from "./bench/table";
import { evaluateTargets, targetsMet } from "./bench/targets";
import { providerUsage, type ProviderUsage } from "./cdktf-out/provider-usage";
import { CdktfOutError, readCdktfOut } from "./cdktf-out/read-cdktf-out";
import { CommandError, runCommand, userPathOrDefault } from "./command-line";
import { projectRoot } from "./project-root";

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
  // Fail now, with the config's own message, rather than after minutes of measuring.
  loadConfig({ env: { [CONFIG_ENV_VAR]: configFile }, cwd: root });
  const shownConfig = path.relative(root, configFile).split(path.sep).join("/");
  const selected = measurements(configFile).filter((m) => args.only.includes(m.id));

  const gnuTime = findGnuTime();
  const memoryMethod = gnuTime
    ? "peak RSS of the process tree (GNU time and /proc sampling)"
    : "peak RSS of the process tree (/proc sampling only: install GNU time, .ci/install-tools)";
  if (!gnuTime) progress("bench: /usr/bin/time (GNU time) not found: memory is sampled only, short peaks may be missed\n");

  const machine = machineFacts(); // before measuring: the load average is the machine's, not ours
  const results: Partial<Record<MeasurementId, MeasurementResult>> = {};
  let usage: ProviderUsage[] | undefined;
  for (const [index, measurement] of selected.entries()) {
    const runs = args.runs[measurement.id];
    progress(`bench: [${index + 1}/${selected.length}] ${measurement.id}: ${measurement.display} (${runs} run${runs === 1 ? "" : "s"})\n`);
    const samples: RunSample[] = [];
    for (let run = 1; run <= runs; run++) {
      progress(`bench:   run ${run}/${runs} ... `);
      const { sample, synthesized } = await measureRun(measurement, { root, gnuTime, keepOutput: usage === undefined });
      if (synthesized) usage = synthesized;
      samples.push(sample);
      progress(`${formatSeconds(sample.wallSeconds)}, ${formatMiB(sample.peakRssBytes / 1024 / 1024)}\n`);
    }
    results[measurement.id] = summarize(measurement, samples);
  }

  const targets = evaluateTargets({ results, providerUsage: usage });
  const report: BenchReport = {
    machine,
    config: shownConfig,
    memoryMethod,
    measurements: selected.map((m) => results[m.id] as MeasurementResult),
    ratios: { synth: ratiosToFloor(results, "synth"), "cdktf-synth": ratiosToFloor(results, "cdktf-synth") },
    targets,
    targetsMet: targetsMet(targets),
  };
  fs.writeFileSync(outputFile, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`\n${formatReport(report, args.markdown ? "markdown" : "text")}`);
  progress(`bench: wrote ${outputFile}\n`);
  if (!report.targetsMet && args.check) {
    progress("bench: a target was missed (--check)\n");
    return 1;
  }
  return 0;
}

/**
 * One run, in a scratch folder for what it synthesizes. The first synthesized app is read for the
 * provider check, then every scratch folder is removed.
 */
async function measureRun(
  measurement: Measurement,
  options: { root: string; gnuTime?: string; keepOutput: boolean },
): Promise<{ sample: RunSample; synthesized?: ProviderUsage[] }> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), `gitpod-cdktf-bench-${measurement.id}-`));
  const outdir = path.join(scratch, "cdktf.out");
  const fill = (text: string) => text.split(OUTDIR_PLACEHOLDER).join(outdir);
  try {
    const env = { ...process.env, ...Object.fromEntries(Object.entries(measurement.env ?? {}).map(([k, v]) => [k, fill(v)])) };
    const sample = await measureProcess(measurement.command.map(fill), { cwd: options.root, env, gnuTime: options.gnuTime });
    const synthesized = measurement.synthesizes && options.keepOutput ? providerUsage(readCdktfOut(outdir)) : undefined;
    return { sample, synthesized };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

void runCommand("bench", BENCH_USAGE, [ConfigError, MeasuredCommandFailed, CdktfOutError], async () => {
  try {
    return await main();
  } catch (error) {
    if (error instanceof MeasuredCommandFailed) progress("failed\n");
    throw error;
  }
});
