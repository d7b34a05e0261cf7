/**
 * The app (main.ts, run from the sources as `npm run synth` and `cdktf synth` run it) asked to
 * synthesize into a folder that cannot be created: CDKTF_OUTDIR (what `cdktf synth --output <dir>`
 * sets) below a regular file, a regular file itself, or holding a file where cdktf writes a folder.
 * One line `gitpod-cdktf: cannot create the output folder <dir>: <reason>`, exit 2, no stack trace,
 * a bounded size, and nothing written: the earlier cdktf.out and the files in the way stay as they
 * were. A folder whose parents do not exist yet is created with them.
 */
import * as fs from "fs";
import * as path from "path";
import { listFiles } from "./support/pipeline-fixtures";
import { problemsByCase, refusalProblems, runNode } from "./support/hostile-input";
import { sourceArgs } from "./support/run-sources";
import { readTree, scratchDir } from "./support/synth";

function synth(cwd: string, outdir: string) {
  return runNode(sourceArgs("main.ts"), { cwd, env: { HOME: cwd, CDKTF_OUTDIR: outdir }, timeoutMs: 50_000 });
}

const CASES: Record<string, { setup: (project: string) => void; outdir: string; says: RegExp }> = {
  "below a regular file": {
    setup: (project) => fs.writeFileSync(path.join(project, "notes.txt"), "keep me"),
    outdir: "notes.txt/cdktf.out",
    says: /^gitpod-cdktf: cannot create the output folder notes\.txt\/cdktf\.out: notes\.txt is a file, not a folder\n$/,
  },
  "a regular file": {
    setup: (project) => fs.writeFileSync(path.join(project, "out.txt"), "keep me"),
    outdir: "out.txt",
    says: /^gitpod-cdktf: cannot create the output folder out\.txt: out\.txt is a file, not a folder\n$/,
  },
  "a folder whose stacks/ is a file": {
    setup: (project) => {
      fs.mkdirSync(path.join(project, "out-stacks"));
      fs.writeFileSync(path.join(project, "out-stacks", "stacks"), "keep me");
    },
    outdir: "out-stacks",
    says: /^gitpod-cdktf: cannot create the output folder out-stacks: out-stacks\/stacks is a file, not a folder\n$/,
  },
  "a folder with a file where a stack's folder goes": {
    setup: (project) => {
      fs.mkdirSync(path.join(project, "out-stack", "stacks"), { recursive: true });
      fs.writeFileSync(path.join(project, "out-stack", "stacks", "gitpod-release"), "keep me");
    },
    outdir: "out-stack",
    says: /^gitpod-cdktf: cannot create the output folder out-stack: out-stack\/stacks\/gitpod-release is a file, not a folder\n$/,
  },
  "a path too long for the system": {
    setup: () => undefined,
    outdir: `${"d".repeat(5000)}/cdktf.out`,
    says: /^gitpod-cdktf: cannot create the output folder "d{200}" \(cut, 5010 characters\): the path is too long\n$/,
  },
};

// main.ts belongs to the config-loading change that turns OutputFolderError into this line.

describe("npm run synth into an output folder that cannot be created", () => {
  it("says so in one line naming the folder and why, with exit 2, writing nothing", async () => {
    const project = scratchDir("synth-outdir-");
    // A config file: without one, the app says on stdout that it uses the defaults.
    fs.writeFileSync(path.join(project, "gitpod-cdktf.yaml"), "domain: gitpod.acme.dev\n");
    const first = await synth(project, "cdktf.out");
    expect(first.status).toBe(0);
    for (const testCase of Object.values(CASES)) testCase.setup(project);
    const files = listFiles(project);
    const earlier = readTree(path.join(project, "cdktf.out"));

    const problems = await problemsByCase(CASES, async (_name, { outdir, says }) =>
      refusalProblems(await synth(project, outdir), { status: 2, prefix: "gitpod-cdktf: ", says }),
    );
    expect(problems).toEqual({});
    expect(listFiles(project)).toEqual(files);
    expect(readTree(path.join(project, "cdktf.out"))).toEqual(earlier);
    for (const file of ["notes.txt", "out.txt", "out-stacks/stacks", "out-stack/stacks/gitpod-release"]) {
      expect(fs.readFileSync(path.join(project, file), "utf8")).toBe("keep me");
    }
  });

  it("creates an output folder whose parents do not exist yet", async () => {
    const project = scratchDir("synth-outdir-");
    const result = await synth(project, "build/gitpod/cdktf.out");
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("into build/gitpod/cdktf.out");
    expect(fs.existsSync(path.join(project, "build", "gitpod", "cdktf.out", "manifest.json"))).toBe(true);
  });
});
