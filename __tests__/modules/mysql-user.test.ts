/**
 * MysqlUser: Gitpod's own MySQL user on RDS, made by a Job in the cluster with the master user's
 * credentials. What Terraform and the chart hold, and mysql-user.sh under busybox sh (as POSIX sh)
 * against a stand-in MySQL client that records what it is given: the statements MySQL receives,
 * the option file, the arguments. The same script against a real server (MariaDB) is
 * mysql-user.integration.test.ts.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { TerraformVariable, Token } from "cdktf";
import type { IEnvVar } from "kubernetes-models/v1/EnvVar";
import { MYSQL_USER_SCRIPT_PATH, MysqlUser, type MysqlUserProps } from "../../modules/mysql-user/mysql-user";
import { validateAgainstSchema } from "../support/kubernetes-schemas";
import { restrictedViolations } from "../support/pod-security";
import { moduleStack, onlyResource, scratchDir, secretData, synthStack } from "../support/synth";
import { busyboxTool, describeWithTools } from "../support/tools";

const CA = "-----BEGIN CERTIFICATE-----\nMIIBexample\n-----END CERTIFICATE-----\n";

/** `caCertificate` null: none. */
function build(overrides: Partial<MysqlUserProps> = {}, caCertificate: string | null = CA) {
  const stack = moduleStack();
  const admin = {
    host: new TerraformVariable(stack, "host", {}).stringValue,
    port: new TerraformVariable(stack, "port", { type: "number" }).numberValue,
    username: "gitpod",
    password: new TerraformVariable(stack, "master_password", { sensitive: true }).stringValue,
    caCertificate: caCertificate ?? undefined,
  };
  const user = new MysqlUser(stack, "user", {
    namespace: "gitpod",
    namePrefix: "acme",
    admin,
    username: "gitpod_app",
    requireTls: true,
    image: "docker.io/library/mysql:8.4.6",
    ...overrides,
  });
  return { user, json: synthStack(stack) };
}

const { user, json } = build();
const [configMap, job] = user.manifests as readonly any[];
const pod = job.spec.template.spec;
const container = pod.containers[0];
const secret = onlyResource(json, "kubernetes_secret_v1") as any;
const release = onlyResource(json, "helm_release") as any;

