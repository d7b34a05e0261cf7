/**
 * `npm run pipeline` end to end: the command (bin/pipeline.ts, run
 * from the sources as `npm run pipeline` does)
 * runs the real terraform over synthesized-like folders that initialise offline, and the tests
 * read what terraform did (apply order, state, plans) besides what the command reports.
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { appliedStacks, listFiles, OUTPUT_NAME, writePipelineProject, type FixtureStack } from "./support/pipeline-fixtures";
import { config, scratchDir, synthApp } from "./support/synth";
import { STANDALONE_AWS_CONFIG } from "./support/terraform-plan";
import { describeWithTools, terraform, terraformEnv, terraformTool, terraformWithMirrorTool } from "./support/tools";
import { sourceArgs } from "./support/run-sources";

const PIPELINE = sourceArgs("bin/pipeline.ts");

interface JsonStack {
  id: string;
  position: number;
  result: "succeeded" | "failed" | "skipped" | "cancelled";
  changes?: boolean;
  failedStep?: string;
  exitCode?: number;
  skippedBecause?: string[];
  readsUnselected?: string[];
  workingDirectory: string;
}

interface JsonSummary {
  command: string;
  succeeded: boolean;
  stacks: JsonStack[];
}

// The terraform CLI config (provider mirror) lives outside the projects, so a project holds only
// what the pipeline and terraform wrote.
const TERRAFORM_ENV = { ...terraformEnv(scratchDir("pipeline-cli-config-")), AWS_ACCESS_KEY_ID: "AKIAFAKEFAKEFAKE", AWS_SECRET_ACCESS_KEY: "fake" };

function pipeline(project: string, args: string[]) {
  const result = spawnSync(process.execPath, [...PIPELINE, ...args], { cwd: project, env: TERRAFORM_ENV, encoding: "utf8" });
  const json = args.includes("--json") && result.stdout.trim() !== "" ? (JSON.parse(result.stdout) as JsonSummary) : undefined;
  return { status: result.status, stdout: withoutColors(result.stdout), stderr: withoutColors(result.stderr), json };
}

/** Terraform colours its output (it is passed through as is); the assertions read the text. */
const withoutColors = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, "");

const byId = (summary: JsonSummary | undefined) => Object.fromEntries((summary?.stacks ?? []).map((stack) => [stack.id, stack]));
const stateOutput = (project: string, id: string) =>
  JSON.parse(terraform(path.join(project, "cdktf.out", "stacks", id), ["output", "-json"], TERRAFORM_ENV))[OUTPUT_NAME]?.value;

/**
 * network <- database <- app (app also reads network); audit stands alone. By id the order would be
 * app, audit, database, network: only the dependencies make it audit, network, database, app.
 */
const CHAIN: Record<string, FixtureStack> = {
  app: { reads: ["database", "network"] },
  audit: {},
  database: { reads: ["network"] },
  network: {},
};

