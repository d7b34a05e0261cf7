/**
 * The checked-in CI examples and the shell loop for pipelines without Node: they must call the
 * command as documented, and the loop must run the stacks the way the command does.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { load } from "js-yaml";
import { parsePipelineArguments, type PipelineOptions } from "../../pipeline/arguments";
import { appliedStacks, OUTPUT_NAME, writePipelineProject } from "../support/pipeline-fixtures";
import { scratchDir } from "../support/synth";
import { describeWithTools, findTool, terraform, terraformEnv, terraformTool } from "../support/tools";

const ROOT = path.resolve(__dirname, "..", "..");
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");
const SCRIPT = path.join(ROOT, "examples", "terraform-only.sh");

/** A CI file as its runner reads it; the tests walk it freely (a wrong path fails them). */
const parse = (text: string): any => load(text);

const PIPELINE_CALL = /^npm run (--silent )?pipeline -- /;

/**
 * The options of every `npm run pipeline -- ...` line among `commands`. A line that captures the
 * JSON summary must silence npm, whose banner would otherwise precede the JSON on stdout.
 */
function pipelineCalls(commands: string[]): PipelineOptions[] {
  return commands
    .filter((command) => PIPELINE_CALL.test(command))
    .map((command) => {
      const [call, redirect] = command.split(">").map((part) => part.trim());
      const parsed = parsePipelineArguments(call.replace(PIPELINE_CALL, "").split(/\s+/));
      if (parsed.help) throw new Error(`${command}: --help in a CI job`);
      if (redirect !== undefined) {
        expect(parsed.options.json).toBe(true);
        expect(command).toMatch(/^npm run --silent pipeline /);
      }
      return parsed.options;
    });
}

/** Commands must install, then synthesize, then run the pipeline, in that order. */
function expectSynthBeforePipeline(commands: string[]) {
  const at = (prefix: string) => commands.findIndex((command) => command.startsWith(prefix));
  expect(at("npm ci")).toBeGreaterThanOrEqual(0);
  expect(at("npm ci")).toBeLessThan(at("npm run synth"));
  expect(at("npm run synth")).toBeLessThan(commands.findIndex((command) => PIPELINE_CALL.test(command)));
}

describe("the GitHub Actions example", () => {
  const workflow = parse(read("examples/github-actions.yml"));
  const runs = (job: string): string[] => workflow.jobs[job].steps.filter((step: { run?: string }) => step.run).map((step: { run: string }) => step.run);

  it("plans on pull requests and applies on main, with the documented command", () => {
    expect(pipelineCalls(runs("plan")).map((options) => [options.command, options.json])).toEqual([["plan", true]]);
    expect(pipelineCalls(runs("apply")).map((options) => options.command)).toEqual(["apply"]);
    expect(workflow.jobs.plan.if).toContain("pull_request");
    expect(workflow.jobs.apply.if).toContain("refs/heads/main");
    for (const job of ["plan", "apply"]) expectSynthBeforePipeline(runs(job));
  });

  it("runs the real terraform binary, one run at a time, never cancelled half-way", () => {
    for (const job of ["plan", "apply"]) {
      const setup = workflow.jobs[job].steps.find((step: { uses?: string }) => step.uses?.startsWith("hashicorp/setup-terraform@"));
      expect(setup.with.terraform_wrapper).toBe(false);
    }
    expect(workflow.concurrency["cancel-in-progress"]).toBe(false);
    expect(workflow.jobs.apply.environment).toBe("production");
  });

  it("keeps secrets in the secret store and uploads no plan file", () => {
    for (const job of ["plan", "apply"]) {
      for (const [name, value] of Object.entries<string>(workflow.jobs[job].env)) {
        if (/TOKEN|SECRET|KUBE_/.test(name)) expect(value).toMatch(/^\$\{\{ secrets\.[A-Z_]+ \}\}$/);
      }
    }
    const uploads = workflow.jobs.plan.steps.filter((step: { uses?: string }) => step.uses?.startsWith("actions/upload-artifact@"));
    expect(uploads.map((step: { with: { path: string } }) => step.with.path)).toEqual(["pipeline-summary.json"]);
  });

  it("gives the cluster token to no pull request from a fork, and each job only its environment's secrets", () => {
    // pull_request_target would run the pull request's code with the repository's secrets.
    expect(Object.keys(workflow.on).sort()).toEqual(["pull_request", "push"]);
    expect(workflow.jobs.plan.if).toContain("github.event.pull_request.head.repo.full_name == github.repository");
    expect(JSON.stringify(workflow.env)).not.toContain("secrets.");
    expect(workflow.jobs.plan.environment).toBe("gitpod-plan");
    expect(workflow.jobs.apply.environment).toBe("production");
    for (const job of ["plan", "apply"]) {
      expect(Object.keys(workflow.jobs[job].env)).toEqual(expect.arrayContaining(["KUBE_HOST", "KUBE_TOKEN", "KUBE_CLUSTER_CA_CERT_DATA"]));
      const checkout = workflow.jobs[job].steps.find((step: { uses?: string }) => step.uses?.startsWith("actions/checkout@"));
      expect(checkout.with["persist-credentials"]).toBe(false);
    }
  });
});

