/**
 * mysql-user.sh against a real server, as the Job runs it: busybox sh, the environment of the
 * synthesized Job with the Secret's keys resolved, a real MySQL client (MariaDB's, the one packaged
 * here), and MariaDB serving TLS with a private CA and refusing clients without it (RDS's
 * require_secure_transport). The admin account has RDS's master user privileges (no SUPER, no
 * ALL). Gitpod's user is then checked by logging in as Gitpod does (mysql2, TLS with the CA).
 *
 * MariaDB takes the user's plugin as `IDENTIFIED VIA ... USING PASSWORD()`, MySQL as `IDENTIFIED
 * WITH ... BY`: the script picks by the server's VERSION(), and the MySQL statements are checked
 * against a stand-in client in mysql-user.test.ts (Oracle MySQL is not packaged here).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { TerraformVariable } from "cdktf";
import { createConnection, type ConnectionOptions } from "mysql2/promise";
import type { IEnvVar } from "kubernetes-models/v1/EnvVar";
import { MYSQL_USER_SCRIPT_PATH, MysqlUser } from "../../modules/mysql-user/mysql-user";
import { makeCertificates, type TestCertificates } from "../support/servers/certificates";
import { MARIADB_TOOLS, startMariadb, type MariadbServer } from "../support/servers/mariadb";
import { moduleStack, scratchDir } from "../support/synth";
import { busyboxTool, describeWithTools, findTool } from "../support/tools";

const MASTER = { user: "gitpod", password: "MasterPassword0123456789abcdefghijklmnop" };
const FIRST = "GitpodPassword1aaaaaaaaaaaaaaaaa";
const ROTATED = "GitpodPassword2bbbbbbbbbbbbbbbbb";
/** What RDS grants its master user (no SUPER, no ALL): the script must make do with that. */
const RDS_MASTER_PRIVILEGES =
  "SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, RELOAD, PROCESS, REFERENCES, INDEX, ALTER, SHOW DATABASES, CREATE TEMPORARY TABLES, " +
  "LOCK TABLES, EXECUTE, REPLICATION SLAVE, REPLICATION CLIENT, CREATE VIEW, SHOW VIEW, CREATE ROUTINE, ALTER ROUTINE, CREATE USER, EVENT, TRIGGER";

const which = (program: string) => spawnSync("sh", ["-c", `command -v ${program}`], { encoding: "utf8" }).stdout.trim() || program;
const BUSYBOX = which("busybox");
const MYSQL_CLIENT = findTool("mysql", ["--version"]);

/** ALL PRIVILEGES on one database in MySQL 5.7 and 8.x. */
const DATABASE_PRIVILEGES = [
  "ALTER", "ALTER ROUTINE", "CREATE", "CREATE ROUTINE", "CREATE TEMPORARY TABLES", "CREATE VIEW", "DELETE", "DROP", "EVENT", "EXECUTE",
  "INDEX", "INSERT", "LOCK TABLES", "REFERENCES", "SELECT", "SHOW VIEW", "TRIGGER", "UPDATE",
];

/** Gitpod's user's privileges by object, as SHOW GRANTS lists them (sorted). */
async function grantsOf(server: MariadbServer): Promise<Record<string, string[]>> {
  const rows = (await server.admin("SHOW GRANTS FOR 'gitpod_app'@'%'")) as Record<string, string>[];
  return Object.fromEntries(
    rows.map((row) => {
      const match = /^GRANT (.+) ON (\S+) TO /.exec(Object.values(row)[0]);
      if (!match) throw new Error(`unexpected grant: ${Object.values(row)[0]}`);
      return [match[2], match[1].split(", ").sort()];
    }),
  );
}

/** The Job's container, as synthesized for a server with (or without) a CA. */
function jobContainer(requireTls: boolean, withCa: boolean): { env: IEnvVar[] } {
  const stack = moduleStack();
  const user = new MysqlUser(stack, "user", {
    namespace: "gitpod",
    namePrefix: "gitpod",
    admin: {
      host: new TerraformVariable(stack, "host", {}).stringValue,
      port: 3306,
      username: MASTER.user,
      password: new TerraformVariable(stack, "password", { sensitive: true }).stringValue,
      caCertificate: withCa ? "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n" : undefined,
    },
    username: "gitpod_app",
    requireTls,
    image: "docker.io/library/mysql:8.4.6",
  });
  return (user.manifests[1] as any).spec.template.spec.containers[0];
}

