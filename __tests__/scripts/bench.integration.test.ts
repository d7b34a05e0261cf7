/**
 * npm run bench: its pure parts (statistics, targets, tables, arguments), the memory measurement
 * of a process tree, and the command end to end. No assertion on how long anything takes.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parseBenchArguments } from "../../scripts/bench/arguments";
import { findGnuTime, MeasuredCommandFailed, measureProcess, parseGnuTime } from "../../scripts/bench/measure-process";
import { DEFAULT_RUNS, MEASUREMENT_IDS, measurements, type MeasurementId } from "../../scripts/bench/measurements";
import { ratiosToFloor, summarize, type BenchReport, type MeasurementResult } from "../../scripts/bench/results";
import { median, ratio } from "../../scripts/bench/statistics";
import { formatMarkdownTable, formatReport, formatTable } from "../../scripts/bench/table";
import { evaluateTargets, targetsMet, type TargetResult } from "../../scripts/bench/targets";
import { providerUsage } from "../../scripts/cdktf-out/provider-usage";
import { readCdktfOut } from "../../scripts/cdktf-out/read-cdktf-out";
import { UsageError } from "../../scripts/command-line";
import { STACK_CONCERNS } from "../../stacks/gitpod-app";
import { validateConfig } from "../../config/load";
import { parseYaml, scratchDir, synthApp } from "../support/synth";
import { describeWithTools, findTool } from "../support/tools";
import { sourceArgs } from "../support/run-sources";

const ROOT = path.resolve(__dirname, "..", "..");
const BENCH = sourceArgs("scripts/bench.ts");
const MIB = 1024 * 1024;

/** A measurement result with the given medians, as summarize() would make it. */
function result(id: MeasurementId, medianSeconds: number, medianPeakRssMiB: number): MeasurementResult {
  return {
    id,
    title: id,
    command: id,
    runs: 1,
    wallSeconds: [medianSeconds],
    peakRssMiB: [medianPeakRssMiB],
    medianSeconds,
    medianPeakRssMiB,
    maxPeakRssMiB: medianPeakRssMiB,
  };
}

const byId = (targets: TargetResult[]) => Object.fromEntries(targets.map((t) => [t.id, t]));

describe("statistics", () => {
  it("takes the middle value, or the mean of the two middle ones, whatever the order", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([0.5])).toBe(0.5);
    expect(median([10, 0.1, 0.2, 0.3, 0.4])).toBe(0.3); // one slow run does not move it
    expect(() => median([])).toThrow("median of no values");
  });

  it("divides by the floor, and gives nothing without a positive floor", () => {
    expect(ratio(3, 2)).toBe(1.5);
    expect(ratio(3, undefined)).toBeUndefined();
    expect(ratio(undefined, 2)).toBeUndefined();
    expect(ratio(3, 0)).toBeUndefined();
  });
});

describe("summarize", () => {
  const [floor] = measurements("bench/largest.yaml");

  it("keeps every run and takes medians of time and peak memory, rounded", () => {
    const summary = summarize(floor, [
      { wallSeconds: 0.2004, peakRssBytes: 60 * MIB, cpuSeconds: 0.18 },
      { wallSeconds: 0.9, peakRssBytes: 70.04 * MIB, cpuSeconds: 0.3 },
      { wallSeconds: 0.1, peakRssBytes: 65 * MIB, cpuSeconds: 0.104 },
    ]);
    expect(summary).toEqual({
      id: "floor",
      title: floor.title,
      command: `node -e 'require("cdktf")'`,
      runs: 3,
      wallSeconds: [0.2, 0.9, 0.1],
      peakRssMiB: [60, 70, 65],
      medianSeconds: 0.2,
      cpuSeconds: [0.18, 0.3, 0.1],
      medianCpuSeconds: 0.18,
      medianPeakRssMiB: 65,
      maxPeakRssMiB: 70,
    });
  });

  it("leaves CPU time out when a run has none (no GNU time)", () => {
    const summary = summarize(floor, [{ wallSeconds: 0.2, peakRssBytes: MIB, cpuSeconds: 0.1 }, { wallSeconds: 0.2, peakRssBytes: MIB }]);
    expect(summary).not.toHaveProperty("medianCpuSeconds");
    expect(summary).not.toHaveProperty("cpuSeconds");
  });

  it("gives the ratios of a synth to the floor, and none without a floor", () => {
    const results = { floor: result("floor", 0.2, 60), synth: result("synth", 0.3, 90) };
    expect(ratiosToFloor(results, "synth")).toEqual({ time: 1.5, memory: 1.5 });
    expect(ratiosToFloor({ synth: results.synth }, "synth")).toEqual({});
  });
});

