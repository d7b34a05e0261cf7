/**
 * An error the pipeline's checks did not foresee, before anything runs, ends it in one line naming
 * what it was doing, with exit 2 (nothing ran), never a stack trace or "internal error" alone.
 */
import { pipelineCommand } from "../../bin/pipeline";
import { scratchDir } from "../support/synth";

jest.mock("../../pipeline/manifest", () => ({
  ...jest.requireActual("../../pipeline/manifest"),
  readManifest: () => {
    throw new TypeError("Cannot read properties of undefined (reading 'stacks')\n    at readManifest (manifest.ts:1:1)");
  },
}));

describe("npm run pipeline on an unexpected error", () => {
  it("names the step that failed in one line and exits 2", async () => {
    const dir = scratchDir("pipeline-unexpected-");
    let stdout = "";
    let stderr = "";
    const code = await pipelineCommand(["plan"], {
      env: { HOME: dir },
      cwd: dir,
      stdout: { write: (chunk) => (stdout += String(chunk)) },
      stderr: { write: (chunk) => (stderr += String(chunk)) },
    });
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toBe(
      "pipeline: reading cdktf.out/manifest.json failed unexpectedly: Cannot read properties of undefined (reading 'stacks') at readManifest (manifest.ts:1:1); nothing was run\n",
    );
  });
});
