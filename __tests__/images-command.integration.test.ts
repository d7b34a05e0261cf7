/**
 * `gitpod-cdktf images` as users run it: bin/gitpod-cdktf.ts from the sources, in a process of its
 * own, in a project folder with a config (or none), with an environment the test controls.
 */
import * as fs from "fs";
import * as path from "path";
import { runCli, type CliResult } from "./support/preflight-cli";
import { scratchDir } from "./support/synth";

const CERT_MANAGER = ["acmesolver", "cainjector", "controller", "startupapicheck", "webhook"].map((component) => `quay.io/jetstack/cert-manager-${component}:v1.16.5`);
const INSTALLER = "eu.gcr.io/gitpod-core-dev/build/installer:release-2022.11.3";
const MYSQL = "docker.io/library/mysql:5.7.44";
const MINIO = "quay.io/minio/minio:RELEASE.2025-04-22T22-12-26Z";

/** Runs `gitpod-cdktf images <args>` in a fresh project folder holding `config` (if given), with a TMPDIR of its own. */
async function images(args: string[], configYaml?: string): Promise<CliResult & { project: string; tmp: string }> {
  const project = scratchDir("images-cli-");
  const tmp = scratchDir("images-cli-tmp-");
  if (configYaml !== undefined) fs.writeFileSync(path.join(project, "gitpod-cdktf.yaml"), configYaml);
  const result = await runCli(["images", ...args], { cwd: project, env: { TMPDIR: tmp } });
  return { ...result, project, tmp };
}

/** The lines of one section of the text report (between its heading and the next blank line). */
function section(stdout: string, heading: string): string[] {
  const lines = stdout.split("\n");
  const start = lines.findIndex((line) => line.startsWith(heading));
  if (start < 0) throw new Error(`no section "${heading}" in:\n${stdout}`);
  const end = lines.indexOf("", start);
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

/** The first column of a section: the image references, charts' repositories, providers' sources. */
const firstColumn = (lines: string[]) => lines.map((line) => line.trim().split(/\s+/)[0]);

const noStackTrace = (result: CliResult) => {
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stderr).not.toContain("Error:");
};

