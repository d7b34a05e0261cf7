/**
 * The command (bin/pipeline.ts, run from the sources as `npm run pipeline` does) on input it cannot run with: a clear message on
 * stderr, exit 2, nothing run. No terraform needed: these stop before it would be started.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { USAGE } from "../../pipeline/arguments";
import { listFiles, writePipelineProject } from "../support/pipeline-fixtures";
import { scratchDir } from "../support/synth";
import { sourceArgs } from "../support/run-sources";

const PIPELINE = sourceArgs("bin/pipeline.ts");

function pipeline(cwd: string, args: string[]) {
  const result = spawnSync(process.execPath, [...PIPELINE, ...args], {
    cwd,
    encoding: "utf8",
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function expectRejected(result: ReturnType<typeof pipeline>, message: string) {
  expect(result.status).toBe(2);
  expect(result.stdout).toBe("");
  expect(result.stderr).toBe(`pipeline: ${message}\n`);
}

describe("npm run pipeline on bad input", () => {
  const project = writePipelineProject({ network: {}, app: { reads: ["network"] } });
  const before = listFiles(project);
  afterAll(() => expect(listFiles(project)).toEqual(before));

  it("prints the usage for --help, on stdout, and exits 0", () => {
    const result = pipeline(project, ["--help"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`${USAGE}\n`);
    expect(result.stderr).toBe("");
  });

  it("rejects a missing command", () => {
    expectRejected(pipeline(project, []), 'missing command: expected one of plan, apply; run "npm run pipeline -- --help" for usage');
  });

  it("rejects an unknown option without a stack trace", () => {
    const result = pipeline(project, ["apply", "--auto-approve"]);
    expectRejected(result, 'unknown option --auto-approve: terraform options go after "--" (npm run pipeline -- apply -- --auto-approve); run "npm run pipeline -- --help" for usage');
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it("says to synthesize when there is no manifest", () => {
    expectRejected(
      pipeline(scratchDir("no-manifest-"), ["plan"]),
      "cdktf.out/manifest.json does not exist: synthesize first (npm run synth, or cdktf synth), or pass --outdir <the folder holding manifest.json>",
    );
  });

  it("names the stacks there are when --stacks names one that is not", () => {
    expectRejected(pipeline(project, ["plan", "--stacks", "app,db"]), '--stacks: "db" is not a stack of cdktf.out/manifest.json; its stacks are: app, network');
  });

  it("reads --outdir relative to where it runs", () => {
    expectRejected(
      pipeline(path.join(project, "cdktf.out"), ["plan", "--outdir", ".", "--stacks", "db"]),
      '--stacks: "db" is not a stack of manifest.json; its stacks are: app, network',
    );
  });

  it("says when terraform cannot be run, before running anything", () => {
    expectRejected(
      pipeline(project, ["apply", "--terraform", "/nonexistent/terraform"]),
      '--terraform: cannot run "/nonexistent/terraform" (not found); install Terraform (>= 1.5) or pass --terraform <path to the terraform binary>',
    );
  });

  it("stops when a stack's folder is missing", () => {
    const partial = writePipelineProject({ network: {}, app: { reads: ["network"] } });
    fs.rmSync(path.join(partial, "cdktf.out", "stacks", "app"), { recursive: true });
    expectRejected(pipeline(partial, ["plan"]), "stack app: its working directory cdktf.out/stacks/app does not exist; synthesize again");
    // A subset without it runs (and here fails later, for want of terraform, with exit 2 as well).
    expect(pipeline(partial, ["plan", "--stacks", "network", "--terraform", "/nonexistent/terraform"]).stderr).toContain("--terraform: cannot run");
  });
});
