/**
 * `npm run pipeline` (bin/pipeline.ts, run from the sources) on hostile input: manifest.json,
 * stack folders and flags that are missing, of the wrong type, huge, not text, or reaching outside
 * the output folder. Each is refused in one line on stderr that names the file, flag or stack and
 * the problem, with exit 2, no stack trace, a bounded size, no secret, within a deadline (a FIFO
 * has no writer), and nothing run or written. A stack folder that breaks while the pipeline runs
 * is that stack's failure, in the summary.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { listFiles, writePipelineProject } from "../support/pipeline-fixtures";
import { problemsByCase, refusalProblems, runNode } from "../support/hostile-input";
import { sourceArgs } from "../support/run-sources";
import { scratchDir } from "../support/synth";

const SECRET = "S3cret-plan-value";

/** A terraform that answers `version` and leaves a file behind for anything else (it must not run). */
function fakeTerraform(script = 'touch "ran-$1"'): string {
  const file = path.join(scratchDir("fake-terraform-"), "terraform");
  fs.writeFileSync(file, `#!/bin/sh\nif [ "$1" = version ]; then echo "Terraform v1.9.8"; exit 0; fi\n${script}\n`, { mode: 0o755 });
  return file;
}

const mkfifo = (file: string) => expect(spawnSync("mkfifo", [file]).status).toBe(0);

interface Case {
  /** Breaks the synthesized output of a fresh project (`out` is its cdktf.out). */
  readonly setup?: (out: string, project: string) => void;
  readonly args: readonly string[];
  readonly says: RegExp;
}

const manifestOf = (out: string) => JSON.parse(fs.readFileSync(path.join(out, "manifest.json"), "utf8"));
const writeManifest = (out: string, manifest: unknown) => fs.writeFileSync(path.join(out, "manifest.json"), JSON.stringify(manifest));
const replaceManifest = (out: string, replacement: (file: string) => void) => {
  fs.rmSync(path.join(out, "manifest.json"));
  replacement(path.join(out, "manifest.json"));
};

const HUGE = 5 * 1024 * 1024;

