/**
 * `gitpod-cdktf preflight` end to end, as users run it: a config with every dependency external,
 * secrets in TF_VAR_ variables, against real MariaDB, Swift (S3), distribution registry, an HTTPS
 * SCM host and a recorded Kubernetes API. Exit codes, table, --json, progress, and no secret in
 * any output.
 */
import * as fs from "fs";
import * as path from "path";
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { s3Client } from "../../preflight/object-storage";
import type { JsonReport } from "../../preflight/report";
import { makeCertificates, type TestCertificates } from "../support/servers/certificates";
import { REGISTRY_TOOLS, startRegistry, type RegistryServer } from "../support/servers/docker-registry";
import { sendJson, startHttpsStub, type StubServer } from "../support/servers/https-stub";
import { MARIADB_TOOLS, startMariadb, type MariadbServer } from "../support/servers/mariadb";
import { stopAll } from "../support/servers/processes";
import { startSwift, SWIFT_ACCESS_KEY_ID, SWIFT_SECRET_ACCESS_KEY, SWIFT_TOOLS, type SwiftServer } from "../support/servers/swift";
import { runCli, type CliResult } from "../support/preflight-cli";
import { scratchDir } from "../support/synth";
import { describeWithTools, findTool } from "../support/tools";
import * as recorded from "./fixtures/kubernetes-api";

const SECRETS = {
  TF_VAR_database_password: "Db-pass-31337",
  TF_VAR_storage_secret_access_key: SWIFT_SECRET_ACCESS_KEY,
  TF_VAR_registry_password: "Registry-pass-42",
  TF_VAR_scm_corp_gitlab_client_secret: "Oauth-secret-7",
};
const KUBE_TOKEN = "kube-token-for-tests";
const WRONG = {
  TF_VAR_database_password: "Wrong-db-pass-1",
  TF_VAR_storage_secret_access_key: "Wrong-s3-secret-2",
  TF_VAR_registry_password: "Wrong-registry-pass-3",
  TF_VAR_scm_corp_gitlab_client_secret: "Oauth-secret-4",
};

describe("gitpod-cdktf (arguments)", () => {
  const dir = scratchDir("preflight-args-");
  const cases: Array<[string, string[], number, RegExp]> = [
    ["no command", [], 2, /^gitpod-cdktf: missing command: expected preflight, pipeline or images; run "gitpod-cdktf --help" for usage\n$/],
    ["an unknown command", ["deploy"], 2, /^gitpod-cdktf: unknown command "deploy": expected preflight, pipeline or images; run "gitpod-cdktf --help" for usage\n$/],
    ["an unknown option", ["preflight", "--verbose"], 2, /^gitpod-cdktf preflight: unknown option --verbose: the options are --json and --timeout <seconds>; run "gitpod-cdktf preflight --help" \(npm run preflight -- --help\) for the options\n$/],
    ["a bad --timeout", ["preflight", "--timeout", "0"], 2, /^gitpod-cdktf preflight: --timeout: must be a whole number of seconds from 1 to 9999 \(got "0"\)/],
    ["a positional argument", ["preflight", "prod"], 2, /^gitpod-cdktf preflight: .*prod/],
  ];

  it.each(cases)("exits 2 on %s, in one line without a stack trace", async (_name, args, status, stderr) => {
    const result = await runCli(args, { cwd: dir });
    expect(result.status).toBe(status);
    expect(result.stderr).toMatch(stderr);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(result.stdout).toBe("");
  });

  it("prints help on --help, exit 0", async () => {
    const result = await runCli(["preflight", "--help"], { cwd: dir });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("exit codes: 0 no check failed (warnings allowed), 1 a check failed, 2 bad arguments or config");
  });

  it("exits 2 on an invalid config, naming the field, and checks nothing", async () => {
    const configDir = scratchDir("preflight-bad-config-");
    fs.writeFileSync(path.join(configDir, "gitpod-cdktf.yaml"), "domain: gitpod.acme.dev\ndatabase:\n  type: external\n  host: mysql.acme.dev\n  password: hunter2\n");
    const result = await runCli(["preflight"], { cwd: configDir });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("gitpod-cdktf preflight: invalid configuration (./gitpod-cdktf.yaml)");
    expect(result.stderr).toContain("database.password: secrets are never read from the config file");
    expect(result.stderr).toContain("Nothing was checked; fix the fields above and run again.");
    expect(result.stdout).toBe("");
  });
});