describeWithTools("npm run pipeline: plain terraform over the stack folders", [terraformTool()], () => {
  describe("apply on a fresh project", () => {
    const project = writePipelineProject(CHAIN);
    const result = pipeline(project, ["apply", "--json"]);

    it("succeeds and reports every stack applied, in dependency order", () => {
      expect(result.status).toBe(0);
      expect(result.json?.succeeded).toBe(true);
      expect(result.json?.stacks.map((stack) => [stack.id, stack.result, stack.changes])).toEqual([
        ["audit", "succeeded", true],
        ["network", "succeeded", true],
        ["database", "succeeded", true],
        ["app", "succeeded", true],
      ]);
    });

    it("applied the stacks in that order (terraform's own record)", () => {
      expect(appliedStacks(project)).toEqual(["audit", "network", "database", "app"]);
    });

    it("planned each consumer after its producers were applied: the remote state values arrived", () => {
      expect(stateOutput(project, "database")).toBe("database(network())");
      expect(stateOutput(project, "app")).toBe("app(database(network()),network())");
    });

    it("says step by step what it does, with the position of each stack", () => {
      const progress = result.stderr.split("\n").filter((line) => line.startsWith("pipeline: "));
      expect(progress[0]).toBe("pipeline: apply 4 stacks from cdktf.out/manifest.json in this order: audit, network, database, app");
      expect(progress).toEqual(
        expect.arrayContaining([
          "pipeline: [2/4] network: starting in cdktf.out/stacks/network",
          "pipeline: [2/4] network: init: terraform init -input=false",
          "pipeline: [2/4] network: plan: terraform plan -input=false -out=network.tfplan -detailed-exitcode",
          "pipeline: [2/4] network: apply: terraform apply -input=false network.tfplan",
        ]),
      );
      const starts = progress.filter((line) => line.includes(": starting in ")).map((line) => line.split(":")[1].trim());
      expect(starts).toEqual(["[1/4] audit", "[2/4] network", "[3/4] database", "[4/4] app"]);
      expect(result.stderr).toMatch(/^pipeline: \[4\/4\] app: applied \(changes\) in \d+\.\ds$/m);
      expect(result.stderr).toMatch(/^ {2}4\/4 +app +applied \(changes\) +\d+\.\ds$/m);
    });

    it("passes terraform's output through (on stderr with --json, keeping stdout for the summary)", () => {
      expect(result.stderr).toContain("Apply complete! Resources: 1 added, 0 changed, 0 destroyed.");
      expect(result.stdout).not.toContain("Apply complete!");
    });

    it("writes nothing but terraform's own files: state where the backend says, and in each stack folder", () => {
      // No .terraform.lock.hcl: these stacks use only terraform's built-in provider.
      const perStack = (id: string) => [
        `cdktf.out/stacks/${id}/.terraform/`,
        `cdktf.out/stacks/${id}/${id}.tfplan`,
        `cdktf.out/stacks/${id}/cdk.tf.json`,
      ];
      const ids = Object.keys(CHAIN);
      expect(listFiles(project)).toEqual(
        ["applied.log", "cdktf.out/manifest.json", ...ids.flatMap(perStack), ...ids.map((id) => `terraform.${id}.tfstate`)].sort(),
      );
    });

    it("creates state files and saved plans readable by their owner only (terraform runs with umask 077)", () => {
      const files = Object.keys(CHAIN).flatMap((id) => [`terraform.${id}.tfstate`, `cdktf.out/stacks/${id}/${id}.tfplan`, `cdktf.out/stacks/${id}/.terraform`]);
      const modes = files.map((file) => [file, (fs.statSync(path.join(project, file)).mode & 0o777).toString(8)]);
      expect(modes).toEqual(files.map((file) => [file, file.endsWith(".terraform") ? "700" : "600"]));
    });

    it("runs a subset in the same order, reading the others' applied state", () => {
      const subset = pipeline(project, ["plan", "--stacks", "app,network", "--json"]);
      expect(subset.status).toBe(0);
      expect(subset.json?.stacks.map((stack) => [stack.id, stack.readsUnselected])).toEqual([
        ["network", undefined],
        ["app", ["database"]],
      ]);
      expect(subset.stderr).toContain("pipeline: note: app reads from database, not selected: their last applied state is used");
    });

    it("plans again with no changes, and says so", () => {
      const again = pipeline(project, ["plan", "--json"]);
      expect(again.status).toBe(0);
      expect(again.json?.stacks.map((stack) => [stack.id, stack.result, stack.changes])).toEqual([
        ["audit", "succeeded", false],
        ["network", "succeeded", false],
        ["database", "succeeded", false],
        ["app", "succeeded", false],
      ]);
      expect(again.stderr).toMatch(/^pipeline: \[3\/4\] database: planned \(no changes\) in /m);
    });
  });

  describe("plan on a first deployment", () => {
    const project = writePipelineProject(CHAIN);
    const result = pipeline(project, ["plan", "--json"]);

    it("plans the producers, fails the consumer that has no remote state yet, skips what depends on it", () => {
      expect(result.status).toBe(1);
      expect(result.json?.stacks.map((stack) => [stack.id, stack.result])).toEqual([
        ["audit", "succeeded"],
        ["network", "succeeded"],
        ["database", "failed"],
        ["app", "skipped"],
      ]);
      expect(byId(result.json).app.skippedBecause).toEqual(["database"]);
      expect(result.stderr).toContain("Unable to find remote state");
    });

    it("explains why and what to do", () => {
      expect(result.stderr).toContain(
        "pipeline: [3/4] database: note: it reads from network, whose planned changes are not applied yet; " +
          "a plan reads its dependencies' applied state, so on a first deployment (no state yet) run apply instead",
      );
    });

    it("applies nothing", () => {
      expect(appliedStacks(project)).toEqual([]);
      expect(fs.readdirSync(project).filter((file) => file.endsWith(".tfstate"))).toEqual([]);
      expect(fs.existsSync(path.join(project, "cdktf.out", "stacks", "network", "network.tfplan"))).toBe(true);
    });
  });

  describe("when stacks fail", () => {
    // Order: base, broken, solo (no dependencies), then after-broken, middle, then top.
    const FAILING: Record<string, FixtureStack> = {
      base: { fail: "precondition" },
      broken: { fail: "syntax" },
      solo: {},
      "after-broken": { reads: ["broken"] },
      middle: { reads: ["base"] },
      top: { reads: ["middle", "solo"] },
    };
    const project = writePipelineProject(FAILING);
    const result = pipeline(project, ["apply", "--json"]);
    const stacks = byId(result.json);

    it("exits 1", () => {
      expect(result.status).toBe(1);
      expect(result.json?.succeeded).toBe(false);
    });

    it("stops exactly the stacks that depend on a failed one, directly or not", () => {
      expect(result.json?.stacks.map((stack) => [stack.id, stack.result, stack.skippedBecause])).toEqual([
        ["base", "failed", undefined],
        ["broken", "failed", undefined],
        ["solo", "succeeded", undefined],
        ["after-broken", "skipped", ["broken"]],
        ["middle", "skipped", ["base"]],
        ["top", "skipped", ["base"]],
      ]);
      expect(appliedStacks(project)).toEqual(["solo"]);
    });

    it("says which step failed: a precondition at plan, a syntax error at init", () => {
      expect(stacks.base).toMatchObject({ failedStep: "plan", exitCode: 1 });
      expect(stacks.broken).toMatchObject({ failedStep: "init", exitCode: 1 });
      expect(result.stderr).toContain("Fixture stack base is not healthy.");
      expect(result.stderr).toContain("pipeline: [1/6] base: FAILED at plan; not running what depends on it: middle, top");
      expect(result.stderr).toContain("pipeline: [6/6] top: skipped: depends on base, which failed");
      expect(result.stderr).toMatch(/^pipeline: apply FAILED in \d+\.\ds: 1 succeeded, 2 failed, 3 skipped$/m);
      expect(result.stderr).toMatch(/^ {2}2\/6 +broken +failed at init \(terraform exited 1\) +\d+\.\ds$/m);
    });

    it("runs them in parallel with the same outcome, prefixing terraform's lines with the stack", () => {
      const parallel = pipeline(writePipelineProject(FAILING), ["apply", "--json", "--parallelism", "3"]);
      expect(parallel.status).toBe(1);
      const outcome = (summary?: JsonSummary) => Object.fromEntries((summary?.stacks ?? []).map((s) => [s.id, [s.result, s.skippedBecause]]));
      expect(outcome(parallel.json)).toEqual(outcome(result.json));
      expect(parallel.stderr).toContain("[solo] Apply complete! Resources: 1 added, 0 changed, 0 destroyed.");
      expect(parallel.stderr).toContain("(up to 3 at once, each after the stacks it depends on)");
    });
  });

  it("runs independent stacks side by side but each only after what it reads from", () => {
    const project = writePipelineProject(CHAIN);
    const result = pipeline(project, ["apply", "--parallelism", "2"]);
    expect(result.status).toBe(0);
    const applied = appliedStacks(project);
    expect([...applied].sort()).toEqual(["app", "audit", "database", "network"]);
    expect(applied.indexOf("network")).toBeLessThan(applied.indexOf("database"));
    expect(applied.indexOf("database")).toBeLessThan(applied.indexOf("app"));
    expect(stateOutput(project, "app")).toBe("app(database(network()),network())");
    // Without --json, terraform's stdout is the command's stdout.
    expect(result.stdout).toContain("[app] Apply complete!");
  });

  describeWithTools("a subset of stacks, with the aws provider from the mirror", [terraformWithMirrorTool()], () => {
    // naming's output names storage's bucket: storage can be planned only once naming is applied.
    const project = writePipelineProject({
      naming: {},
      storage: { reads: ["naming"], awsBucket: true },
    });
    const first = pipeline(project, ["apply", "--stacks", "naming", "--json"]);
    const storageInitialised = fs.existsSync(path.join(project, "cdktf.out", "stacks", "storage", ".terraform"));
    const plan = pipeline(project, ["plan", "--stacks", "storage", "--json", "--", "-refresh=false"]);

    it("applies only the selected stack", () => {
      expect(first.status).toBe(0);
      expect(first.json?.stacks.map((stack) => stack.id)).toEqual(["naming"]);
      expect(appliedStacks(project)).toEqual(["naming"]);
      expect(storageInitialised).toBe(false);
    });

    it("plans the aws stack offline, reading the bucket name from the applied producer it did not run", () => {
      expect(plan.status).toBe(0);
      expect(plan.json?.stacks).toEqual([expect.objectContaining({ id: "storage", result: "succeeded", changes: true, readsUnselected: ["naming"] })]);
      expect(plan.stderr).toContain("pipeline: note: storage reads from naming, not selected: their last applied state is used");
      expect(plan.stderr).toMatch(/\+ bucket\s+= "naming\(\)-assets"/);
    });

    it("passes the arguments after -- to terraform plan", () => {
      expect(plan.stderr).toContain("pipeline: extra arguments for terraform plan: -refresh=false");
      expect(plan.stderr).toContain("pipeline: [1/1] storage: plan: terraform plan -input=false -out=storage.tfplan -detailed-exitcode -refresh=false");
    });
  });

  it("stops starting stacks when interrupted, lets the running terraform stop, and exits 128+signal", async () => {
    const project = writePipelineProject({ first: { sleepSeconds: 30 }, second: { reads: ["first"] }, other: {} });
    const child = spawn(process.execPath, [...PIPELINE, "apply", "--json"], { cwd: project, env: TERRAFORM_ENV });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    let running = true;
    const exited = new Promise<number | null>((resolve) =>
      child.on("close", (code) => {
        running = false;
        resolve(code);
      }),
    );
    // "first" runs first and sleeps inside its apply: interrupt it there.
    while (running && !fs.existsSync(path.join(project, "first.started"))) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(running).toBe(true);
    child.kill("SIGTERM");
    const status = await exited;

    expect(status).toBe(143);
    expect(stderr).toContain("pipeline: SIGTERM received: no further stack is started; waiting for running terraform to stop");
    const summary = JSON.parse(stdout) as JsonSummary;
    expect(summary.stacks.map((stack) => [stack.id, stack.result])).toEqual([
      ["first", "failed"],
      ["other", "cancelled"],
      ["second", "cancelled"],
    ]);
    expect(appliedStacks(project)).toEqual([]);
    // Terraform received the signal (once: a second one would make it exit without cleaning up).
    expect(stderr).toContain("Gracefully shutting down...");
    expect(stderr).not.toContain("Two interrupts received");
  });
});