describeWithTools("mysql-user.sh against MariaDB with TLS required (busybox sh, a real client)", [...MARIADB_TOOLS, busyboxTool(), MYSQL_CLIENT, findTool("openssl", ["version"])], () => {
  let certificates: TestCertificates;
  let otherCa: TestCertificates;
  let server: MariadbServer;
  /** Serves TLS but lets clients in without it: only the user's own requirement decides. */
  let lenient: MariadbServer;
  const dir = scratchDir("mysql-user-");
  const bin = path.join(dir, "bin");

  beforeAll(async () => {
    certificates = makeCertificates(path.join(dir, "ca"));
    otherCa = makeCertificates(path.join(dir, "other-ca"), "another CA");
    [server, lenient] = await Promise.all([
      startMariadb({ dir: path.join(dir, "server"), tls: certificates, requireSecureTransport: true }),
      startMariadb({ dir: path.join(dir, "lenient"), tls: certificates }),
    ]);
    for (const target of [server, lenient]) {
      await target.admin(`CREATE USER '${MASTER.user}'@'%' IDENTIFIED BY '${MASTER.password}'`, `GRANT ${RDS_MASTER_PRIVILEGES} ON *.* TO '${MASTER.user}'@'%' WITH GRANT OPTION`);
    }
    fs.mkdirSync(bin);
    for (const applet of ["sh", "cat", "mkdir", "rm", "sleep"]) fs.symlinkSync(BUSYBOX, path.join(bin, applet));
    fs.symlinkSync(which("mysql"), path.join(bin, "mysql"));
  });
  afterAll(() => Promise.all([server?.stop(), lenient?.stop()]));

  /** Runs the script with the Job's environment, the Secret's keys resolved as the kubelet would. */
  function run(options: { password: string; requireTls?: boolean; caFile?: string | null; adminPassword?: string; target?: MariadbServer }) {
    const target = options.target ?? server;
    const requireTls = options.requireTls ?? true;
    const caFile = options.caFile === undefined ? certificates.caFile : options.caFile;
    const secret: Record<string, string> = {
      host: "127.0.0.1",
      port: String(target.port),
      "admin-username": MASTER.user,
      "admin-password": options.adminPassword ?? MASTER.password,
      password: options.password,
    };
    const env = Object.fromEntries(
      jobContainer(requireTls, caFile !== null).env.map((variable) => [variable.name, variable.value ?? secret[variable.valueFrom!.secretKeyRef!.key]]),
    );
    const result = spawnSync(BUSYBOX, ["sh", MYSQL_USER_SCRIPT_PATH], {
      env: { ...env, ...(caFile === null ? {} : { CA_FILE: caFile }), PATH: bin, WORK_DIR: fs.mkdtempSync(path.join(dir, "work-")), CONNECT_TRIES: "1" },
      encoding: "utf8",
    });
    return { status: result.status, stderr: result.stderr };
  }

  /** Gitpod's login (`tls` null: without TLS): resolves to "ok" or the error code. */
  async function login(password: string, tls: ConnectionOptions["ssl"] | null = { ca: certificates.caPem }, target = server): Promise<string> {
    try {
      const connection = await createConnection({ host: "127.0.0.1", port: target.port, user: "gitpod_app", password, ssl: tls ?? undefined });
      await connection.query("SELECT 1");
      await connection.end();
      return "ok";
    } catch (error) {
      return String((error as { code?: string }).code ?? error);
    }
  }

  async function asGitpod<T>(password: string, statements: string[]): Promise<T[]> {
    const connection = await createConnection({ host: "127.0.0.1", port: server.port, user: "gitpod_app", password, ssl: { ca: certificates.caPem } });
    try {
      const results: T[] = [];
      for (const statement of statements) results.push(((await connection.query(statement)) as [T, unknown])[0]);
      return results;
    } finally {
      await connection.end();
    }
  }

  it("creates Gitpod's user: mysql_native_password, TLS required, every privilege on gitpod and gitpod-sessions and nothing else", async () => {
    const result = run({ password: FIRST });
    expect(result.stderr).toContain("mysql-user: user gitpod_app: mysql_native_password, REQUIRE SSL, every privilege on gitpod gitpod-sessions (and nothing else granted here)");
    expect(result.status).toBe(0);
    const [account] = (await server.admin("SELECT plugin, ssl_type FROM mysql.user WHERE User = 'gitpod_app' AND Host = '%'")) as { plugin: string; ssl_type: string }[];
    expect(account).toEqual({ plugin: "mysql_native_password", ssl_type: "ANY" });
    expect(await grantsOf(server)).toEqual({ "*.*": ["USAGE"], "`gitpod`.*": DATABASE_PRIVILEGES, "`gitpod-sessions`.*": DATABASE_PRIVILEGES });
    const databases = (await server.admin("SHOW DATABASES")) as { Database: string }[];
    expect(databases.map((row) => row.Database)).toEqual(expect.arrayContaining(["gitpod", "gitpod-sessions"]));
  });

  it("lets Gitpod in with TLS verified against the CA, and not without TLS", async () => {
    expect(await login(FIRST)).toBe("ok");
    expect(await login(FIRST, null)).toBe("ER_ACCESS_DENIED_ERROR");
    expect(await login("wrong")).toBe("ER_ACCESS_DENIED_ERROR");
  });

  it("gives Gitpod its two databases and nothing else", async () => {
    await asGitpod(FIRST, [
      "CREATE TABLE gitpod.kept (id INT PRIMARY KEY)",
      "INSERT INTO gitpod.kept VALUES (1)",
      "CREATE TABLE `gitpod-sessions`.sessions (id INT PRIMARY KEY)",
      // What Gitpod's init job runs.
      "CREATE DATABASE IF NOT EXISTS `gitpod-sessions`",
    ]);
    const refused = async (statement: string) => asGitpod(FIRST, [statement]).then(() => "ok", (error: { code?: string }) => error.code);
    expect(await refused("CREATE DATABASE other")).toBe("ER_DBACCESS_DENIED_ERROR");
    expect(await refused("SELECT * FROM mysql.user")).toBe("ER_TABLEACCESS_DENIED_ERROR");
    expect(await refused("CREATE USER 'x'@'%'")).toBe("ER_SPECIFIC_ACCESS_DENIED_ERROR");
  });

  it("runs again with the same password: nothing changes, nothing is lost", async () => {
    expect(run({ password: FIRST }).status).toBe(0);
    expect(await login(FIRST)).toBe("ok");
    expect(await asGitpod(FIRST, ["SELECT id FROM gitpod.kept"])).toEqual([[{ id: 1 }]]);
  });

  it("runs again with a new password: the new one works, the old one no longer, the data stays", async () => {
    expect(run({ password: ROTATED }).status).toBe(0);
    expect(await login(ROTATED)).toBe("ok");
    expect(await login(FIRST)).toBe("ER_ACCESS_DENIED_ERROR");
    expect(await asGitpod(ROTATED, ["SELECT id FROM gitpod.kept", "SELECT COUNT(*) AS n FROM `gitpod-sessions`.sessions"])).toEqual([[{ id: 1 }], [{ n: 0 }]]);
  });

  it("brings back what was changed by hand: the plugin, the TLS requirement, a dropped grant", async () => {
    await server.admin(
      "ALTER USER 'gitpod_app'@'%' IDENTIFIED VIA unix_socket REQUIRE NONE",
      "REVOKE ALL PRIVILEGES ON `gitpod-sessions`.* FROM 'gitpod_app'@'%'",
    );
    expect(run({ password: ROTATED }).status).toBe(0);
    const [account] = (await server.admin("SELECT plugin, ssl_type FROM mysql.user WHERE User = 'gitpod_app' AND Host = '%'")) as { plugin: string; ssl_type: string }[];
    expect(account).toEqual({ plugin: "mysql_native_password", ssl_type: "ANY" });
    expect(await asGitpod(ROTATED, ["SELECT COUNT(*) AS n FROM `gitpod-sessions`.sessions"])).toEqual([[{ n: 0 }]]);
  });

  it("requires TLS of Gitpod's user itself, even where the server does not (REQUIRE SSL)", async () => {
    expect(run({ password: FIRST, target: lenient }).status).toBe(0);
    expect(await login(FIRST, { ca: certificates.caPem }, lenient)).toBe("ok");
    expect(await login(FIRST, null, lenient)).toBe("ER_ACCESS_DENIED_ERROR");
  });

  it("with TLS not enforced: REQUIRE NONE, and back to REQUIRE SSL on the next enforcing run", async () => {
    expect(run({ password: FIRST, target: lenient, requireTls: false, caFile: null }).status).toBe(0);
    const [account] = (await lenient.admin("SELECT ssl_type FROM mysql.user WHERE User = 'gitpod_app' AND Host = '%'")) as { ssl_type: string }[];
    expect(account.ssl_type).toBe("");
    expect(await login(FIRST, null, lenient)).toBe("ok");
    expect(run({ password: FIRST, target: lenient }).status).toBe(0);
    expect(await login(FIRST, null, lenient)).toBe("ER_ACCESS_DENIED_ERROR");
  });

  it("refuses a server whose certificate another CA signed, before sending anything", async () => {
    const result = run({ password: FIRST, caFile: otherCa.caFile });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`mysql-user: ERROR: cannot log in to 127.0.0.1:${server.port} as gitpod`);
    expect(await login(ROTATED)).toBe("ok");
  });

  it("fails on a wrong admin password without printing it", () => {
    const result = run({ password: FIRST, adminPassword: "WrongPassword" });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("Access denied for user 'gitpod'");
    expect(result.stderr).not.toContain("WrongPassword");
  });
});