describe("the measurements", () => {
  const all = measurements("/project/bench/largest.yaml");

  it("are the floor, the synth directly and through the CLI, the tests and tsc, in that order", () => {
    expect(all.map((m) => m.id)).toEqual([...MEASUREMENT_IDS]);
    expect(DEFAULT_RUNS).toEqual({ floor: 5, synth: 5, "cdktf-synth": 3, tests: 1, tsc: 3 });
  });

  it("synthesize the given config into a scratch folder, never into the project's cdktf.out", () => {
    const synth = all.find((m) => m.id === "synth")!;
    expect(synth.command).toEqual(["node", "scripts/run-sources.js", "main.ts"]);
    expect(synth.env).toEqual({ GITPOD_CDKTF_CONFIG: "/project/bench/largest.yaml", CDKTF_OUTDIR: "{outdir}" });
    const cli = all.find((m) => m.id === "cdktf-synth")!;
    expect(cli.command).toEqual(["node_modules/.bin/cdktf", "synth", "--output", "{outdir}"]);
    expect(cli.env).toMatchObject({ GITPOD_CDKTF_CONFIG: "/project/bench/largest.yaml", CHECKPOINT_DISABLE: "1" });
    expect(all.filter((m) => m.synthesizes).map((m) => m.id)).toEqual(["synth", "cdktf-synth"]);
  });
});

describe("evaluateTargets", () => {
  const usage = [{ stack: "s", declared: ["random"], used: ["random"], unused: [] }];

  it("passes at exactly 2× the floor and fails above, for time and memory separately", () => {
    const at = byId(evaluateTargets({ results: { floor: result("floor", 0.2, 60), synth: result("synth", 0.4, 120) }, providerUsage: usage }));
    expect(at["synth-time"]).toMatchObject({ value: 2, limit: 2, status: "PASS" });
    expect(at["synth-memory"]).toMatchObject({ value: 2, limit: 2, status: "PASS" });
    const slow = byId(evaluateTargets({ results: { floor: result("floor", 0.2, 60), synth: result("synth", 0.41, 100) } }));
    expect(slow["synth-time"].status).toBe("FAIL");
    expect(slow["synth-memory"].status).toBe("PASS");
    const big = byId(evaluateTargets({ results: { floor: result("floor", 0.2, 60), synth: result("synth", 0.3, 121) } }));
    expect(big["synth-time"].status).toBe("PASS");
    expect(big["synth-memory"].status).toBe("FAIL");
  });

  it("wants the test suite under 30 s: 30 s is a miss", () => {
    expect(byId(evaluateTargets({ results: { tests: result("tests", 29.9, 500) } }))["tests-time"].status).toBe("PASS");
    expect(byId(evaluateTargets({ results: { tests: result("tests", 30, 500) } }))["tests-time"]).toMatchObject({ value: 30, status: "FAIL" });
  });

  it("fails when a stack declares a provider it does not use, naming both", () => {
    const targets = byId(
      evaluateTargets({
        results: {},
        providerUsage: [...usage, { stack: "t", declared: ["aws", "random"], used: ["random"], unused: ["aws"] }],
      }),
    );
    expect(targets["providers-used"]).toMatchObject({ value: 1, status: "FAIL", note: "t: aws unused" });
  });

  it("skips what was not measured, and skipped targets are not misses", () => {
    const targets = evaluateTargets({ results: { synth: result("synth", 9, 900) } });
    expect(targets.map((t) => [t.id, t.status, t.note])).toEqual([
      ["synth-time", "SKIP", "not measured: floor"],
      ["synth-memory", "SKIP", "not measured: floor"],
      ["tests-time", "SKIP", "not measured: tests"],
      ["providers-used", "SKIP", "not measured: synth"],
    ]);
    expect(targetsMet(targets)).toBe(true);
    expect(targetsMet([...targets, { id: "x", description: "x", value: 3, limit: 2, unit: "×", status: "FAIL" }])).toBe(false);
  });
});