const CASES: Record<string, Case> = {
  "no manifest.json": { setup: (out) => fs.rmSync(path.join(out, "manifest.json")), args: ["plan"], says: /cdktf\.out\/manifest\.json does not exist: synthesize first/ },
  "manifest.json is a folder": { setup: (out) => replaceManifest(out, (file) => fs.mkdirSync(file)), args: ["plan"], says: /cdktf\.out\/manifest\.json is a folder, not a file: synthesize again/ },
  "manifest.json is a FIFO without a writer": { setup: (out) => replaceManifest(out, mkfifo), args: ["plan"], says: /cdktf\.out\/manifest\.json is a named pipe \(FIFO\), not a file/ },
  "manifest.json is huge": { setup: (out) => fs.writeFileSync(path.join(out, "manifest.json"), " ".repeat(HUGE)), args: ["plan"], says: /cdktf\.out\/manifest\.json is larger than 4 MiB/ },
  "manifest.json is not JSON": { setup: (out) => fs.writeFileSync(path.join(out, "manifest.json"), `{ "stacks": ${"[".repeat(100000)}`), args: ["plan"], says: /cdktf\.out\/manifest\.json is not valid JSON \(.*\): synthesize again/ },
  "manifest.json is not UTF-8": { setup: (out) => fs.writeFileSync(path.join(out, "manifest.json"), Buffer.from([0x7b, 0xff, 0xfe, 0x7d])), args: ["plan"], says: /cdktf\.out\/manifest\.json is not UTF-8 text/ },
  "manifest.json has the wrong shape, with a huge value": {
    setup: (out) => writeManifest(out, { stacks: { app: { dependencies: "x".repeat(HUGE / 2), workingDirectory: "stacks/app" } } }),
    args: ["plan"],
    says: /cdktf\.out\/manifest\.json is not a cdktf manifest: stacks\.app\.dependencies: expected array, got "x+\.\.\." \(\d+ characters\)$/m,
  },
  "a stack id with a path in it": {
    setup: (out) => writeManifest(out, { stacks: { "../../etc": { dependencies: [], workingDirectory: "stacks/app" } } }),
    args: ["plan"],
    says: /cdktf\.out\/manifest\.json: stack id "\.\.\/\.\.\/etc" is not a plain name/,
  },
  "an absolute working directory": {
    setup: (out) => writeManifest(out, { stacks: { app: { dependencies: [], workingDirectory: "/etc" } } }),
    args: ["plan"],
    says: /stacks\.app\.workingDirectory: "\/etc" must be a path inside the output folder, not an absolute path/,
  },
  "a working directory that climbs out": {
    setup: (out) => writeManifest(out, { stacks: { app: { dependencies: [], workingDirectory: "stacks/../../.." } } }),
    args: ["plan"],
    says: /stacks\.app\.workingDirectory: "stacks\/\.\.\/\.\.\/\.\." must be a path inside the output folder/,
  },
  "a dependency named like an Object property": {
    setup: (out) => {
      const manifest = manifestOf(out);
      manifest.stacks.app.dependencies = ["constructor", "__proto__"];
      writeManifest(out, manifest);
    },
    args: ["plan"],
    says: /stacks\.app\.dependencies: "__proto__" is not a stack of this manifest; stacks\.app\.dependencies: "constructor" is not a stack/,
  },
  "more stacks than an app has": {
    setup: (out) =>
      writeManifest(out, { stacks: Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`s${i}`, { dependencies: [], workingDirectory: `stacks/s${i}` }])) }),
    args: ["plan"],
    says: /cdktf\.out\/manifest\.json: stacks: has 5000 stacks, more than the 1000/,
  },
  "a stack folder that is a file": {
    setup: (out) => {
      fs.rmSync(path.join(out, "stacks", "app"), { recursive: true });
      fs.writeFileSync(path.join(out, "stacks", "app"), "");
    },
    args: ["plan"],
    says: /^pipeline: stack app: its working directory cdktf\.out\/stacks\/app is a file, not a folder; synthesize again$/m,
  },
  "a stack folder that is a FIFO": {
    setup: (out) => {
      fs.rmSync(path.join(out, "stacks", "app"), { recursive: true });
      mkfifo(path.join(out, "stacks", "app"));
    },
    args: ["plan"],
    says: /stack app: its working directory cdktf\.out\/stacks\/app is a named pipe \(FIFO\), not a folder/,
  },
  "a stack folder without cdk.tf.json, and another missing": {
    setup: (out) => {
      fs.rmSync(path.join(out, "stacks", "app", "cdk.tf.json"));
      fs.rmSync(path.join(out, "stacks", "network"), { recursive: true });
    },
    args: ["plan", "--", `-var=db_password=${SECRET}`],
    says: /stack network: its working directory cdktf\.out\/stacks\/network does not exist; stack app: its working directory cdktf\.out\/stacks\/app holds no cdk\.tf\.json \(or cdk\.tf\) file; synthesize again/,
  },
  "--outdir is a file": { setup: (_out, project) => fs.writeFileSync(path.join(project, "out-file"), "x"), args: ["plan", "--outdir", "out-file"], says: /--outdir "out-file": is a file, not a folder/ },
  "--outdir is a FIFO": { setup: (_out, project) => mkfifo(path.join(project, "out-fifo")), args: ["plan", "--outdir", "out-fifo"], says: /--outdir "out-fifo": is a named pipe \(FIFO\), not a folder/ },
  "--outdir below a file": {
    setup: (_out, project) => fs.writeFileSync(path.join(project, "out-file"), "x"),
    args: ["plan", "--outdir", "out-file/cdktf.out"],
    says: /out-file\/cdktf\.out\/manifest\.json cannot exist: a part of its path is a file, not a folder/,
  },
  "--outdir with a line break": { args: ["plan", "--outdir", "cdktf.out\nevil"], says: /cdktf\.out evil\/manifest\.json does not exist/ },
  "a huge --parallelism": { args: ["plan", "--parallelism", "9".repeat(100000)], says: /--parallelism: expected a whole number from 1 to 999 \(got "9+\.\.\." \(100000 characters\)\)/ },
  "a huge unknown option": { args: ["plan", `--${"x".repeat(100000)}`], says: /unknown option "--x+\.\.\." \(100002 characters\): terraform options go after "--"/ },
  "unknown --stacks, huge and with control characters": {
    args: ["plan", "--stacks", `app,${"y".repeat(100000)},evil\u001b[2J\nline`],
    says: /--stacks: "y+\.\.\." \(100000 characters\) and "evil\\u001b\[2J\\nline" are not stacks of cdktf\.out\/manifest\.json; its stacks are: app, network/,
  },
  "a -var with a secret before --": {
    args: ["plan", `-var=db_password=${SECRET}`],
    says: /unknown option -var=db_password=\(hidden\): terraform options go after "--" \(npm run pipeline -- plan -- -var=db_password=\(hidden\)\)/,
  },
  "a --terraform that does not exist": { args: ["plan", "--terraform", "/nonexistent/terraform"], says: /--terraform: cannot run "\/nonexistent\/terraform" \(not found\)/ },
};

