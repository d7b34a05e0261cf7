/**
 * The external MySQL database, as Gitpod will use it: reachable, the credentials accepted, a
 * server version Gitpod works with, `explicit_defaults_for_timestamp` OFF, the right to create
 * Gitpod's sessions database, and TLS verified against the given CA.
 */
import * as net from "net";
import { createConnection, type Connection, type ConnectionOptions, type RowDataPacket } from "mysql2/promise";
import { atLeast, describeNetworkError, describeTlsError, errorCode, errorMessage, fail, pass, runSteps, warn, type CheckResult, type Outcome, type Progress, type Step } from "./checks";

export interface DatabaseProbe {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  /** Undefined when its variable is not set. */
  readonly password: string | undefined;
  /** Where the password comes from, for hints, e.g. "TF_VAR_database_password". */
  readonly passwordSource: string;
  /** PEM CA bundle: connect with TLS and verify the server against it, as Gitpod will. */
  readonly caCertificate?: string;
  readonly timeoutMs: number;
}

export const DATABASE = "database";

/**
 * The statement Gitpod's database init job runs as this user (its `init.sql`, "must be
 * idempotent"). Running it is the only faithful test of the right to create that database:
 * grants can come from wildcards, roles or a partial revoke, which SHOW GRANTS does not settle.
 * It creates nothing Gitpod would not create on its first install, and is never undone (a DROP
 * would need a privilege Gitpod does not, and could remove a database Gitpod already uses).
 */
export const CREATE_SESSIONS_DATABASE = "CREATE DATABASE IF NOT EXISTS `gitpod-sessions` CHARSET utf8mb4";

/** Gitpod 2022.11 was tested on MySQL 5.7 only; older servers lack what its schema uses. */
const MINIMUM = { major: 5, minor: 7 };

interface Context {
  readonly probe: DatabaseProbe;
  /** The login, attempted once by the first step that needs it. */
  login?: Promise<Connection>;
}

function connectionOptions(probe: DatabaseProbe, ssl: ConnectionOptions["ssl"]): ConnectionOptions {
  return {
    host: probe.host,
    port: probe.port,
    user: probe.username,
    password: probe.password ?? "",
    connectTimeout: probe.timeoutMs,
    ssl,
  };
}

function login(context: Context): Promise<Connection> {
  const { probe } = context;
  context.login ??= createConnection(connectionOptions(probe, probe.caCertificate ? { ca: probe.caCertificate, rejectUnauthorized: true } : undefined));
  return context.login;
}

const where = (probe: DatabaseProbe) => `${probe.host}:${probe.port}`;

async function loginError(context: Context): Promise<unknown> {
  try {
    await login(context);
    return undefined;
  } catch (error) {
    return error;
  }
}

function tcpConnect(host: string, port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(timeoutMs, () => socket.destroy(Object.assign(new Error("timed out"), { code: "ETIMEDOUT" })));
    socket.once("connect", () => {
      socket.destroy();
      resolve();
    });
    socket.once("error", reject);
  });
}

/**
 * MariaDB answers a plain login to a server with `require_secure_transport` like a wrong
 * password (MySQL says so: 3159). Trying the same login once more over TLS, without verifying the
 * server, tells the two apart. mysql_native_password never sends the password itself.
 */
async function acceptedOnlyOverTls(probe: DatabaseProbe): Promise<boolean> {
  try {
    const connection = await createConnection(connectionOptions(probe, { rejectUnauthorized: false }));
    await connection.end();
    return true;
  } catch {
    return false;
  }
}