describe("tables", () => {
  it("pads columns to the widest cell, numbers to the right, without trailing spaces", () => {
    expect(formatTable(["name", "time"], [["floor", "0.20 s"], ["cdktf-synth", "12.5 s"]], ["left", "right"])).toBe(
      ["name           time", "floor        0.20 s", "cdktf-synth  12.5 s", ""].join("\n"),
    );
  });

  it("writes Markdown with aligned separators and escaped pipes", () => {
    expect(formatMarkdownTable(["a", "b"], [["x|y", "1"]], ["left", "right"])).toBe("| a | b |\n| --- | ---: |\n| x\\|y | 1 |\n");
  });

  const report: BenchReport = {
    machine: { cpus: 2, cpuModel: "Test CPU", node: "v20.0.0", platform: "linux x64", totalMemoryMiB: 4096, loadAverage: 0.2 },
    config: "bench/largest.yaml",
    memoryMethod: "peak RSS of the process tree",
    measurements: [{ ...result("floor", 0.2, 60), cpuSeconds: [0.18], medianCpuSeconds: 0.18 }, result("synth", 0.5, 90), result("tests", 20, 700)],
    ratios: { synth: { time: 2.5, memory: 1.5 }, "cdktf-synth": {} },
    targets: evaluateTargets({ results: { floor: result("floor", 0.2, 60), synth: result("synth", 0.5, 90), tests: result("tests", 20, 700) } }),
    targetsMet: false,
  };

  it("shows the machine, each measurement with its ratios to the floor, and each target's result", () => {
    const text = formatReport(report);
    expect(text).toContain("machine: 2 CPUs (Test CPU), 4096 MiB, Node v20.0.0, linux x64");
    expect(text).not.toContain("note:");
    const rows = text.split("\n");
    expect(rows.find((row) => row.startsWith("floor"))?.split(/\s{2,}/)).toEqual(["floor", "floor", "1", "0.20 s", "1.00×", "0.18 s", "60 MiB", "1.00×"]);
    expect(rows.find((row) => row.startsWith("synth"))?.split(/\s{2,}/)).toEqual(["synth", "synth", "1", "0.50 s", "2.50×", "-", "90 MiB", "1.50×"]);
    expect(rows.find((row) => row.startsWith("tests"))?.split(/\s{2,}/)).toEqual(["tests", "tests", "1", "20.0 s", "-", "-", "700 MiB", "-"]);
    expect(rows.find((row) => row.startsWith("synth time"))?.split(/\s{2,}/)).toEqual(["synth time at most 2× the floor", "2.50×", "2×", "FAIL"]);
    expect(rows.find((row) => row.startsWith("unit test suite"))?.split(/\s{2,}/)).toEqual(["unit test suite under 30 s", "20.0 s", "30 s", "PASS"]);
    expect(rows.find((row) => row.startsWith("each stack"))?.split(/\s{2,}/)).toEqual([
      "each stack initialises only the providers it uses",
      "-",
      "0",
      "SKIP (not measured: synth)",
    ]);
  });

  it("says when the machine is not the one the targets are set for, or was busy", () => {
    expect(formatReport({ ...report, machine: { ...report.machine, cpus: 8 } })).toContain(
      "note: the targets are set for a 2-core machine; this one has 8",
    );
    expect(formatReport({ ...report, machine: { ...report.machine, loadAverage: 1.01 } })).toContain(
      "note: the machine was busy (load average 1.01 on 2 CPUs at the start): times are inflated",
    );
    expect(formatReport({ ...report, machine: { ...report.machine, loadAverage: 1 } })).not.toContain("busy");
  });

  it("can print Markdown tables for CONTRIBUTING.md's Speed section", () => {
    const markdown = formatReport(report, "markdown");
    expect(markdown).toContain("| measurement | command | runs | time | × floor | CPU | peak RSS | × floor |");
    expect(markdown).toContain("| synth | `synth` | 1 | 0.50 s | 2.50× | - | 90 MiB | 1.50× |");
    expect(markdown).toContain("| synth time at most 2× the floor | 2.50× | 2× | FAIL |");
  });
});

