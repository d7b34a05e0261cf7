/**
 * The database checks against real MariaDB servers: a correct one, one that reports a too-old
 * version, and one that only accepts TLS. Every failure is provoked for real.
 */
import * as path from "path";
import { assessServerVersion, checkDatabase, type DatabaseProbe } from "../../preflight/database";
import type { CheckResult } from "../../preflight/checks";
import { makeCertificates, type TestCertificates } from "../support/servers/certificates";
import { MARIADB_TOOLS, startMariadb, type MariadbServer } from "../support/servers/mariadb";
import { freePort, stopAll } from "../support/servers/processes";
import { scratchDir } from "../support/synth";
import { describeWithTools, findTool } from "../support/tools";

const PASSWORD = "db-Secret-4711";

/** check name -> status, in order. */
const statuses = (results: CheckResult[]) => results.map((result) => `${result.check}: ${result.status}`);
const result = (results: CheckResult[], check: string) => {
  const found = results.find((r) => r.check === check);
  if (!found) throw new Error(`no result for ${check}: ${JSON.stringify(results)}`);
  return found;
};

describe("assessServerVersion", () => {
  it("passes MySQL 5.7, warns about newer MySQL and MariaDB, fails anything below 5.7", () => {
    expect(assessServerVersion("5.7.44-log", false)).toMatchObject({ status: "pass", detail: "MySQL 5.7.44-log" });
    expect(assessServerVersion("8.0.36", false)).toMatchObject({ status: "warn", detail: "MySQL 8.0.36: Gitpod was only tested on MySQL 5.7" });
    expect(assessServerVersion("5.6.51", false)).toMatchObject({ status: "fail", detail: "MySQL 5.6.51 is older than 5.7" });
    expect(assessServerVersion("10.11.6-MariaDB-0+deb12u1", false)).toMatchObject({ status: "warn", detail: "MariaDB 10.11.6: Gitpod was only tested on MySQL 5.7" });
    expect(assessServerVersion("5.7.44-fake", true).status).toBe("warn");
  });
});

