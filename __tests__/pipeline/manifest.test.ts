import * as fs from "fs";
import * as path from "path";
import { PipelineInputError } from "../../pipeline/errors";
import { parseManifest, readManifest } from "../../pipeline/manifest";
import { config, scratchDir, synthApp } from "../support/synth";

const stack = (dependencies: string[], workingDirectory = "stacks/x") => ({ dependencies, workingDirectory });

function problem(read: () => unknown): string {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(PipelineInputError);
    return (error as Error).message;
  }
  throw new Error("no error");
}

describe("manifest.json", () => {
  it("reads what cdktf writes for this app: stacks, dependencies, working directories", () => {
    const app = synthApp(config());
    const manifest = readManifest(app.outdir);
    expect([...manifest.stacks.keys()]).toEqual([...app.stackIds].sort());
    expect(manifest.stacks.get("gitpod-release")).toEqual({
      id: "gitpod-release",
      dependencies: ["gitpod-cluster-prerequisites", "gitpod-in-cluster-services", "gitpod-installation-secrets"],
      workingDirectory: "stacks/gitpod-release",
    });
  });

  it("says to synthesize first when there is none", () => {
    const dir = scratchDir("manifest-");
    expect(problem(() => readManifest(path.join(dir, "cdktf.out"), "cdktf.out/manifest.json"))).toBe(
      "cdktf.out/manifest.json does not exist: synthesize first (npm run synth, or cdktf synth), or pass --outdir <the folder holding manifest.json>",
    );
  });

  it("rejects a file that is not JSON", () => {
    const dir = scratchDir("manifest-");
    fs.writeFileSync(path.join(dir, "manifest.json"), "{ stacks");
    expect(problem(() => readManifest(dir, "out/manifest.json"))).toMatch(/^out\/manifest\.json is not valid JSON \(.+\): synthesize again \(npm run synth, or cdktf synth\)$/);
  });

  it.each([
    [{}, "m.json is not a cdktf manifest: stacks: is missing"],
    [{ stacks: { a: { dependencies: "b", workingDirectory: "stacks/a" } } }, 'm.json is not a cdktf manifest: stacks.a.dependencies: expected array, got "b"'],
    [{ stacks: { a: { dependencies: [], workingDirectory: "" }, b: [] } }, "m.json is not a cdktf manifest: stacks.a.workingDirectory: must not be empty; stacks.b.dependencies: is missing; stacks.b.workingDirectory: is missing"],
    ["stacks", 'm.json is not a cdktf manifest: (top level): expected object, got "stacks"'],
    [{ stacks: {} }, "m.json: stacks: the manifest has no stacks"],
    [{ stacks: { a: stack(["b"]) } }, 'm.json: stacks.a.dependencies: "b" is not a stack of this manifest'],
    [{ stacks: { a: stack(["a"]) } }, "m.json: stacks.a.dependencies: a stack cannot depend on itself"],
    [{ stacks: { a: stack(["b"]), b: stack(["a"]) } }, "m.json: dependencies form a cycle: a -> b -> a"],
    [{ stacks: { a: stack([], "/abs/stacks/a") } }, 'm.json: stacks.a.workingDirectory: "/abs/stacks/a" must be a path inside the output folder, not an absolute path'],
    [{ stacks: { a: stack([], "../elsewhere") } }, 'm.json: stacks.a.workingDirectory: "../elsewhere" must be a path inside the output folder'],
    [{ stacks: { "-rf": stack([]) } }, 'm.json: stack id "-rf" is not a plain name (letters, digits, ".", "_" and "-", at most 200, starting with a letter or digit)'],
  ])("rejects %j", (json, message) => {
    expect(problem(() => parseManifest(json, "m.json"))).toBe(message);
  });
});
