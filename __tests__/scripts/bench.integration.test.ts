/**
 * npm run bench: its pure parts (statistics, targets, tables, arguments), the memory measurement
 * of a process tree, and the command end to end. No assertion on how long anything takes.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parseBenchArguments } from "../../scripts/bench/arguments";
import { findGnuTime, MeasuredCommandFailed, measureProcess, parseGnuTime } from "../../scripts/bench/measure-process";
import {
  DEFAULT_RUNS,
  EDITED_FILE,
  MEASUREMENT_IDS,
  MEASURING_ENV_VAR,
  measurements,
  readAppCommand,
  type MeasurementId,
} from "../../scripts/bench/measurements";
import { allRatiosToFloor, ratiosToFloor, summarize, type BenchReport, type MeasurementResult } from "../../scripts/bench/results";
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
import { CACHE_ENV_VAR, cacheFileFor, DEFAULT_CACHE_DIR } from "../../scripts/run-sources";

const ROOT = path.resolve(__dirname, "..", "..");
const APP = "node scripts/run-sources.js main.ts";
const SETUP = { appCommand: APP, configFile: "/project/my.yaml", largestConfigFile: "/project/bench/largest.yaml" };
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
  const [floor] = measurements(SETUP);

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
    const results = { floor: result("floor", 0.2, 60), app: result("app", 0.3, 90) };
    expect(ratiosToFloor(results, "app")).toEqual({ time: 1.5, memory: 1.5 });
    expect(ratiosToFloor({ app: results.app }, "app")).toEqual({});
  });

  it("gives ratios for every synth measured, and not for the test suites", () => {
    const results = { floor: result("floor", 0.2, 60), app: result("app", 0.3, 90), edited: result("edited", 0.8, 120), tests: result("tests", 20, 700) };
    expect(allRatiosToFloor(results, measurements(SETUP))).toEqual({ app: { time: 1.5, memory: 1.5 }, edited: { time: 4, memory: 2 } });
  });
});

describe("the measurements", () => {
  const all = measurements(SETUP);
  const byMeasurement = (id: MeasurementId) => all.find((m) => m.id === id)!;

  it("are the floor, the synths (app, npm, after an edit, largest config, CLI), the unit suite and npm test, in that order", () => {
    expect(all.map((m) => m.id)).toEqual([...MEASUREMENT_IDS]);
    expect(MEASUREMENT_IDS).toEqual(["floor", "app", "npm-synth", "edited", "largest", "cdktf-synth", "tests", "npm-test"]);
    expect(DEFAULT_RUNS).toEqual({ floor: 5, app: 5, "npm-synth": 5, edited: 5, largest: 5, "cdktf-synth": 3, tests: 1, "npm-test": 1 });
    expect(all.filter((m) => m.versusFloor).map((m) => m.id)).toEqual(["floor", "app", "npm-synth", "edited", "largest", "cdktf-synth"]);
    expect(all.filter((m) => !m.warmUp).map((m) => m.id)).toEqual(["tests", "npm-test"]);
  });

  it("run the app command of cdktf.json as the cdktf CLI does: through the shell, with its environment", () => {
    expect(readAppCommand(ROOT)).toBe(JSON.parse(fs.readFileSync(path.join(ROOT, "cdktf.json"), "utf8")).app);
    const app = byMeasurement("app");
    expect(app.command).toEqual(["/bin/sh", "-c", APP]);
    expect(app.display).toBe(APP);
    expect(app.env).toEqual({
      GITPOD_CDKTF_CONFIG: "/project/my.yaml",
      CDKTF_OUTDIR: "{outdir}",
      CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: "true",
      CDKTF_CONTEXT_JSON: '{"cdktfRelativeModules":[]}',
      SYNTH_HCL_OUTPUT: "false",
      NODE_OPTIONS: "--max-old-space-size=4096",
    });
    expect(byMeasurement("largest")).toMatchObject({ command: app.command, env: { ...app.env, GITPOD_CDKTF_CONFIG: "/project/bench/largest.yaml" } });
  });

  it("measure an edit with a scratch transpile cache, missing the edited file's output", () => {
    const edited = byMeasurement("edited");
    expect(edited).toMatchObject({ command: byMeasurement("app").command, edits: EDITED_FILE });
    expect(edited.env).toMatchObject({ GITPOD_CDKTF_CONFIG: "/project/my.yaml", GITPOD_CDKTF_TRANSPILE_CACHE: "{cache}" });
    expect(fs.existsSync(path.join(ROOT, EDITED_FILE))).toBe(true);
    expect(all.filter((m) => m.edits !== undefined).map((m) => m.id)).toEqual(["edited"]);
  });

  it("synthesize the given config into a scratch folder, never into the project's cdktf.out", () => {
    expect(byMeasurement("npm-synth")).toMatchObject({
      command: ["npm", "run", "synth"],
      env: { GITPOD_CDKTF_CONFIG: "/project/my.yaml", CDKTF_OUTDIR: "{outdir}" },
    });
    const cli = byMeasurement("cdktf-synth");
    expect(cli.command).toEqual(["node_modules/.bin/cdktf", "synth", "--output", "{outdir}"]);
    expect(cli.env).toMatchObject({ GITPOD_CDKTF_CONFIG: "/project/my.yaml", CHECKPOINT_DISABLE: "1" });
    expect(all.filter((m) => m.synthesizes).map((m) => m.id)).toEqual(["app", "npm-synth", "edited", "largest", "cdktf-synth"]);
    expect(byMeasurement("npm-test").command).toEqual(["npm", "test"]);
  });
});

describe("evaluateTargets", () => {
  const usage = [{ stack: "s", declared: ["random"], used: ["random"], unused: [] }];

  it("passes the app at exactly 2× the floor and fails above, for time and memory separately", () => {
    const at = byId(evaluateTargets({ results: { floor: result("floor", 0.2, 60), app: result("app", 0.4, 120) }, providerUsage: usage }));
    expect(at["app-time"]).toMatchObject({ value: 2, limit: 2, status: "PASS" });
    expect(at["app-memory"]).toMatchObject({ value: 2, limit: 2, status: "PASS" });
    const slow = byId(evaluateTargets({ results: { floor: result("floor", 0.2, 60), app: result("app", 0.41, 100) } }));
    expect(slow["app-time"].status).toBe("FAIL");
    expect(slow["app-memory"].status).toBe("PASS");
    const big = byId(evaluateTargets({ results: { floor: result("floor", 0.2, 60), app: result("app", 0.3, 121) } }));
    expect(big["app-time"].status).toBe("PASS");
    expect(big["app-memory"].status).toBe("FAIL");
  });

  it("allows npm run synth 3×, the first synth after an edit 4× and the largest config 1.5× the floor", () => {
    const floor = result("floor", 0.25, 60);
    const at = byId(
      evaluateTargets({ results: { floor, "npm-synth": result("npm-synth", 0.75, 90), edited: result("edited", 1, 90), largest: result("largest", 0.375, 90) } }),
    );
    expect([at["npm-synth-time"], at["edited-time"], at["largest-time"]]).toMatchObject([
      { value: 3, limit: 3, status: "PASS", description: "npm run synth at most 3× the floor" },
      { value: 4, limit: 4, status: "PASS", description: "the first synth after an edit at most 4× the floor" },
      { value: 1.5, limit: 1.5, status: "PASS", description: "the app on the largest config at most 1.5× the floor" },
    ]);
    const above = byId(
      evaluateTargets({
        results: { floor, "npm-synth": result("npm-synth", 0.76, 90), edited: result("edited", 1.01, 90), largest: result("largest", 0.38, 90) },
      }),
    );
    expect([above["npm-synth-time"].status, above["edited-time"].status, above["largest-time"].status]).toEqual(["FAIL", "FAIL", "FAIL"]);
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
    const targets = evaluateTargets({ results: { app: result("app", 9, 900) } });
    expect(targets.map((t) => [t.id, t.status, t.note])).toEqual([
      ["app-time", "SKIP", "not measured: floor"],
      ["npm-synth-time", "SKIP", "not measured: floor, npm-synth"],
      ["edited-time", "SKIP", "not measured: floor, edited"],
      ["largest-time", "SKIP", "not measured: floor, largest"],
      ["app-memory", "SKIP", "not measured: floor"],
      ["tests-time", "SKIP", "not measured: tests"],
      ["providers-used", "SKIP", "not measured: no synth"],
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
    measurements: [{ ...result("floor", 0.2, 60), cpuSeconds: [0.18], medianCpuSeconds: 0.18 }, result("app", 0.5, 90), result("tests", 20, 700)],
    ratios: { app: { time: 2.5, memory: 1.5 } },
    failures: [],
    targets: evaluateTargets({ results: { floor: result("floor", 0.2, 60), app: result("app", 0.5, 90), tests: result("tests", 20, 700) } }),
    targetsMet: false,
  };

  it("shows the machine, each measurement with its ratios to the floor, and each target's result", () => {
    const text = formatReport(report);
    expect(text).toContain("machine: 2 CPUs (Test CPU), 4096 MiB, Node v20.0.0, linux x64");
    expect(text).not.toContain("note:");
    const rows = text.split("\n");
    expect(rows.find((row) => row.startsWith("floor"))?.split(/\s{2,}/)).toEqual(["floor", "floor", "1", "0.20 s", "1.00×", "0.18 s", "60 MiB", "1.00×"]);
    expect(rows.find((row) => row.startsWith("app "))?.split(/\s{2,}/)).toEqual(["app", "app", "1", "0.50 s", "2.50×", "-", "90 MiB", "1.50×"]);
    expect(rows.find((row) => row.startsWith("tests"))?.split(/\s{2,}/)).toEqual(["tests", "tests", "1", "20.0 s", "-", "-", "700 MiB", "-"]);
    expect(rows.find((row) => row.startsWith("the app command"))?.split(/\s{2,}/)).toEqual([
      "the app command (as cdktf runs it) at most 2× the floor",
      "2.50×",
      "2×",
      "FAIL",
    ]);
    expect(rows.find((row) => row.startsWith("the first synth"))?.split(/\s{2,}/)).toEqual([
      "the first synth after an edit at most 4× the floor",
      "-",
      "4×",
      "SKIP (not measured: edited)",
    ]);
    expect(rows.find((row) => row.startsWith("unit test suite"))?.split(/\s{2,}/)).toEqual(["unit test suite under 30 s", "20.0 s", "30 s", "PASS"]);
    expect(rows.find((row) => row.startsWith("each stack"))?.split(/\s{2,}/)).toEqual([
      "each stack initialises only the providers it uses",
      "-",
      "0",
      "SKIP (not measured: no synth)",
    ]);
  });

  it("names a measurement that failed, with the last line of its output", () => {
    const message = "npm test exited with status 1; its last output:\nFAIL a.test.ts\nTests: 1 failed, 9 passed\n\n";
    const text = formatReport({ ...report, failures: [{ id: "npm-test", command: "npm test", message }] });
    expect(text).toContain("\nFAILED: npm-test (npm test): npm test exited with status 1: Tests: 1 failed, 9 passed\n");
    expect(text).not.toContain("a.test.ts");
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
    expect(markdown).toContain("| app | `app` | 1 | 0.50 s | 2.50× | - | 90 MiB | 1.50× |");
    expect(markdown).toContain("| the app command (as cdktf runs it) at most 2× the floor | 2.50× | 2× | FAIL |");
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
    expect(parse("--runs", "2").runs).toEqual(Object.fromEntries(MEASUREMENT_IDS.map((id) => [id, 2])));
    expect(parse("--runs", "app=9, tests=2").runs).toEqual({ ...DEFAULT_RUNS, app: 9, tests: 2 });
  });

  it("keeps the table's order for --only, and takes --check, --markdown, --config, --output", () => {
    const args = parse("--only", "npm-test,floor", "--check", "--markdown", "--config", "x.yaml", "--output", "out.json");
    expect(args).toMatchObject({ only: ["floor", "npm-test"], check: true, markdown: true, config: "x.yaml", output: "out.json" });
  });

  it("skips what --skip names, from everything or from --only", () => {
    expect(parse("--skip", "npm-test").only).toEqual(MEASUREMENT_IDS.filter((id) => id !== "npm-test"));
    expect(parse("--only", "floor,app,tests", "--skip", "tests").only).toEqual(["floor", "app"]);
  });

  it.each([
    [["--runs", "0"], '--runs: "0" is not a number of runs between 1 and 100'],
    [["--runs", "app=two"], '--runs app: "two" is not a number of runs between 1 and 100'],
    [["--runs", "app"], '--runs: "app" is not ID=N; write e.g. --runs app=10,tests=2, or --runs 3 for all'],
    [["--runs", "synth=3"], `--runs: "synth" is not a measurement; known: ${MEASUREMENT_IDS.join(", ")}`],
    [["--only", "floor,jest"], '--only: "jest" is not a measurement; known: floor, app, npm-synth, edited, largest, cdktf-synth, tests, npm-test'],
    [["--skip", "tsc"], `--skip: "tsc" is not a measurement; known: ${MEASUREMENT_IDS.join(", ")}`],
    [["--only", "app", "--skip", "app"], "--only and --skip leave nothing to measure"],
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

describe("the transpile cache of scripts/run-sources.js, as the bench uses it", () => {
  it("moves to GITPOD_CDKTF_TRANSPILE_CACHE (relative to the current folder), where cacheFileFor finds each file's output", () => {
    const dir = scratchDir("bench-cache-");
    const entry = path.join(ROOT, "scripts", "project-root.ts");
    const ran = spawnSync(process.execPath, sourceArgs("scripts/project-root.ts"), {
      cwd: dir,
      encoding: "utf8",
      env: { ...process.env, [CACHE_ENV_VAR]: "cache" },
    });
    expect(ran.stderr).toBe("");
    expect(ran.status).toBe(0);
    const cached = cacheFileFor(entry, path.join(dir, "cache"));
    expect(cached.startsWith(path.join(dir, "cache") + path.sep)).toBe(true);
    expect(fs.readFileSync(cached, "utf8")).toContain("function projectRoot(");
    // The default folder, and a path relative to the current folder, give the same answers.
    expect(path.dirname(path.dirname(cacheFileFor(entry)))).toBe(DEFAULT_CACHE_DIR);
    expect(cacheFileFor(path.relative(process.cwd(), entry), path.join(dir, "cache"))).toBe(cached);
  });
});

/** The measurements the end-to-end test runs, once each: the fast ones unless named in this variable (e.g. to include npm-test). */
const E2E_MEASUREMENTS = process.env.GITPOD_CDKTF_BENCH_TEST_ONLY ?? "floor,app,npm-synth,edited,largest";