describeWithTools("database checks against MariaDB", [...MARIADB_TOOLS, findTool("openssl", ["version"])], () => {
  let certificates: TestCertificates;
  let otherCa: TestCertificates;
  let normal: MariadbServer;
  let old: MariadbServer;
  let tlsOnly: MariadbServer;

  const gitpodUser = [
    `CREATE USER 'gitpod'@'%' IDENTIFIED BY '${PASSWORD}'`,
    "GRANT ALL ON `gitpod`.* TO 'gitpod'@'%'",
    "GRANT ALL ON `gitpod-sessions`.* TO 'gitpod'@'%'",
  ];

  beforeAll(async () => {
    const dir = scratchDir("mariadb-");
    certificates = makeCertificates(path.join(dir, "ca"));
    otherCa = makeCertificates(path.join(dir, "other-ca"), "another CA");
    [normal, old, tlsOnly] = await Promise.all([
      startMariadb({ dir: path.join(dir, "normal") }),
      startMariadb({ dir: path.join(dir, "old"), version: "5.6.51-fake" }),
      startMariadb({ dir: path.join(dir, "tls"), tls: certificates, requireSecureTransport: true }),
    ]);
    await normal.admin(...gitpodUser, `CREATE USER 'nogrant'@'%' IDENTIFIED BY '${PASSWORD}'`);
    await old.admin(...gitpodUser);
    await tlsOnly.admin(...gitpodUser);
  });

  afterAll(() => stopAll([normal, old, tlsOnly]));

  const probe = (server: MariadbServer, overrides: Partial<DatabaseProbe> = {}): DatabaseProbe => ({
    host: "127.0.0.1",
    port: server.port,
    username: "gitpod",
    password: PASSWORD,
    passwordSource: "TF_VAR_database_password",
    timeoutMs: 5000,
    ...overrides,
  });
  const run = (input: DatabaseProbe, progress: (message: string) => void = () => undefined) => checkDatabase(input, progress);

  it("passes a correctly set-up server, reporting MariaDB as such, and shows each step as progress", async () => {
    const databasesBefore = await normal.admin("SHOW DATABASES");
    const progress: string[] = [];
    const results = await run(probe(normal), (message) => progress.push(message));
    expect(statuses(results)).toEqual([
      "reachable: pass",
      "credentials: pass",
      "server version: warn",
      "explicit_defaults_for_timestamp: pass",
      "create database: pass",
    ]);
    expect(result(results, "server version").detail).toMatch(/^MariaDB 10\.\d+\.\d+: Gitpod was only tested on MySQL 5\.7$/);
    expect(results.every((r) => r.dependency === "database")).toBe(true);
    expect(progress).toEqual([
      "database: opening a TCP connection",
      "database: logging in",
      "database: reading the server version",
      "database: reading explicit_defaults_for_timestamp",
      "database: creating Gitpod's sessions database as Gitpod will (CREATE DATABASE IF NOT EXISTS `gitpod-sessions`)",
    ]);
    // The only trace is the database Gitpod's init job creates anyway.
    const databasesAfter = await normal.admin("SHOW DATABASES");
    const names = (rows: unknown[]) => rows.map((row) => (row as { Database: string }).Database).sort();
    expect(names(databasesAfter)).toEqual([...new Set([...names(databasesBefore), "gitpod-sessions"])].sort());
  });

  it("fails on a wrong password, names the variable, and skips what needs a login", async () => {
    const results = await run(probe(normal, { password: "wrong-password" }));
    expect(statuses(results)).toEqual([
      "reachable: pass",
      "credentials: fail",
      "server version: skip",
      "explicit_defaults_for_timestamp: skip",
      "create database: skip",
    ]);
    expect(result(results, "credentials").detail).toContain("access denied for gitpod");
    expect(result(results, "credentials").hint).toContain("TF_VAR_database_password");
    expect(result(results, "server version").detail).toBe('not checked: "credentials" failed');
    expect(JSON.stringify(results)).not.toContain("wrong-password");
  });

  it("fails when the password variable is not set", async () => {
    const results = await run(probe(normal, { password: undefined }));
    expect(result(results, "credentials")).toMatchObject({ status: "fail", detail: "no password: TF_VAR_database_password is not set" });
  });

  it("fails when nothing listens on the port, and checks nothing else", async () => {
    const results = await run(probe(normal, { port: await freePort() }));
    expect(statuses(results)).toEqual([
      "reachable: fail",
      "credentials: skip",
      "server version: skip",
      "explicit_defaults_for_timestamp: skip",
      "create database: skip",
    ]);
    expect(result(results, "reachable").detail).toContain("refused the connection");
  });

  it("fails when the user may not create databases", async () => {
    const results = await run(probe(normal, { username: "nogrant" }));
    expect(result(results, "credentials").status).toBe("pass");
    expect(result(results, "create database")).toMatchObject({ status: "fail" });
    expect(result(results, "create database").detail).toContain("nogrant may not create databases");
    expect(result(results, "create database").hint).toContain("GRANT ALL ON `gitpod-sessions`.*");
  });

  it("fails when explicit_defaults_for_timestamp is ON", async () => {
    await normal.admin("SET GLOBAL explicit_defaults_for_timestamp = ON");
    try {
      const results = await run(probe(normal));
      expect(result(results, "explicit_defaults_for_timestamp")).toMatchObject({ status: "fail" });
      expect(result(results, "explicit_defaults_for_timestamp").hint).toContain("explicit_defaults_for_timestamp = OFF");
      // Not a reason to skip the next check.
      expect(result(results, "create database").status).toBe("pass");
    } finally {
      await normal.admin("SET GLOBAL explicit_defaults_for_timestamp = OFF");
    }
  });

  it("fails a server older than 5.7", async () => {
    const results = await run(probe(old));
    expect(result(results, "server version")).toMatchObject({ status: "fail", detail: "MariaDB 5.6.51-fake is older than 5.7" });
  });

  it("tells a TLS-only server from a wrong password when no CA is given", async () => {
    const results = await run(probe(tlsOnly));
    expect(result(results, "credentials")).toMatchObject({ status: "fail", detail: "the server accepts gitpod only over TLS" });
    expect(result(results, "credentials").hint).toContain("database.caCertificate");
  });

  it("passes a TLS-only server with its CA, and confirms the session is encrypted", async () => {
    const results = await run(probe(tlsOnly, { caCertificate: certificates.caPem }));
    expect(statuses(results)).toEqual([
      "reachable: pass",
      "TLS: pass",
      "credentials: pass",
      "server version: warn",
      "explicit_defaults_for_timestamp: pass",
      "create database: pass",
    ]);
    expect(result(results, "TLS").detail).toMatch(/^server certificate verified against database.caCertificate; session encrypted \(TLS_[A-Z0-9_]+\)$/);
  });

  it("with the CA but a wrong password, verifies TLS and fails the login", async () => {
    const results = await run(probe(tlsOnly, { caCertificate: certificates.caPem, password: "wrong-password" }));
    expect(statuses(results).slice(0, 3)).toEqual(["reachable: pass", "TLS: pass", "credentials: fail"]);
    expect(result(results, "TLS").detail).toBe("server certificate verified against database.caCertificate");
  });

  it("fails TLS when the server's certificate is not signed by the given CA", async () => {
    const results = await run(probe(tlsOnly, { caCertificate: otherCa.caPem }));
    expect(statuses(results).slice(0, 3)).toEqual(["reachable: pass", "TLS: fail", "credentials: skip"]);
    expect(result(results, "TLS").detail).toContain("TLS verification failed");
  });

  it("fails TLS when a CA is given but the server offers no TLS", async () => {
    const results = await run(probe(normal, { caCertificate: certificates.caPem }));
    expect(result(results, "TLS")).toMatchObject({ status: "fail" });
  });
});