describe("parseBenchArguments", () => {
  const parse = (...argv: string[]) => parseBenchArguments(argv, DEFAULT_RUNS);

  it("defaults to every measurement, the default runs, the largest config, report only", () => {
    expect(parse()).toEqual({
      runs: DEFAULT_RUNS,
      only: [...MEASUREMENT_IDS],
      check: false,
      markdown: false,
      help: false,
    });
  });

  it("takes runs for all, or per measurement keeping the other defaults", () => {
    expect(parse("--runs", "2").runs).toEqual({ floor: 2, synth: 2, "cdktf-synth": 2, tests: 2, tsc: 2 });
    expect(parse("--runs", "synth=9, tests=2").runs).toEqual({ ...DEFAULT_RUNS, synth: 9, tests: 2 });
  });

  it("keeps the table's order for --only, and takes --check, --markdown, --config, --output", () => {
    const args = parse("--only", "tsc,floor", "--check", "--markdown", "--config", "x.yaml", "--output", "out.json");
    expect(args).toMatchObject({ only: ["floor", "tsc"], check: true, markdown: true, config: "x.yaml", output: "out.json" });
  });

  it.each([
    [["--runs", "0"], '--runs: "0" is not a number of runs between 1 and 100'],
    [["--runs", "synth=two"], '--runs synth: "two" is not a number of runs between 1 and 100'],
    [["--runs", "synth"], '--runs: "synth" is not ID=N; write e.g. --runs synth=10,tests=2, or --runs 3 for all'],
    [["--runs", "synthh=3"], '--runs: "synthh" is not a measurement; known: floor, synth, cdktf-synth, tests, tsc'],
    [["--only", "floor,jest"], '--only: "jest" is not a measurement; known: floor, synth, cdktf-synth, tests, tsc'],
    [["--config", ""], "--config: give the path of a config file"],
    [["--fast"], "Unknown option '--fast'"],
    [["extra"], "Unexpected argument 'extra'"],
  ])("rejects %j: %s", (argv, message) => {
    expect(() => parse(...argv)).toThrow(UsageError);
    expect(() => parse(...argv)).toThrow(message);
  });
});

describe("bench/largest.yaml", () => {
  const file = path.join(ROOT, "bench", "largest.yaml");
  const cfg = validateConfig(parseYaml(fs.readFileSync(file, "utf8")), file);

  it("is valid and uses every SCM provider type and annotations", () => {
    expect(new Set(cfg.scm.providers.map((p) => p.type))).toEqual(new Set(["GitHub", "GitLab", "Bitbucket", "BitbucketServer"]));
    expect(Object.keys(cfg.gitpod.proxy.serviceAnnotations).length).toBeGreaterThan(0);
  });

  it("makes every stack the app has", () => {
    expect(synthApp(cfg).stackIds.map((id) => id.replace(`${cfg.name}-`, "")).sort()).toEqual(Object.values(STACK_CONCERNS).sort());
  });

  it("has at least as many stacks and resources as the default config", () => {
    const count = (outdir: string) => {
      const app = readCdktfOut(outdir);
      const resources = app.stacks.reduce((n, s) => n + Object.values(s.json.resource ?? {}).reduce((m, r) => m + Object.keys(r).length, 0), 0);
      return { stacks: app.stacks.length, resources };
    };
    const largestOut = synthApp(cfg).outdir;
    const largest = count(largestOut);
    const defaults = count(synthApp(validateConfig({ domain: "gitpod.example.com" }, "defaults")).outdir);
    expect(largest.stacks).toBeGreaterThanOrEqual(defaults.stacks);
    expect(largest.resources).toBeGreaterThan(defaults.resources);
    expect(providerUsage(readCdktfOut(largestOut)).filter((u) => u.unused.length > 0)).toEqual([]);
  });
});

describe("measureProcess", () => {
  // Two processes holding memory at once: the parent keeps its buffer until the child, which
  // holds its own for a while, has exited.
  const child = "const b = Buffer.alloc(120 * 1024 * 1024, 1); setTimeout(() => b.length, 400);";
  const tree = [
    process.execPath,
    "-e",
    `const b = Buffer.alloc(120 * 1024 * 1024, 1);
     require("child_process").spawn(process.execPath, ["-e", ${JSON.stringify(child)}], { stdio: "inherit" }).on("exit", () => b.length);`,
  ];

  it("counts the memory of the whole process tree, sampled from /proc", async () => {
    const sample = await measureProcess(tree, { cwd: ROOT, env: process.env, gnuTime: undefined });
    // Each process holds 120 MiB, side by side: the tree's peak is above 240 MiB, more than either.
    expect(sample.peakRssBytes).toBeGreaterThan(240 * MIB);
    expect(sample.wallSeconds).toBeGreaterThan(0);
  });

  it("reports a failing command with its output", async () => {
    const failing = measureProcess([process.execPath, "-e", 'console.error("boom"); process.exit(3)'], { cwd: ROOT, env: process.env });
    await expect(failing).rejects.toThrow(MeasuredCommandFailed);
    await expect(failing).rejects.toThrow(/exited with status 3; its last output:\nboom$/);
  });
});

