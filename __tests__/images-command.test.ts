/**
 * bin/images-command.ts in-process: the config without its mirror (where the mirror's copies come
 * from), the commands that list Gitpod's own images, and the command's reports with a fake
 * process. images-command.integration.test.ts runs the real entry point.
 */
import * as fs from "fs";
import * as path from "path";
import { imagesCommand, withoutMirror } from "../bin/images-command";
import type { CommandIo } from "../bin/command-io";
import { config, scratchDir } from "./support/synth";

function run(args: string[], files: Record<string, string> = {}) {
  const cwd = scratchDir("images-command-");
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(cwd, name), content);
  let stdout = "";
  let stderr = "";
  const io: CommandIo = { env: {}, cwd, stdout: { write: (chunk) => (stdout += String(chunk)) }, stderr: { write: (chunk) => (stderr += String(chunk)) } };
  return imagesCommand(args, io).then((status) => ({ status, stdout, stderr, cwd }));
}

describe("withoutMirror", () => {
  it("puts Gitpod's repository and installer image back where the mirror's defaults came from", () => {
    const mirrored = config({ mirror: { registry: "registry.acme.dev/mirror", username: "robot" } });
    expect(mirrored.gitpod.repository).toBe("registry.acme.dev/mirror/gitpod-core-dev/build");
    const plain = withoutMirror(mirrored);
    expect(plain.mirror).toBeUndefined();
    expect(plain.gitpod.repository).toBe("eu.gcr.io/gitpod-core-dev/build");
    expect(plain.gitpod.installerImage).toBe("eu.gcr.io/gitpod-core-dev/build/installer:release-2022.11.3");
    // The rest of the config is the same.
    expect({ ...plain, gitpod: undefined }).toEqual({ ...mirrored, mirror: undefined, gitpod: undefined });
  });

  it("keeps what the user set, and is the same config without a mirror", () => {
    const mirrored = config({ mirror: { registry: "registry.acme.dev/mirror" }, gitpod: { repository: "registry.acme.dev/gitpod", installerImage: "registry.acme.dev/i:1" } });
    expect(withoutMirror(mirrored).gitpod).toMatchObject({ repository: "registry.acme.dev/gitpod", installerImage: "registry.acme.dev/i:1" });
    const plain = config();
    expect(withoutMirror(plain)).toBe(plain);
  });
});

describe("gitpod-cdktf images (in-process)", () => {
  it("lists the mirror's references with their public originals, and how to list Gitpod's images with the public installer", async () => {
    const result = await run([], { "gitpod-cdktf.yaml": "domain: gitpod.acme.dev\nmirror:\n  registry: registry.acme.dev/mirror\n" });
    expect(result.status).toBe(0);
    expect(result.stderr).toBe("gitpod-cdktf images: config: ./gitpod-cdktf.yaml\n");
    expect(result.stdout).toMatch(/^  registry\.acme\.dev\/mirror\/library\/mysql:5\.7\.44 +<- docker\.io\/library\/mysql:5\.7\.44 +\(gitpod-in-cluster-services\)$/m);
    expect(result.stdout).toMatch(/^  https:\/\/charts\.jetstack\.io +cert-manager +v1\.16\.5 +\(gitpod-cluster-prerequisites\)$/m);
    expect(result.stdout).toContain("  Gitpod's repository: registry.acme.dev/mirror/gitpod-core-dev/build (copy of eu.gcr.io/gitpod-core-dev/build)\n");
    expect(result.stdout).toContain(
      `    jq -r '.resource.kubernetes_config_map_v1[] | .data["gitpod.config.yaml"] // empty' cdktf.out/stacks/gitpod-release/cdk.tf.json | sed 's/\\\${[^}]*}/gitpod/g' > gitpod.config.yaml\n`,
    );
    expect(result.stdout).toContain(
      '    docker run --rm -v "$PWD:/w" eu.gcr.io/gitpod-core-dev/build/installer:release-2022.11.3 mirror list --config /w/gitpod.config.yaml\n',
    );
    expect(fs.readdirSync(result.cwd)).toEqual(["gitpod-cdktf.yaml"]);
  });

  it("writes a JSON document with the documented fields", async () => {
    const result = await run(["--json"]);
    expect(result.status).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(Object.keys(document)).toEqual(["formatVersion", "config", "stacks", "images", "charts", "providers", "gitpod", "warnings"]);
    expect(document.formatVersion).toBe(1);
    expect(document.config).toBe("built-in defaults");
    expect(Object.keys(document.gitpod[0]).sort()).toEqual(["commands", "configMap", "installerImages", "note", "repository", "stack", "workingDirectory"]);
    expect(document.gitpod[0].commands[0]).toBe("npm run synth");
  });

  it("refuses a bad config with exit 2, one line per problem, and lists nothing", async () => {
    const result = await run([], { "gitpod-cdktf.yaml": "domain: gitpod.acme.dev\nmirror:\n  registry: https://registry.acme.dev\n" });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr.split("\n")).toEqual([
      "gitpod-cdktf images: invalid configuration (./gitpod-cdktf.yaml): 1 problem",
      expect.stringMatching(/^ {2}- mirror\.registry: must be a registry host/),
      "Nothing was listed; fix the fields above and run again.",
      "",
    ]);
  });

  it.each([
    [["--verbose"], 'gitpod-cdktf images: unknown option --verbose: the options are --json and --help; run "gitpod-cdktf images --help" (npm run images -- --help) for the options\n'],
    [["prod"], 'gitpod-cdktf images: unexpected argument prod: images takes no arguments, only options; run "gitpod-cdktf images --help" (npm run images -- --help) for the options\n'],
    [["--json=yes"], 'gitpod-cdktf images: --json takes no value; run "gitpod-cdktf images --help" (npm run images -- --help) for the options\n'],
  ])("refuses %j with exit 2 in one line", async (args, stderr) => {
    const result = await run(args);
    expect(result).toMatchObject({ status: 2, stdout: "", stderr });
  });

  it("names the stage of an unexpected failure in one line, without a stack trace", async () => {
    const cwd = scratchDir("images-unreadable-");
    let stderr = "";
    const io: CommandIo = {
      env: {},
      cwd,
      stdout: {
        write: () => {
          throw new Error("stdout closed\n    at somewhere (file.ts:1:1)");
        },
      },
      stderr: { write: (chunk) => (stderr += String(chunk)) },
    };
    expect(await imagesCommand([], io)).toBe(1);
    expect(stderr).toMatch(/^gitpod-cdktf images: no config file.*\ngitpod-cdktf images: writing the list failed unexpectedly: stdout closed at somewhere \(file\.ts:1:1\)\n$/);
  });
});