describe("npm run bench (scripts/bench.ts)", () => {
  // As npm runs it: in the project root, with the user's folder in INIT_CWD.
  const run = (args: string[], userDir = ROOT, env: NodeJS.ProcessEnv = {}) =>
    spawnSync(process.execPath, [...BENCH, ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, INIT_CWD: userDir, ...env } });

  it(`measures (${E2E_MEASUREMENTS}, once each), shows progress on stderr, prints the table and writes the JSON where the user asked`, () => {
    const ids = E2E_MEASUREMENTS.split(",") as MeasurementId[];
    const userDir = scratchDir("bench-");
    const output = path.join(userDir, "results.json");
    const result = run(["--only", E2E_MEASUREMENTS, "--runs", "1", "--output", "results.json"], userDir);
    expect(result.stderr).toContain(`bench: wrote ${output}\n`);
    expect(result.status).toBe(0);
    if (ids.includes("app")) {
      expect(result.stderr).toContain("bench:   app: node scripts/run-sources.js main.ts ... ");
      expect(result.stderr).toContain("bench: [run 1/1] app: node scripts/run-sources.js main.ts ... ");
    }
    expect(result.stdout).toContain("config: bench/largest.yaml");
    expect(result.stdout).toMatch(/^each stack initialises only the providers it uses +0 stacks +0 +PASS$/m);
    const json = JSON.parse(fs.readFileSync(output, "utf8")) as BenchReport;
    expect(json.machine).toMatchObject({ node: process.version, cpus: expect.any(Number), loadAverage: expect.any(Number) });
    expect(json.measurements.map((m) => [m.id, m.runs, m.wallSeconds.length])).toEqual(ids.map((id) => [id, 1, 1]));
    expect(json.failures).toEqual([]);
    for (const measurement of json.measurements) expect(measurement.medianPeakRssMiB).toBeGreaterThan(30);
    const synths = ids.filter((id) => id !== "floor" && measurements(SETUP).find((m) => m.id === id)?.versusFloor);
    expect(Object.keys(json.ratios)).toEqual(ids.includes("floor") ? synths : []);
    for (const id of synths) expect(json.ratios[id]?.time).toBeGreaterThan(0);
    const status = byId([...json.targets]);
    if (ids.includes("floor") && ids.includes("edited")) expect(["PASS", "FAIL"]).toContain(status["edited-time"].status);
    expect(status["providers-used"].status).toBe("PASS");
  });

  it("refuses to measure npm test inside a measured command, which would run the test suite inside itself", () => {
    const nested = run(["--only", "floor,npm-test", "--runs", "1"], ROOT, { [MEASURING_ENV_VAR]: "1" });
    expect(nested.status).toBe(1);
    expect(nested.stderr).toMatch(/^bench: npm-test: this bench runs inside a command another bench is measuring .*--skip npm-test\n$/);
  });

  it("rejects bad arguments and a bad config before measuring anything, without a stack trace", () => {
    const bad = run(["--runs", "app=0"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^bench: --runs app: "0" is not a number of runs between 1 and 100\n\nusage: npm run bench/);
    const missing = run(["--config", "nope.yaml"]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe(`bench: --config nope.yaml: the file ${path.join(ROOT, "nope.yaml")} does not exist\n`);
    expect(missing.stderr).not.toMatch(/^\s+at /m);
    expect(missing.stderr).not.toContain("bench: [run ");
  });
});