describe("MysqlUser", () => {
  it("is what Gitpod connects as: its own user on the admin's server, with a password generated at apply time", () => {
    expect(user.username).toBe("gitpod_app");
    expect(Token.isUnresolved(user.password)).toBe(true);
    expect(user.caCertificate).toBe(CA);
    const password = onlyResource(json, "random_password") as any;
    expect(password).toMatchObject({ length: 32, special: false });
    // Gitpod is installed only after the Job ran.
    expect(user.prerequisites).toEqual([user.setup.release]);
  });

  it("keeps the admin's credentials, Gitpod's password and the CA in one Secret in Gitpod's namespace, written write-only", () => {
    expect(secret.metadata).toMatchObject({ name: "acme-mysql-user-setup", namespace: "gitpod" });
    expect(secret.data).toBeUndefined();
    expect(secret.data_wo).toMatch(/^\$\{local\.[\w-]+\}$/);
    // Written again exactly when the data changes.
    expect(secret.data_wo_revision).toMatch(/^\$\{\(parseint\(substr\(sha256\(jsonencode\(local\.[\w-]+\)\), 0, 12\), 16\) \+ 1\)\}$/);
    expect(secretData(json, secret)).toEqual({
      host: "${var.host}",
      port: "${var.port}",
      "admin-username": "gitpod",
      "admin-password": "${var.master_password}",
      password: expect.stringMatching(/^\$\{random_password\.[\w-]+\.result\}$/),
      "ca.crt": CA,
    });
  });

  it("runs a hook Job the apply waits for, again whenever the Secret or the script changes", () => {
    expect(job.metadata.annotations).toEqual({ "helm.sh/hook": "post-install,post-upgrade", "helm.sh/hook-delete-policy": "before-hook-creation" });
    expect(release).toMatchObject({ name: "acme-mysql-user-setup", namespace: "gitpod", wait: true, atomic: true });
    expect(release.timeout).toBeGreaterThanOrEqual(job.spec.activeDeadlineSeconds);
    expect(release.set_sensitive).toEqual([{ name: "checksums.setup", value: expect.stringContaining("sha256(jsonencode("), type: "string" }]);
    expect(release.depends_on).toEqual([expect.stringMatching(/^kubernetes_secret_v1\./)]);
    // The script is in the chart: a new script is a new chart, which upgrades the release.
    expect(configMap.data["mysql-user.sh"]).toBe(fs.readFileSync(MYSQL_USER_SCRIPT_PATH, "utf8"));
    expect(Object.keys(user.setup.chart.files).filter((f) => f.startsWith("templates/"))).toEqual([
      "templates/00-configmap-acme-mysql-user-setup.yaml",
      "templates/01-job-acme-mysql-user-setup.yaml",
    ]);
  });

  it("writes a ConfigMap and a Job valid against their schemas", () => {
    user.manifests.forEach((manifest) => validateAgainstSchema(manifest as unknown as Record<string, unknown>));
  });

  it("reads every secret value from the Secret: none is in the chart", () => {
    expect(container.env).toEqual([
      { name: "MYSQL_HOST", valueFrom: { secretKeyRef: { name: "acme-mysql-user-setup", key: "host" } } },
      { name: "MYSQL_PORT", valueFrom: { secretKeyRef: { name: "acme-mysql-user-setup", key: "port" } } },
      { name: "ADMIN_USER", valueFrom: { secretKeyRef: { name: "acme-mysql-user-setup", key: "admin-username" } } },
      { name: "ADMIN_PASSWORD", valueFrom: { secretKeyRef: { name: "acme-mysql-user-setup", key: "admin-password" } } },
      { name: "GITPOD_USER", value: "gitpod_app" },
      { name: "GITPOD_PASSWORD", valueFrom: { secretKeyRef: { name: "acme-mysql-user-setup", key: "password" } } },
      { name: "DATABASES", value: "gitpod gitpod-sessions" },
      { name: "REQUIRE_TLS", value: "true" },
      { name: "CA_FILE", value: "/etc/mysql-ca/ca.crt" },
      { name: "WORK_DIR", value: "/run/mysql-user" },
    ]);
    expect(pod.volumes).toContainEqual({ name: "ca", secret: { secretName: "acme-mysql-user-setup", items: [{ key: "ca.crt", path: "ca.crt" }], defaultMode: 0o444 } });
  });

  it("runs unprivileged, without API access, its option file in memory: the restricted Pod Security Standard", () => {
    expect(restrictedViolations(pod)).toEqual([]);
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65534 });
    expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
    expect(pod.volumes).toContainEqual({ name: "work", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } });
    expect(container.image).toBe("docker.io/library/mysql:8.4.6");
    expect(container.command).toEqual(["/bin/sh", "/scripts/mysql-user.sh"]);
  });

  it("without a CA: no CA volume; REQUIRE NONE when TLS is not required", () => {
    const { user: plain } = build({ requireTls: false }, null);
    const [, plainJob] = plain.manifests as readonly any[];
    const env = plainJob.spec.template.spec.containers[0].env as IEnvVar[];
    expect(env.find((e) => e.name === "REQUIRE_TLS")?.value).toBe("false");
    expect(env.map((e) => e.name)).not.toContain("CA_FILE");
    expect(plainJob.spec.template.spec.volumes.map((v: { name: string }) => v.name)).toEqual(["work", "script"]);
    expect(plain.caCertificate).toBeUndefined();
  });

  it("refuses a user name MySQL or the script would not take, and the admin's own name", () => {
    expect(() => build({ username: "gitpod-app" })).toThrow(/letters, digits or _/);
    expect(() => build({ username: "a".repeat(33) })).toThrow(/letters, digits or _/);
    expect(() => build({ username: "gitpod" })).toThrow(/must not be the admin user "gitpod"/);
  });
});

/** The scripts run with a PATH of busybox applets and the stand-in client only. */
const BUSYBOX = spawnSync("sh", ["-c", "command -v busybox"], { encoding: "utf8" }).stdout.trim() || "busybox";
const MASTER_PASSWORD = "MasterPassword0123456789abcdefghijklmnop";
/** ALL PRIVILEGES on one database in MySQL 5.7 and 8.x, named (see the script). */
const DATABASE_PRIVILEGES =
  "SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, REFERENCES, INDEX, ALTER, CREATE TEMPORARY TABLES, LOCK TABLES, EXECUTE, CREATE VIEW, SHOW VIEW, CREATE ROUTINE, ALTER ROUTINE, EVENT, TRIGGER";