const steps: ReadonlyArray<Step<Context>> = [
  {
    check: "reachable",
    doing: "opening a TCP connection",
    laterStepsNeedIt: true,
    async run({ probe }) {
      try {
        await tcpConnect(probe.host, probe.port, probe.timeoutMs);
        return pass(`${where(probe)} accepts connections`);
      } catch (error) {
        return fail(
          describeNetworkError(error, where(probe)) ?? `cannot connect to ${where(probe)}: ${errorMessage(error)}`,
          "check database.host and database.port, and that this machine (and the cluster) may reach the server (firewall, security group)",
        );
      }
    },
  },
  {
    check: "TLS",
    doing: "verifying the server certificate against database.caCertificate",
    laterStepsNeedIt: true,
    async run(context) {
      const { probe } = context;
      const error = await loginError(context);
      const tls = error === undefined ? undefined : describeTlsError(error);
      if (tls !== undefined || errorCode(error) === "HANDSHAKE_NO_SSL_SUPPORT") {
        return fail(
          tls ?? "the server does not offer TLS",
          "database.caCertificate must be the CA that signed the server's certificate, and the certificate must name database.host",
        );
      }
      if (error !== undefined) {
        // An error the server sent (access denied...) comes after the TLS handshake: TLS worked.
        if (typeof (error as { sqlState?: unknown }).sqlState === "string") return pass("server certificate verified against database.caCertificate");
        return fail(`no TLS session: ${describeNetworkError(error, where(probe)) ?? errorMessage(error)}`);
      }
      const [rows] = await (await login(context)).query<RowDataPacket[]>("SHOW SESSION STATUS LIKE 'Ssl_cipher'");
      const cipher = String(rows[0]?.Value ?? "");
      if (cipher === "") return fail("connected, but the session is not encrypted (Ssl_cipher is empty)", "enable TLS on the server");
      return pass(`server certificate verified against database.caCertificate; session encrypted (${cipher})`);
    },
  },
  {
    check: "credentials",
    doing: "logging in",
    laterStepsNeedIt: true,
    async run(context) {
      const { probe } = context;
      if (probe.password === undefined) {
        return fail(`no password: ${probe.passwordSource} is not set`, `export ${probe.passwordSource}=... (the password of ${probe.username}; Terraform reads the same variable)`);
      }
      const error = await loginError(context);
      if (error === undefined) return pass(`logged in as ${probe.username}`);
      const code = errorCode(error);
      if (code === "ER_SECURE_TRANSPORT_REQUIRED" || (code === "ER_ACCESS_DENIED_ERROR" && !probe.caCertificate && (await acceptedOnlyOverTls(probe)))) {
        return fail(
          `the server accepts ${probe.username} only over TLS`,
          "set database.caCertificate to the CA of the server's certificate: Gitpod then connects with TLS",
        );
      }
      if (code === "ER_ACCESS_DENIED_ERROR") {
        return fail(
          `access denied for ${probe.username} (${errorMessage(error)})`,
          `check ${probe.passwordSource} and database.username, and that the user may connect from this host ('${probe.username}'@'%')`,
        );
      }
      return fail(`login failed: ${describeNetworkError(error, where(probe)) ?? errorMessage(error)}`);
    },
  },
  {
    check: "server version",
    doing: "reading the server version",
    laterStepsNeedIt: false,
    async run(context) {
      const connection = await login(context);
      const [[row]] = await connection.query<RowDataPacket[]>("SELECT VERSION() AS version");
      // Aria is MariaDB's own engine: its settings exist on every MariaDB server, never on MySQL.
      const [aria] = await connection.query<RowDataPacket[]>("SHOW VARIABLES LIKE 'aria_block_size'");
      return assessServerVersion(String(row.version), aria.length > 0);
    },
  },
  {
    check: "explicit_defaults_for_timestamp",
    doing: "reading explicit_defaults_for_timestamp",
    laterStepsNeedIt: false,
    async run(context) {
      const [[row]] = await (await login(context)).query<RowDataPacket[]>("SELECT @@GLOBAL.explicit_defaults_for_timestamp AS value");
      if (Number(row.value) === 0) return pass("OFF");
      return fail(
        "ON: Gitpod's schema relies on the old TIMESTAMP defaults",
        "set explicit_defaults_for_timestamp = OFF in the server's configuration (on RDS: a custom DB parameter group)",
      );
    },
  },
  {
    check: "create database",
    doing: "creating Gitpod's sessions database as Gitpod will (CREATE DATABASE IF NOT EXISTS `gitpod-sessions`)",
    laterStepsNeedIt: false,
    async run(context) {
      try {
        await (await login(context)).query(CREATE_SESSIONS_DATABASE);
        return pass("may create databases (`gitpod-sessions` exists, as Gitpod's init job would leave it)");
      } catch (error) {
        if (errorCode(error) === "ER_DBACCESS_DENIED_ERROR" || errorCode(error) === "ER_SPECIFIC_ACCESS_DENIED_ERROR") {
          return fail(
            `${context.probe.username} may not create databases (${errorMessage(error)})`,
            `GRANT ALL ON \`gitpod-sessions\`.* and ON \`gitpod\`.* TO '${context.probe.username}'@'%' (Gitpod's init job runs CREATE DATABASE IF NOT EXISTS \`gitpod-sessions\`)`,
          );
        }
        throw error;
      }
    },
  },
];

/** MySQL 5.7 passes; newer (or MariaDB) warns; anything below 5.7 fails. */
export function assessServerVersion(version: string, isMariadb: boolean): Outcome {
  const mariadb = isMariadb || /mariadb/i.test(version);
  const number = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  const product = mariadb ? "MariaDB" : "MySQL";
  const shown = mariadb ? `MariaDB ${version.replace(/-MariaDB.*$/i, "")}` : `MySQL ${version}`;
  if (!number) return warn(`${product} with an unrecognised version "${version}"`, "Gitpod was tested on MySQL 5.7 only");
  const [major, minor] = [Number(number[1]), Number(number[2])];
  if (!atLeast({ major, minor }, MINIMUM)) {
    return fail(`${shown} is older than 5.7`, "Gitpod needs MySQL 5.7: upgrade the server");
  }
  if (!mariadb && major === 5 && minor === 7) return pass(shown);
  return warn(
    `${shown}: Gitpod was only tested on MySQL 5.7`,
    mariadb ? "MariaDB is not a supported Gitpod database; it usually works, but MySQL 5.7 is what Gitpod was tested with" : "MySQL 8 users must use mysql_native_password (Gitpod's driver lacks caching_sha2_password)",
  );
}

export async function checkDatabase(probe: DatabaseProbe, progress: Progress): Promise<CheckResult[]> {
  const context: Context = { probe };
  try {
    // Without a CA, Gitpod connects without TLS, and so does this check.
    const applicable = probe.caCertificate ? steps : steps.filter((step) => step.check !== "TLS");
    return await runSteps(DATABASE, applicable, context, progress);
  } finally {
    await context.login?.then((connection) => connection.end()).catch(() => undefined);
  }
}