describeWithTools("npm run pipeline on the synthesized app", [terraformWithMirrorTool()], () => {
  // The stack whose provider the offline mirror holds; without RDS it reads no other stack.
  const project = scratchDir("pipeline-app-");
  synthApp(config(STANDALONE_AWS_CONFIG), path.join(project, "cdktf.out"));
  const result = pipeline(project, ["plan", "--json", "--stacks", "gitpod-aws-services", "--", "-refresh=false"]);

  it("plans the AWS stack from manifest.json with plain terraform, offline", () => {
    expect(result.status).toBe(0);
    expect(result.json?.stacks.map((stack) => [stack.id, stack.result, stack.changes])).toEqual([["gitpod-aws-services", "succeeded", true]]);
    expect(result.stderr).toMatch(/Plan: \d+ to add, 0 to change, 0 to destroy/);
    expect(fs.existsSync(path.join(project, "cdktf.out", "stacks", "gitpod-aws-services", "gitpod-aws-services.tfplan"))).toBe(true);
  });

  it("touches no other stack", () => {
    const others = fs.readdirSync(path.join(project, "cdktf.out", "stacks")).filter((id) => id !== "gitpod-aws-services");
    expect(others.length).toBeGreaterThan(0);
    for (const id of others) expect(fs.existsSync(path.join(project, "cdktf.out", "stacks", id, ".terraform"))).toBe(false);
  });
});
