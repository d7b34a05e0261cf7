/** ecr-refresh.sh, run with /bin/sh against fake `aws` and `kubectl`. */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ECR_REFRESH_SCRIPT_PATH } from "../modules/ecr-credentials/ecr-credential-refresher";
import { scratchDir } from "./support/synth";

const TOKEN = "eyJwYXlsb2FkIjoiZmFrZS1lY3ItdG9rZW4ifQ==";

function run(action: string, env: Record<string, string> = {}, options: { awsFails?: boolean; kubectlFails?: boolean } = {}) {
  const dir = scratchDir("ecr-refresh-");
  const bin = path.join(dir, "bin");
  fs.mkdirSync(bin);
  fs.mkdirSync(path.join(dir, "token"));
  const log = path.join(dir, "calls.log");
  fs.writeFileSync(
    path.join(bin, "aws"),
    `#!/bin/sh\necho "aws $*" >> "${log}"\n${options.awsFails ? 'echo "An error occurred (AccessDeniedException)" >&2; exit 255' : `printf '%s' '${TOKEN}'`}\n`,
    { mode: 0o755 },
  );
  fs.writeFileSync(
    path.join(bin, "kubectl"),
    `#!/bin/sh\necho "kubectl $*" >> "${log}"\nfor a; do prev=$cur; cur=$a; [ "$prev" = --patch-file ] && cp "$a" "${dir}/patch.json"; done\n${options.kubectlFails ? "exit 1" : "exit 0"}\n`,
    { mode: 0o755 },
  );
  const result = spawnSync("/bin/sh", [ECR_REFRESH_SCRIPT_PATH, action], {
    encoding: "utf8",
    env: {
      PATH: `${bin}:/usr/bin:/bin`,
      TOKEN_FILE: path.join(dir, "token", "password"),
      AWS_REGION: "eu-west-1",
      REGISTRY_SERVER: "123456789012.dkr.ecr.eu-west-1.amazonaws.com",
      SECRET_NAME: "gitpod-ecr-auth",
      NAMESPACE: "gitpod",
      ...env,
    },
  });
  const read = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined);
  return {
    status: result.status,
    output: result.stdout + result.stderr,
    calls: (read(log) ?? "").trim().split("\n").filter(Boolean).map((l) => l.split(dir).join("<dir>")),
    token: read(path.join(dir, "token", "password")),
    patch: read(path.join(dir, "patch.json")),
    tokenDir: fs.readdirSync(path.join(dir, "token")),
    dir,
  };
}

describe("ecr-refresh.sh", () => {
  it("login: fetches a token for the region into the shared file", () => {
    const result = run("login");
    expect(result.status).toBe(0);
    expect(result.calls).toEqual(["aws ecr get-login-password --region eu-west-1"]);
    expect(result.token).toBe(TOKEN);
  });

  it("login: fails with a hint when AWS refuses", () => {
    const result = run("login", {}, { awsFails: true });
    expect(result.status).toBe(1);
    expect(result.output).toContain("is the service account's IAM role allowed ecr:GetAuthorizationToken?");
  });

  it("store: patches the secret with a .dockerconfigjson for the registry, from a file", () => {
    const dir = scratchDir("ecr-token-");
    fs.writeFileSync(path.join(dir, "password"), TOKEN);
    const result = run("store", { TOKEN_FILE: path.join(dir, "password") });
    expect(result.status).toBe(0);
    expect(result.calls).toEqual([expect.stringMatching(/^kubectl patch secret gitpod-ecr-auth --namespace gitpod --type merge --patch-file \S+\/patch.json$/)]);
    // Reference, "Secret formats": {"auths":{"<host>":{"username","password","auth":base64("user:pass")}}}.
    const patch = JSON.parse(result.patch!);
    const dockerConfig = JSON.parse(Buffer.from(patch.data[".dockerconfigjson"], "base64").toString());
    expect(dockerConfig).toEqual({
      auths: {
        "123456789012.dkr.ecr.eu-west-1.amazonaws.com": {
          username: "AWS",
          password: TOKEN,
          auth: Buffer.from(`AWS:${TOKEN}`).toString("base64"),
        },
      },
    });
    // The patch file (which holds the token) is removed after use.
    expect(fs.readdirSync(dir)).toEqual(["password"]);
  });

  it("never prints the token", () => {
    const login = run("login");
    expect(login.output).not.toContain(TOKEN);
    const dir = scratchDir("ecr-token-");
    fs.writeFileSync(path.join(dir, "password"), TOKEN);
    expect(run("store", { TOKEN_FILE: path.join(dir, "password") }).output).not.toContain(TOKEN);
  });

  it("store: refuses to run without a token, and reports a refused patch", () => {
    const missing = run("store");
    expect(missing.status).toBe(1);
    expect(missing.output).toContain("the login step did not run or failed");
    expect(missing.calls).toEqual([]);

    const dir = scratchDir("ecr-token-");
    fs.writeFileSync(path.join(dir, "password"), TOKEN);
    const refused = run("store", { TOKEN_FILE: path.join(dir, "password") }, { kubectlFails: true });
    expect(refused.status).toBe(1);
    expect(refused.output).toContain("could not update secret gitpod-ecr-auth in gitpod");
  });

  it("requires its settings and an action", () => {
    expect(run("store", { SECRET_NAME: "" }).status).not.toBe(0);
    expect(run("nonsense").status).toBe(2);
  });
});