describe("npm run pipeline on hostile input", () => {
  it("refuses every hostile manifest, stack folder and flag in one line, with exit 2, running and writing nothing", async () => {
    const terraform = fakeTerraform();
    const problems = await problemsByCase(CASES, async (_name, testCase) => {
      const project = writePipelineProject({ network: {}, app: { reads: ["network"] } });
      testCase.setup?.(path.join(project, "cdktf.out"), project);
      const before = listFiles(project);
      const args = testCase.args.includes("--terraform") ? testCase.args : withOption(testCase.args, ["--terraform", terraform]);
      const result = await runNode(sourceArgs("bin/pipeline.ts", ...args), { cwd: project, env: { HOME: project }, timeoutMs: 30_000 });
      const found = refusalProblems(result, { status: 2, prefix: "pipeline: ", says: testCase.says }, [SECRET]);
      if (JSON.stringify(listFiles(project)) !== JSON.stringify(before)) found.push(`wrote into the project: ${listFiles(project).filter((file) => !before.includes(file)).join(", ")}`);
      return found;
    });
    expect(problems).toEqual({});
  });

  it("reports a stack whose folder breaks while the pipeline runs as that stack's failure, in the summary", async () => {
    const project = writePipelineProject({ network: {}, app: { reads: ["network"] }, other: {} });
    // `other` runs first (depth 0, then by id: network, other), and replaces app's folder with a file.
    const terraform = fakeTerraform('[ "$1" = init ] && [ -d ../app ] && rm -rf ../app && touch ../app; exit 0');
    const result = await runNode(sourceArgs("bin/pipeline.ts", "plan", "--json", "--terraform", terraform), { cwd: project, env: { HOME: project } });
    expect(result.hung).toBe(false);
    expect(result.status).toBe(1);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stderr).not.toContain("internal error");
    expect(result.stderr).toMatch(/^\s+3\/3\s+app\s+failed at init \(cannot start terraform: its working directory cdktf\.out\/stacks\/app is missing or not a folder \(ENOTDIR\)\)/m);
    const summary = JSON.parse(result.stdout);
    expect(summary.stacks.map((stack: { id: string; result: string }) => [stack.id, stack.result])).toEqual([
      ["network", "succeeded"],
      ["other", "succeeded"],
      ["app", "failed"],
    ]);
    expect(summary.stacks[2]).toMatchObject({ failedStep: "init", error: expect.stringContaining("cdktf.out/stacks/app is missing or not a folder") });
  });
});

/** `args` with `option` added before any "--" (what follows it goes to terraform plan). */
function withOption(args: readonly string[], option: readonly string[]): string[] {
  const index = args.indexOf("--");
  return index === -1 ? [...args, ...option] : [...args.slice(0, index), ...option, ...args.slice(index)];
}
