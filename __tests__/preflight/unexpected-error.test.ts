/**
 * An error no check foresaw (a bug, a client library throwing where it never did) ends the
 * preflight in one line naming the stage it happened in, redacted of secrets, never a stack trace.
 */
import { preflightCommand } from "../../bin/preflight-command";
import { scratchDir } from "../support/synth";

const SECRET = "Secret-db-pass-99";

jest.mock("../../preflight/run", () => ({
  runPreflight: async () => {
    throw new Error(`socket hang up\n    while talking to db with password ${SECRET}`);
  },
}));

describe("gitpod-cdktf preflight on an unexpected error", () => {
  it("names the stage that failed in one line, without the secret or a trace, and exits 1", async () => {
    const dir = scratchDir("preflight-unexpected-");
    let stdout = "";
    let stderr = "";
    const code = await preflightCommand([], {
      env: { HOME: dir, TF_VAR_database_password: SECRET },
      cwd: dir,
      stdout: { write: (chunk) => (stdout += String(chunk)) },
      stderr: { write: (chunk) => (stderr += String(chunk)) },
    });
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr.split("\n").filter((line) => line.startsWith("gitpod-cdktf preflight:"))).toEqual([
      "gitpod-cdktf preflight: running the checks failed unexpectedly: socket hang up while talking to db with password [redacted]",
    ]);
    expect(stderr).not.toContain(SECRET);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
