/**
 * The app as users run it: `node scripts/run-sources.js main.ts` (npm run synth, and the app
 * command cdktf runs) and `cdktf synth`, as processes.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { REQUIRE_SOURCES, ROOT, sourceArgs } from "./support/run-sources";
import { readTree, scratchDir } from "./support/synth";


function synth(cwd: string, env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, sourceArgs("main.ts"), {
    cwd,
    encoding: "utf8",
    env: { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR, ...env },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function projectDir(configYaml?: string): string {
  const dir = scratchDir("cli-");
  if (configYaml !== undefined) fs.writeFileSync(path.join(dir, "gitpod-cdktf.yaml"), configYaml);
  return dir;
}

const stackFolders = (dir: string) => fs.readdirSync(path.join(dir, "cdktf.out", "stacks")).sort();

describe("npm run synth (node scripts/run-sources.js main.ts)", () => {
  it("synthesizes the built-in defaults and says so", () => {
    const dir = projectDir();
    const result = synth(dir);
    expect(result.status).toBe(0);
    // stdout: the notice is no error, and the cdktf CLI shows an app's stderr as [ERROR] lines.
    expect(result.stdout).toContain("using the built-in defaults, an all-in-cluster installation for gitpod.example.com");
    expect(result.stderr).toBe("");
    expect(result.stdout).toContain("synthesized gitpod-installation-secrets, gitpod-cluster-prerequisites, gitpod-in-cluster-services, gitpod-release");
    expect(stackFolders(dir)).toEqual(["gitpod-cluster-prerequisites", "gitpod-in-cluster-services", "gitpod-installation-secrets", "gitpod-release"]);
  });

  describe("with an invalid config", () => {
    const dir = projectDir("domain: gitpod.acme.dev\n");
    expect(synth(dir).status).toBe(0);
    const before = readTree(path.join(dir, "cdktf.out"));
    fs.writeFileSync(path.join(dir, "gitpod-cdktf.yaml"), "domain: https://gitpod.acme.dev\ndatabase:\n  type: postgres\n");
    const result = synth(dir);

    it("exits 2 (bad input) with one line per problem", () => {
      expect(result.status).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr).toMatch(/^gitpod-cdktf: invalid configuration \(\.\/gitpod-cdktf\.yaml\): 2 problems\n/);
      expect(result.stderr).toContain("  - domain: must be a fully-qualified lower-case domain name");
      expect(result.stderr).toContain('  - database.type: "postgres" is not a valid database type; accepted values: "in-cluster", "external", "rds"');
    });

    it("prints no stack trace", () => {
      expect(result.stderr).not.toMatch(/^\s+at /m);
      expect(result.stderr).not.toContain("Error:");
    });

    it("leaves the previous cdktf.out exactly as it was", () => {
      expect(readTree(path.join(dir, "cdktf.out"))).toEqual(before);
    });
  });

  it("fails when GITPOD_CDKTF_CONFIG names a missing file", () => {
    const dir = projectDir();
    const result = synth(dir, { GITPOD_CDKTF_CONFIG: "prod.yaml" });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("GITPOD_CDKTF_CONFIG: the file prod.yaml does not exist");
    expect(fs.existsSync(path.join(dir, "cdktf.out"))).toBe(false);
  });

  it("refuses a config path that is a FIFO or a directory at once (no hang), in one line, exit 2", () => {
    for (const make of [(file: string) => spawnSync("mkfifo", [file]), (file: string) => fs.mkdirSync(file)]) {
      const dir = projectDir();
      make(path.join(dir, "gitpod-cdktf.yaml"));
      const started = Date.now();
      const result = synth(dir);
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(/^gitpod-cdktf: invalid configuration \(\.\/gitpod-cdktf\.yaml\): 1 problem\n  - the config file \.\/gitpod-cdktf\.yaml: is (a named pipe \(FIFO\)|a folder), not a file\n/);
      expect(result.stderr).not.toMatch(/^\s+at /m);
      expect(fs.existsSync(path.join(dir, "cdktf.out"))).toBe(false);
    }
  });

  it("synthesizes every backend on a machine without Terraform (a Node-only CI job)", () => {
    const bin = scratchDir("node-only-");
    fs.symlinkSync(process.execPath, path.join(bin, "node"));
    for (const backend of [
      "type: cloud\n  organization: acme",
      "type: s3\n  bucket: acme-state\n  region: eu-west-1",
      "type: local",
    ]) {
      const dir = projectDir(`domain: gitpod.acme.dev\nbackend:\n  ${backend}\n`);
      const result = spawnSync(path.join(bin, "node"), sourceArgs("main.ts"), { cwd: dir, encoding: "utf8", env: { PATH: bin, HOME: process.env.HOME } });
      expect(result.stderr).toBe("");
      expect(result.status).toBe(0);
    }
  });

  it("removes the folders of stacks that the new config no longer has", () => {
    const dir = projectDir("domain: gitpod.acme.dev\nname: old\n");
    synth(dir);
    fs.writeFileSync(path.join(dir, "gitpod-cdktf.yaml"), "domain: gitpod.acme.dev\nname: new\n");
    expect(synth(dir).status).toBe(0);
    expect(stackFolders(dir)).toEqual(["new-cluster-prerequisites", "new-in-cluster-services", "new-installation-secrets", "new-release"]);
  });
});

describe("cdktf synth (the CLI runs the app command of cdktf.json)", () => {
  const cdktf = path.join(ROOT, "node_modules", ".bin", "cdktf");
  /** `cdktf synth` in `cwd`, with GITPOD_CDKTF_CONFIG set to `configFile` or unset. */
  const run = (outdir: string, configFile: string | undefined, cwd = ROOT) => {
    // CHECKPOINT_DISABLE: or the CLI calls HashiCorp's checkpoint service, an [ERROR] line offline.
    const env: NodeJS.ProcessEnv = { ...process.env, CHECKPOINT_DISABLE: "1", CI: "1" };
    // The CLI runs `terraform version`, which warns (as [ERROR] lines) about a CLI config of this
    // machine's that does not exist; what is asserted here is the project's output.
    delete env.TF_CLI_CONFIG_FILE;
    delete env.GITPOD_CDKTF_CONFIG;
    if (configFile !== undefined) env.GITPOD_CDKTF_CONFIG = configFile;
    return spawnSync(cdktf, ["synth", "--output", outdir], { cwd, encoding: "utf8", env });
  };
  const plain = (text: string) => text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "");
  const occurrences = (text: string, part: string) => plain(text).split(part).length - 1;

  it("produces the same stacks as the app run directly, and keeps the output on a config error", () => {
    const dir = scratchDir("cdktf-cli-");
    const config = path.join(dir, "config.yaml");
    fs.writeFileSync(config, "domain: gitpod.acme.dev\n");
    const outdir = path.join(dir, "out");
    const ok = run(outdir, config);
    expect(ok.status).toBe(0);
    expect(fs.readdirSync(path.join(outdir, "stacks")).sort()).toEqual([
      "gitpod-cluster-prerequisites",
      "gitpod-in-cluster-services",
      "gitpod-installation-secrets",
      "gitpod-release",
    ]);
    const before = readTree(outdir);

    fs.writeFileSync(config, "domain: gitpod.acme.dev\nregistry:\n  type: quay\n");
    const failed = run(outdir, config);
    expect(failed.status).not.toBe(0);
    expect(failed.stdout + failed.stderr).toContain('registry.type: "quay" is not a valid registry type');
    expect(readTree(outdir)).toEqual(before);
  });

  it("shows the no-config notice as a plain line, and no [ERROR] at all", () => {
    // A checkout of the project with no ./gitpod-cdktf.yaml: the root's entries linked but that one.
    const checkout = scratchDir("cdktf-checkout-");
    for (const entry of fs.readdirSync(ROOT)) {
      if (![".git", "gitpod-cdktf.yaml", "cdktf.out"].includes(entry)) fs.symlinkSync(path.join(ROOT, entry), path.join(checkout, entry));
    }
    const result = run(path.join(checkout, "cdktf.out"), undefined, checkout);
    expect(result.status).toBe(0);
    const lines = plain(result.stdout + result.stderr).split("\n");
    expect(lines.filter((line) => line.includes("using the built-in defaults"))).toEqual([
      "gitpod-cdktf: no config file ($GITPOD_CDKTF_CONFIG unset, no ./gitpod-cdktf.yaml): using the built-in defaults, an all-in-cluster installation for gitpod.example.com",
    ]);
    expect(lines.filter((line) => line.includes("[ERROR]"))).toEqual([]);
    expect(fs.readdirSync(path.join(checkout, "cdktf.out", "stacks"))).toHaveLength(4);
  });

  it("fails on an invalid config with the app's report written once; the CLI itself shows it twice", () => {
    const dir = scratchDir("cdktf-cli-invalid-");
    const config = path.join(dir, "config.yaml");
    fs.writeFileSync(config, "domain: https://gitpod.acme.dev\ndatabase:\n  type: postgres\n");
    const result = run(path.join(dir, "out"), config);
    expect(result.status).not.toBe(0);
    const header = `gitpod-cdktf: invalid configuration (${config}): 2 problems`;
    const problem = '  - database.type: "postgres" is not a valid database type';
    // The app writes its report once, to stderr, and nothing to stdout. The CLI echoes an app's
    // stderr as it arrives (an [ERROR] line on its stdout), then quotes it in its failure report
    // (its stderr). No app can avoid that and still exit non-zero; docs/troubleshooting.md says so.
    expect(occurrences(result.stdout, header)).toBe(1);
    expect(occurrences(result.stdout, problem)).toBe(1);
    expect(plain(result.stdout)).toContain(`[ERROR] default - ${header}`);
    expect(occurrences(result.stderr, header)).toBe(1);
    expect(occurrences(result.stderr, problem)).toBe(1);
    expect(plain(result.stderr)).toContain("Command output on stderr:");
    expect(plain(result.stderr)).not.toContain("Command output on stdout:");
    expect(fs.existsSync(path.join(dir, "out", "manifest.json"))).toBe(false);
  });
});

describe("the commands' entry points (bin/)", () => {
  // A command that throws has a bug: what runMain makes of it, as a process.
  const crash = (env: Record<string, string> = {}) =>
    spawnSync(
      process.execPath,
      [...REQUIRE_SOURCES, "-e", `require(${JSON.stringify(path.join(ROOT, "bin", "command-io.ts"))}).runMain("pipeline", async () => { throw new Error("boom"); })`],
      { encoding: "utf8", env: { PATH: process.env.PATH, ...env } },
    );

  it("report a bug in one line, exit 1, and show no stack trace", () => {
    const result = crash();
    expect(result.status).toBe(1);
    expect(result.stderr).toBe("pipeline: internal error: boom\n");
  });

  it("show the stack trace when asked with GITPOD_CDKTF_DEBUG=1", () => {
    expect(crash({ GITPOD_CDKTF_DEBUG: "1" }).stderr).toMatch(/^pipeline: internal error: boom\nError: boom\n\s+at /);
  });
});