describe("parseGnuTime", () => {
  it("reads peak RSS (KiB) and user + system CPU from the last line, after a failure note", () => {
    expect(parseGnuTime("65536 0.12 0.03\n")).toEqual({ maxRssBytes: 64 * MIB, cpuSeconds: 0.15 });
    expect(parseGnuTime("Command exited with non-zero status 1\n1024 1.50 0.50\n")).toEqual({ maxRssBytes: MIB, cpuSeconds: 2 });
    expect(parseGnuTime("garbage\n")).toEqual({ maxRssBytes: 0 });
  });
});

describeWithTools("measureProcess with GNU time", [findTool("/usr/bin/time")], () => {
  it("finds GNU time and takes the kernel's peak, which sampling can miss", async () => {
    const gnuTime = findGnuTime();
    expect(gnuTime).toBe("/usr/bin/time");
    // Sampled once, at the start: only the kernel's figure can see the 200 MiB.
    const allocate = [process.execPath, "-e", "Buffer.alloc(200 * 1024 * 1024, 1)"];
    const once = { cwd: ROOT, env: process.env, sampleIntervalMs: 60_000 };
    const withKernel = await measureProcess(allocate, { ...once, gnuTime });
    expect(withKernel.peakRssBytes).toBeGreaterThan(200 * MIB);
    expect(withKernel.cpuSeconds).toEqual(expect.any(Number));
    const sampledOnly = await measureProcess(allocate, once);
    expect(sampledOnly.peakRssBytes).toBeLessThan(200 * MIB);
    expect(sampledOnly.cpuSeconds).toBeUndefined();
  });
});

describe("npm run bench (scripts/bench.ts)", () => {
  // As npm runs it: in the project root, with the user's folder in INIT_CWD.
  const run = (args: string[], userDir = ROOT) =>
    spawnSync(process.execPath, [...BENCH, ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, INIT_CWD: userDir } });

  it("measures, shows progress on stderr, prints the table and writes the JSON where the user asked", () => {
    const userDir = scratchDir("bench-");
    const output = path.join(userDir, "results.json");
    const result = run(["--only", "synth", "--runs", "1", "--output", "results.json"], userDir);
    expect(result.status).toBe(0);
    expect(result.stderr).toContain(`bench: wrote ${output}\n`);
    expect(result.stderr).toContain("bench: [1/1] synth: node scripts/run-sources.js main.ts (1 run)\nbench:   run 1/1 ... ");
    expect(result.stdout).toContain("config: bench/largest.yaml");
    expect(result.stdout).toMatch(/^each stack initialises only the providers it uses +0 stacks +0 +PASS$/m);
    const json = JSON.parse(fs.readFileSync(output, "utf8"));
    expect(json.machine).toMatchObject({ node: process.version, cpus: expect.any(Number), loadAverage: expect.any(Number) });
    expect(json.measurements).toEqual([expect.objectContaining({ id: "synth", runs: 1, wallSeconds: [expect.any(Number)] })]);
    expect(json.measurements[0].medianPeakRssMiB).toBeGreaterThan(30);
    expect(json.ratios).toEqual({ synth: {}, "cdktf-synth": {} });
    expect(json.targets.map((t: TargetResult) => [t.id, t.status])).toEqual([
      ["synth-time", "SKIP"],
      ["synth-memory", "SKIP"],
      ["tests-time", "SKIP"],
      ["providers-used", "PASS"],
    ]);
  });

  it("rejects bad arguments and a bad config before measuring anything, without a stack trace", () => {
    const bad = run(["--runs", "synth=0"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^bench: --runs synth: "0" is not a number of runs between 1 and 100\n\nusage: npm run bench/);
    const missing = run(["--config", "nope.yaml"]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe(`bench: --config nope.yaml: the file ${path.join(ROOT, "nope.yaml")} does not exist\n`);
    expect(missing.stderr).not.toMatch(/^\s+at /m);
    expect(missing.stderr).not.toContain("bench: [1/");
  });
});