const GITPOD_PASSWORD = "GitpodPassword0123456789abcdefgh";

describeWithTools("mysql-user.sh against a stand-in MySQL client (busybox sh)", [busyboxTool()], () => {
  const dir = scratchDir("mysql-user-script-");
  const bin = path.join(dir, "bin");
  fs.mkdirSync(bin);
  for (const applet of ["sh", "cat", "mkdir", "rm", "sleep"]) fs.symlinkSync(BUSYBOX, path.join(bin, applet));
  // Records its arguments, a copy of its option file and its standard input; answers --version
  // and SELECT VERSION() like MySQL 8.4 (or FAKE_SERVER_VERSION), fails to connect when told to.
  const client = path.join(bin, "mysql");
  fs.writeFileSync(
    client,
    [
      `#!${BUSYBOX} sh`,
      'printf "%s\\n" "$*" >>"$FAKE_LOG/argv"',
      'case "$*" in *--version*) echo "mysql  Ver 8.4.6 for Linux on x86_64 (MySQL Community Server - GPL)"; exit 0 ;; esac',
      '[ -z "${FAKE_REFUSE:-}" ] || { echo "ERROR 2003 (HY000): Can\'t connect to MySQL server" >&2; exit 1; }',
      'for arg; do case "$arg" in --defaults-file=*) cat "${arg#--defaults-file=}" >"$FAKE_LOG/options" ;; esac; done',
      'case "$*" in *--execute=*) echo "${FAKE_SERVER_VERSION:-8.4.6}"; exit 0 ;; esac',
      'cat >>"$FAKE_LOG/stdin"',
      "",
    ].join("\n"),
    { mode: 0o755 },
  );

  /** The Job's environment as the kubelet gives it, the Secret's keys resolved to `values`. */
  function jobEnv(manifest: any, values: Record<string, string>): Record<string, string> {
    const env = manifest.spec.template.spec.containers[0].env as IEnvVar[];
    return Object.fromEntries(
      env.map((variable) => {
        if (variable.value !== undefined) return [variable.name, variable.value];
        const key = variable.valueFrom?.secretKeyRef?.key;
        if (key === undefined || values[key] === undefined) throw new Error(`no value for ${variable.name}`);
        return [variable.name, values[key]];
      }),
    );
  }
  const SECRET = { host: "gitpod-mysql.abc.eu-west-1.rds.amazonaws.com", port: "3306", "admin-username": "gitpod", "admin-password": MASTER_PASSWORD, password: GITPOD_PASSWORD };

  function run(env: Record<string, string>, extra: Record<string, string> = {}) {
    const log = fs.mkdtempSync(path.join(dir, "run-"));
    const caFile = path.join(log, "ca.crt");
    fs.writeFileSync(caFile, CA);
    const work = path.join(log, "work");
    const result = spawnSync(BUSYBOX, ["sh", MYSQL_USER_SCRIPT_PATH], {
      env: { PATH: bin, FAKE_LOG: log, ...env, ...(env.CA_FILE ? { CA_FILE: caFile } : {}), WORK_DIR: work, CONNECT_TRIES: "1", ...extra },
      encoding: "utf8",
    });
    const read = (name: string) => (fs.existsSync(path.join(log, name)) ? fs.readFileSync(path.join(log, name), "utf8") : "");
    return { status: result.status, stderr: result.stderr, argv: read("argv"), options: read("options"), stdin: read("stdin"), work, caFile };
  }

  it("creates or updates the user with mysql_native_password and REQUIRE SSL, and grants every privilege on Gitpod's databases only", () => {
    const result = run(jobEnv(job, SECRET));
    expect(result.stderr).toContain("mysql-user: user gitpod_app: mysql_native_password, REQUIRE SSL, every privilege on gitpod gitpod-sessions (and nothing else granted here)");
    expect(result.status).toBe(0);
    expect(result.stdin).toBe(
      [
        `CREATE USER IF NOT EXISTS 'gitpod_app'@'%' IDENTIFIED WITH mysql_native_password BY '${GITPOD_PASSWORD}' REQUIRE SSL;`,
        `ALTER USER 'gitpod_app'@'%' IDENTIFIED WITH mysql_native_password BY '${GITPOD_PASSWORD}' REQUIRE SSL;`,
        "CREATE DATABASE IF NOT EXISTS `gitpod` CHARACTER SET utf8mb4;",
        `GRANT ${DATABASE_PRIVILEGES} ON \`gitpod\`.* TO 'gitpod_app'@'%';`,
        "CREATE DATABASE IF NOT EXISTS `gitpod-sessions` CHARACTER SET utf8mb4;",
        `GRANT ${DATABASE_PRIVILEGES} ON \`gitpod-sessions\`.* TO 'gitpod_app'@'%';`,
        "",
      ].join("\n"),
    );
  });

  it("logs in as the admin from an option file that verifies the server's certificate and name, removed afterwards", () => {
    const result = run(jobEnv(job, SECRET));
    expect(result.options).toBe(
      [
        "[client]",
        `host=${SECRET.host}`,
        "port=3306",
        'user="gitpod"',
        `password="${MASTER_PASSWORD}"`,
        "connect-timeout=10",
        `ssl-ca=${result.caFile}`,
        "ssl-mode=VERIFY_IDENTITY",
        "",
      ].join("\n"),
    );
    expect(fs.readdirSync(result.work)).toEqual([]);
    // No password in any process's arguments.
    expect(result.argv).not.toContain(MASTER_PASSWORD);
    expect(result.argv).not.toContain(GITPOD_PASSWORD);
    expect(result.argv.split("\n").filter(Boolean).map((line) => line.replace(/--defaults-file=\S+/, "--defaults-file=<options>"))).toEqual([
      "--version",
      "--defaults-file=<options> --batch --skip-column-names --execute=SELECT VERSION()",
      "--defaults-file=<options> --batch --skip-column-names",
    ]);
  });

  it("MySQL 5.7 takes the same statements", () => {
    const result = run(jobEnv(job, SECRET), { FAKE_SERVER_VERSION: "5.7.44-log" });
    expect(result.status).toBe(0);
    expect(result.stdin.split("\n")[0]).toBe(`CREATE USER IF NOT EXISTS 'gitpod_app'@'%' IDENTIFIED WITH mysql_native_password BY '${GITPOD_PASSWORD}' REQUIRE SSL;`);
  });

  it("without TLS required and without a CA: REQUIRE NONE, and no TLS options", () => {
    const { user: plain } = build({ requireTls: false }, null);
    const result = run(jobEnv(plain.manifests[1], SECRET));
    expect(result.status).toBe(0);
    expect(result.stdin.split("\n").slice(0, 2).every((line) => line.endsWith(" REQUIRE NONE;"))).toBe(true);
    expect(result.options).not.toContain("ssl");
  });

  it.each([
    ["a password with a quote", { GITPOD_PASSWORD: "abc'def" }, /GITPOD_PASSWORD may hold only letters and digits/],
    ["a user name with a quote", { GITPOD_USER: "gitpod'x" }, /GITPOD_USER may hold only letters, digits and _/],
    ["the admin as Gitpod's user", { GITPOD_USER: "gitpod" }, /GITPOD_USER must not be the admin user gitpod/],
    ["an admin password with a double quote", { ADMIN_PASSWORD: 'abc"def' }, /must not contain " or \\/],
    ["a database name with a backtick", { DATABASES: "gitpod git`pod" }, /database names may hold only/],
    ["REQUIRE_TLS neither true nor false", { REQUIRE_TLS: "yes" }, /REQUIRE_TLS must be true or false/],
  ])("refuses %s before running any SQL", (_, override, message) => {
    const result = run({ ...jobEnv(job, SECRET), ...override });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stdin).toBe("");
  });

  it("fails, naming the server and the admin, when it cannot log in", () => {
    const result = run(jobEnv(job, SECRET), { FAKE_REFUSE: "1" });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`mysql-user: ERROR: cannot log in to ${SECRET.host}:3306 as gitpod`);
    expect(result.stderr).not.toContain(MASTER_PASSWORD);
    expect(result.stdin).toBe("");
  });
});