describeWithTools(
  "gitpod-cdktf preflight against real servers",
  [...MARIADB_TOOLS, ...SWIFT_TOOLS, ...REGISTRY_TOOLS, findTool("openssl", ["version"])],
  () => {
    let certificates: TestCertificates;
    let mariadb: MariadbServer;
    let swift: SwiftServer;
    let registry: RegistryServer;
    let scmHost: StubServer;
    let kubernetes: StubServer;
    let projectDir: string;
    const runs: Record<string, CliResult> = {};

    const env = (secrets: Record<string, string>) => ({ ...secrets, NODE_EXTRA_CA_CERTS: certificates.caFile });

    beforeAll(async () => {
      const dir = scratchDir("preflight-cli-");
      certificates = makeCertificates(path.join(dir, "ca"));
      [mariadb, swift, registry, scmHost, kubernetes] = await Promise.all([
        startMariadb({ dir: path.join(dir, "mariadb") }),
        startSwift(path.join(dir, "swift")),
        startRegistry({ dir: path.join(dir, "registry"), tls: certificates, auth: { htpasswd: { robot: SECRETS.TF_VAR_registry_password } } }),
        startHttpsStub(certificates, (_request, response) => sendJson(response, 200, {})),
        startHttpsStub(certificates, (request, response) => {
          if (request.headers.authorization !== `Bearer ${KUBE_TOKEN}`) return sendJson(response, 401, { kind: "Status", code: 401 });
          const url = request.url ?? "";
          if (url === "/version") return sendJson(response, 200, recorded.VERSION);
          if (url === "/api/v1/nodes") return sendJson(response, 200, recorded.NODES);
          if (url === "/apis/storage.k8s.io/v1/storageclasses") return sendJson(response, 200, recorded.STORAGE_CLASSES);
          sendJson(response, 200, recorded.crd(url.split("/").pop() ?? ""));
        }),
      ]);
      await mariadb.admin(
        `CREATE USER 'gitpod'@'%' IDENTIFIED BY '${SECRETS.TF_VAR_database_password}'`,
        "GRANT ALL ON `gitpod`.* TO 'gitpod'@'%'",
        "GRANT ALL ON `gitpod-sessions`.* TO 'gitpod'@'%'",
      );
      const [host, port] = swift.endpoint.split(":");
      const s3 = s3Client({
        endpoint: swift.endpoint,
        bucket: "gitpod",
        region: "us-east-1",
        accessKeyId: SWIFT_ACCESS_KEY_ID,
        secretAccessKey: SWIFT_SECRET_ACCESS_KEY,
        secretAccessKeySource: "",
        insecure: true,
        timeoutMs: 5000,
      });
      await s3.send(new CreateBucketCommand({ Bucket: "gitpod" }));
      s3.destroy();

      projectDir = scratchDir("preflight-project-");
      fs.writeFileSync(
        path.join(projectDir, "kubeconfig"),
        JSON.stringify({
          apiVersion: "v1",
          kind: "Config",
          clusters: [{ name: "c", cluster: { server: `https://${kubernetes.address}`, "certificate-authority-data": Buffer.from(certificates.caPem).toString("base64") } }],
          users: [{ name: "u", user: { token: KUBE_TOKEN } }],
          contexts: [{ name: "ctx", context: { cluster: "c", user: "u" } }],
          "current-context": "ctx",
        }),
      );
      fs.writeFileSync(
        path.join(projectDir, "gitpod-cdktf.yaml"),
        `domain: gitpod.acme.dev
kubernetes:
  configPath: ./kubeconfig
database:
  type: external
  host: 127.0.0.1
  port: ${mariadb.port}
  username: gitpod
storage:
  type: external
  endpoint: ${host}:${port}
  bucket: gitpod
  region: us-east-1
  accessKeyId: "${SWIFT_ACCESS_KEY_ID}"
  allowInsecureConnection: true
registry:
  type: external
  url: ${registry.address}/gitpod
  username: robot
scm:
  providers:
    - id: corp-gitlab
      type: GitLab
      host: ${scmHost.address.replace("127.0.0.1", "localhost")}
      clientId: abc
`,
      );
      const [passing, json, failing] = await Promise.all([
        runCli(["preflight"], { cwd: projectDir, env: env(SECRETS) }),
        runCli(["preflight", "--json"], { cwd: projectDir, env: env(SECRETS) }),
        runCli(["preflight"], { cwd: projectDir, env: env(WRONG) }),
      ]);
      Object.assign(runs, { passing, json, failing });
    });

    afterAll(() => stopAll([mariadb, swift, registry, scmHost && { stop: () => scmHost.close() }, kubernetes && { stop: () => kubernetes.close() }]));

    it("passes (exit 0) when every dependency is right, with one table line per check", () => {
      const { status, stdout } = runs.passing;
      expect({ status, stdout }).toMatchObject({ status: 0 });
      const lines = stdout.split("\n");
      expect(lines[0]).toMatch(/^STATUS +DEPENDENCY +CHECK +DETAIL$/);
      const rows = lines.filter((line) => /^(PASS|WARN|FAIL|SKIP) /.test(line)).map((line) => line.split(/ {2,}/).slice(0, 3).join(" | "));
      expect(rows).toEqual([
        "PASS | database | reachable",
        "PASS | database | credentials",
        "WARN | database | server version",
        "PASS | database | explicit_defaults_for_timestamp",
        "PASS | database | create database",
        "PASS | object storage | credentials",
        "PASS | object storage | bucket",
        "PASS | object storage | write",
        "PASS | object storage | read",
        "PASS | object storage | delete",
        "PASS | registry | API V2",
        "PASS | registry | credentials",
        "PASS | registry | push",
        "PASS | registry | delete",
        "PASS | scm corp-gitlab | client secret",
        "PASS | scm corp-gitlab | HTTPS",
        "PASS | scm corp-gitlab | callback URL",
        "PASS | cluster | kubeconfig",
        "PASS | cluster | API server",
        "PASS | cluster | Kubernetes version",
        "PASS | cluster | container runtime",
        "PASS | cluster | kernel",
        "PASS | cluster | node labels",
        "PASS | cluster | StorageClass",
        "PASS | cluster | cert-manager",
        // The default installer image, referenced by tag only.
        "WARN | gitpod | installer image",
        "PASS | gitpod | sign-ups",
      ]);
      expect(stdout).toContain("preflight passed: 0 failed, 2 warnings, 25 passed, 0 skipped");
    });

    it("shows its progress step by step on stderr, dependency after dependency", () => {
      const progress = runs.passing.stderr.split("\n").filter((line) => line.startsWith("preflight: "));
      expect(progress[0]).toBe("preflight: config: ./gitpod-cdktf.yaml");
      const order = progress.slice(1).map((line) => line.replace(/^preflight: /, "").split(":")[0]);
      expect([...new Set(order)]).toEqual(["database", "object storage", "registry", "scm corp-gitlab", "cluster"]);
      expect(progress).toContain("preflight: registry: pushing a probe blob");
    });

    it("prints the same results as JSON with --json, and only JSON on stdout", () => {
      expect(runs.json.status).toBe(0);
      const report = JSON.parse(runs.json.stdout) as JsonReport;
      expect(report.ok).toBe(true);
      expect(report.summary).toEqual({ pass: 25, warn: 2, fail: 0, skip: 0 });
      expect(report.checks).toHaveLength(27);
      expect(runs.json.stderr.trimEnd().split("\n").pop()).toBe("preflight passed: 0 failed, 2 warnings, 25 passed, 0 skipped");
    });

    it("fails (exit 1) with wrong secrets, naming each problem and its variable", () => {
      const { status, stdout } = runs.failing;
      expect(status).toBe(1);
      expect(stdout).toMatch(/FAIL +database +credentials +access denied for gitpod/);
      expect(stdout).toContain("hint: check TF_VAR_database_password");
      expect(stdout).toMatch(/FAIL +object storage +credentials +ListBuckets: SignatureDoesNotMatch/);
      expect(stdout).toMatch(/FAIL +registry +credentials +the registry rejected robot's credentials \(HTTP 401\)/);
      expect(stdout).toMatch(/PASS +cluster +cert-manager/);
      expect(stdout).toContain("preflight failed: 3 failed");
    });

    it("never prints a secret, right or wrong, on stdout or stderr", () => {
      const everything = Object.values(runs)
        .map((run) => run.stdout + run.stderr)
        .join("\n");
      for (const secret of [...Object.values(SECRETS), ...Object.values(WRONG), KUBE_TOKEN]) expect(everything).not.toContain(secret);
    });
  },
);