describe("the GitLab CI example", () => {
  const pipeline = parse(read("examples/gitlab-ci.yml"));
  const commands = (job: string): string[] => [...pipeline[".gitpod-pipeline"].before_script, ...pipeline[job].script];

  it("plans in merge requests and applies from the default branch, by hand, with the documented command", () => {
    expect(pipelineCalls(commands("plan")).map((options) => [options.command, options.json])).toEqual([["plan", true]]);
    expect(pipelineCalls(commands("apply")).map((options) => options.command)).toEqual(["apply"]);
    expect(pipeline.apply.rules).toEqual([{ if: "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH", when: "manual" }]);
    for (const job of ["plan", "apply"]) {
      expect(pipeline[job].extends).toBe(".gitpod-pipeline");
      expectSynthBeforePipeline(commands(job));
    }
  });

  it("plans no merge request from a fork, and keeps plan and apply credentials in environments of their own", () => {
    expect(pipeline.plan.rules).toEqual([{ if: '$CI_PIPELINE_SOURCE == "merge_request_event" && $CI_MERGE_REQUEST_SOURCE_PROJECT_ID == $CI_PROJECT_ID' }]);
    expect(pipeline.plan.environment).toEqual({ name: "gitpod-plan", action: "prepare" });
    expect(pipeline.apply.environment).toEqual({ name: "production" });
    // No credential in the file itself: they are CI/CD variables scoped to those environments.
    expect(JSON.stringify(pipeline)).not.toMatch(/KUBE_(HOST|TOKEN)|TF_VAR_/);
  });

  it("checks terraform's checksum before installing it, and runs one job at a time", () => {
    const setup = pipeline[".gitpod-pipeline"].before_script as string[];
    const at = (text: string) => setup.findIndex((command) => command.includes(text));
    expect(at("sha256sum -c")).toBeGreaterThan(-1);
    expect(at("sha256sum -c")).toBeLessThan(at("unzip"));
    expect(pipeline[".gitpod-pipeline"].resource_group).toBe("gitpod-infrastructure");
    expect(pipeline.plan.artifacts.paths).toEqual(["pipeline-summary.json"]);
  });
});

describe("the documentation (docs/pipelines.md)", () => {
  const page = read("docs/pipelines.md");
  const readme = read("README.md");

  it("is one of the ways to run the project, and points at every example", () => {
    const waysToRun = readme.slice(readme.indexOf("## Running it"), readme.indexOf("\n## ", readme.indexOf("## Running it") + 1));
    expect(waysToRun).toContain("](docs/pipelines.md)");
    expect(page.startsWith("# Existing Terraform pipelines\n")).toBe(true);
    for (const file of ["examples/github-actions.yml", "examples/gitlab-ci.yml", "examples/terraform-only.sh"]) {
      expect(page).toContain(`](../${file})`);
      expect(fs.existsSync(path.join(ROOT, file))).toBe(true);
    }
  });

  it("links the example jobs instead of copying them (a copy would go stale)", () => {
    expect([...page.matchAll(/```ya?ml\n/g)]).toEqual([]);
    for (const file of ["examples/github-actions.yml", "examples/gitlab-ci.yml"]) {
      // No line of a job file (beyond trivial ones) is repeated on the page.
      const copied = read(file)
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line.length > 40 && page.includes(line));
      expect([file, copied]).toEqual([file, []]);
    }
  });

  it("shows the same jq order as the script runs", () => {
    const program = (text: string) => /jq -r '(\.stacks as \$s[^']+)'/.exec(text)?.[1];
    expect(program(page)).toBeDefined();
    expect(program(page)).toBe(program(fs.readFileSync(SCRIPT, "utf8")));
  });

  it("documents every option of the command", () => {
    for (const option of ["--outdir", "--stacks", "--terraform", "--parallelism", "--json"]) expect(page).toContain(option);
  });

  it("is wired as npm run pipeline: build, then the compiled entry point", () => {
    expect(JSON.parse(read("package.json")).scripts.pipeline).toBe("node scripts/run-sources.js bin/pipeline.ts");
  });
});

describeWithTools("examples/terraform-only.sh", [findTool("shellcheck")], () => {
  it("passes shellcheck", () => {
    const result = spawnSync("shellcheck", ["--severity=style", SCRIPT], { encoding: "utf8" });
    expect(result.stdout).toBe("");
    expect(result.status).toBe(0);
  });
});

describeWithTools("examples/terraform-only.sh with terraform", [terraformTool(), findTool("jq", ["--version"])], () => {
  const env = terraformEnv(scratchDir("shell-loop-cli-config-"));
  const run = (project: string, args: string[]) => spawnSync(SCRIPT, args, { cwd: project, env, encoding: "utf8" });

  it("applies the stacks in the command's order, each after the stacks it reads from", () => {
    const project = writePipelineProject({ app: { reads: ["database", "network"] }, audit: {}, database: { reads: ["network"] }, network: {} });
    const result = run(project, ["apply"]);
    expect(result.status).toBe(0);
    expect(result.stderr.split("\n").filter((line) => line.startsWith("== "))).toEqual([
      "== audit: apply in cdktf.out/stacks/audit",
      "== network: apply in cdktf.out/stacks/network",
      "== database: apply in cdktf.out/stacks/database",
      "== app: apply in cdktf.out/stacks/app",
    ]);
    expect(appliedStacks(project)).toEqual(["audit", "network", "database", "app"]);
    const app = JSON.parse(terraform(path.join(project, "cdktf.out", "stacks", "app"), ["output", "-json"], env));
    expect(app[OUTPUT_NAME].value).toBe("app(database(network()),network())");
  });

  it("stops at the first failure", () => {
    const project = writePipelineProject({ base: { fail: "precondition" }, solo: {} });
    const result = run(project, ["apply"]);
    expect(result.status).not.toBe(0);
    expect(appliedStacks(project)).toEqual([]);
  });

  it("rejects a command it does not know", () => {
    const result = run(scratchDir("shell-loop-"), ["deploy"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^usage: .*terraform-only\.sh plan\|apply \[outdir\]\n$/);
  });
});