describe("gitpod-cdktf images", () => {
  describe("the built-in defaults (no config file)", () => {
    let result: Awaited<ReturnType<typeof images>>;
    beforeAll(async () => {
      result = await images([]);
    });

    it("exits 0, saying on stderr which config it listed", () => {
      expect(result.status).toBe(0);
      expect(result.stderr).toBe("gitpod-cdktf images: no config file ($GITPOD_CDKTF_CONFIG unset, no ./gitpod-cdktf.yaml): listing the built-in defaults\n");
    });

    it("lists cert-manager's five images at v1.16.5, MySQL, MinIO and the installer, sorted", () => {
      expect(firstColumn(section(result.stdout, "Container images (8)"))).toEqual([...CERT_MANAGER, MYSQL, MINIO, INSTALLER].sort());
    });

    it("lists the jetstack chart and every provider with its version", () => {
      expect(section(result.stdout, "Helm charts from repositories (1)")).toEqual([expect.stringMatching(/^ {2}https:\/\/charts\.jetstack\.io +cert-manager +v1\.16\.5 +\(gitpod-cluster-prerequisites\)$/)]);
      expect(section(result.stdout, "Terraform providers (3)").map((line) => line.trim().split(/\s+/).slice(0, 2).join(" "))).toEqual([
        "registry.terraform.io/hashicorp/helm 3.1.1",
        "registry.terraform.io/hashicorp/kubernetes 2.38.0",
        "registry.terraform.io/hashicorp/random 3.7.2",
      ]);
    });

    it("says how to list Gitpod's own images: the installer config's source and `installer mirror list`", () => {
      expect(result.stdout).toContain("installer config: key gitpod.config.yaml of ConfigMap gitpod-installer (kubernetes_config_map_v1.");
      expect(result.stdout).toContain(`docker run --rm -v "$PWD:/w" ${INSTALLER} mirror list --config /w/gitpod.config.yaml`);
    });

    it("writes nothing into the project, and leaves nothing in the temporary folder", () => {
      expect(fs.readdirSync(result.project)).toEqual([]);
      expect(fs.readdirSync(result.tmp)).toEqual([]);
    });
  });

  it("with a mirror, lists only the mirror's references, each with the public image it copies", async () => {
    const result = await images([], "domain: gitpod.acme.dev\nmirror:\n  registry: registry.acme.dev/mirror\n  username: robot\n  chartRepository: https://charts.acme.dev/mirror\n");
    expect(result.status).toBe(0);
    const lines = section(result.stdout, "Container images (8)");
    expect(firstColumn(lines).filter((reference) => !reference.startsWith("registry.acme.dev/mirror/"))).toEqual([]);
    expect(lines.map((line) => line.trim().split(/\s+/).slice(2, 3)[0])).toEqual(
      [...CERT_MANAGER, MYSQL, MINIO, INSTALLER].sort((a, b) => {
        const mirrored = (reference: string) => `registry.acme.dev/mirror/${reference.split("/").slice(1).join("/")}`;
        return mirrored(a) < mirrored(b) ? -1 : 1;
      }),
    );
    expect(firstColumn(section(result.stdout, "Helm charts from repositories (1)"))).toEqual(["https://charts.acme.dev/mirror"]);
    expect(result.stdout).toContain("Gitpod's repository: registry.acme.dev/mirror/gitpod-core-dev/build (copy of eu.gcr.io/gitpod-core-dev/build)");
    // The connected machine runs the public installer: the mirror has no copy yet.
    expect(result.stdout).toContain(`docker run --rm -v "$PWD:/w" ${INSTALLER} mirror list`);
    expect(fs.readdirSync(result.project)).toEqual(["gitpod-cdktf.yaml"]);
    expect(fs.readdirSync(result.tmp)).toEqual([]);
  });

  it("with per-image overrides, lists the overrides", async () => {
    const digest = `sha256:${"a".repeat(64)}`;
    const result = await images(
      [],
      [
        "domain: gitpod.acme.dev",
        "gitpod:",
        `  installerImage: pinned.acme.dev/installer:release-2022.11.3@${digest}`,
        "database:",
        "  type: in-cluster",
        "  image: pinned.acme.dev/mysql:5.7.44",
        "storage:",
        "  type: in-cluster",
        "  image: pinned.acme.dev/minio:2025",
        "tls:",
        "  type: self-signed",
        "  certManager:",
        "    images:",
        `      webhook: pinned.acme.dev/cert-manager-webhook@${digest}`,
        "",
      ].join("\n"),
    );
    expect(result.status).toBe(0);
    expect(firstColumn(section(result.stdout, "Container images (8)"))).toEqual(
      [
        ...CERT_MANAGER.filter((image) => !image.includes("webhook")),
        `pinned.acme.dev/cert-manager-webhook@${digest}`,
        "pinned.acme.dev/mysql:5.7.44",
        "pinned.acme.dev/minio:2025",
        `pinned.acme.dev/installer:release-2022.11.3@${digest}`,
      ].sort(),
    );
  });

  it("--json prints one document that parses, with the stable fields", async () => {
    const result = await images(["--json"], "domain: gitpod.acme.dev\nmirror:\n  registry: registry.acme.dev/mirror\n");
    expect(result.status).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(document).toMatchObject({ formatVersion: 1, config: "./gitpod-cdktf.yaml", warnings: [] });
    expect(document.stacks).toEqual(["gitpod-cluster-prerequisites", "gitpod-in-cluster-services", "gitpod-installation-secrets", "gitpod-release"]);
    const mysql = document.images.find((image: { reference: string }) => image.reference === "registry.acme.dev/mirror/library/mysql:5.7.44");
    expect(mysql).toEqual({
      reference: "registry.acme.dev/mirror/library/mysql:5.7.44",
      copyOf: MYSQL,
      locations: [
        {
          stack: "gitpod-in-cluster-services",
          resource: expect.stringMatching(/^helm_release\.mysql_/),
          file: "templates/00-deployment-gitpod-mysql.yaml",
          field: "spec.template.spec.containers[0].image",
        },
      ],
    });
    expect(document.charts).toEqual([
      {
        repository: "https://charts.jetstack.io",
        chart: "cert-manager",
        version: "v1.16.5",
        images: expect.arrayContaining(["registry.acme.dev/mirror/jetstack/cert-manager-controller:v1.16.5"]),
        locations: [{ stack: "gitpod-cluster-prerequisites", resource: expect.stringMatching(/^helm_release\.cert-manager_/) }],
      },
    ]);
    expect(document.providers).toContainEqual({ source: "registry.terraform.io/hashicorp/random", version: "3.7.2", stacks: expect.arrayContaining(["gitpod-release"]) });
    expect(document.gitpod[0]).toMatchObject({
      stack: "gitpod-release",
      configMap: { name: "gitpod-installer", key: "gitpod.config.yaml" },
      repository: "registry.acme.dev/mirror/gitpod-core-dev/build",
      repositoryCopyOf: "eu.gcr.io/gitpod-core-dev/build",
      installerImages: ["registry.acme.dev/mirror/gitpod-core-dev/build/installer:release-2022.11.3"],
    });
  });

  it("exits 2 on a bad config, naming the field in one line, without a stack trace, listing nothing", async () => {
    const result = await images([], "domain: gitpod.acme.dev\nmirror:\n  registry: registry.acme.dev/mirror\n  password: hunter2\n");
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    const lines = result.stderr.trimEnd().split("\n");
    expect(lines[0]).toBe("gitpod-cdktf images: invalid configuration (./gitpod-cdktf.yaml): 1 problem");
    expect(lines[1]).toMatch(/^ {2}- mirror\.password: /);
    expect(lines.slice(2)).toEqual(["Nothing was listed; fix the fields above and run again."]);
    expect(result.stderr).not.toContain("hunter2");
    noStackTrace(result);
  });

  it("exits 2 on an unknown option in one line, and prints its help on --help", async () => {
    const bad = await images(["--all"]);
    expect(bad).toMatchObject({ status: 2, stdout: "", stderr: 'gitpod-cdktf images: unknown option --all: the options are --json and --help; run "gitpod-cdktf images --help" (npm run images -- --help) for the options\n' });
    const help = await images(["--help"]);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: gitpod-cdktf images \[--json\]\n/);
    expect(help.stdout).toContain("exit codes: 0 listed, 1 an unexpected failure, 2 bad arguments or config");
  });

  it("is listed by gitpod-cdktf --help and in the unknown-command message", async () => {
    const dir = scratchDir("images-cli-");
    const help = await runCli(["--help"], { cwd: dir });
    expect(help.stdout).toMatch(/^ {2}images {6}list the container images/m);
    const unknown = await runCli(["mirror"], { cwd: dir });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toBe('gitpod-cdktf: unknown command "mirror": expected preflight, pipeline or images; run "gitpod-cdktf --help" for usage\n');
  });
});
