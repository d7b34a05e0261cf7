/**
 * MariaDB (Debian's `mariadb-server`) on 127.0.0.1, one data folder per server. See
 * shared test-servers reference: ready in well under a second, stopped by its PID.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { createConnection } from "mysql2/promise";
import type { TestCertificates } from "./certificates";
import { findTool, type Tool } from "../tools";
import { freePort, startProcess, waitUntil } from "./processes";

export const MARIADB_TOOLS: Tool[] = [findTool("mariadbd"), findTool("mariadb-install-db", ["--version"])];

/**
 * A freshly initialised data folder, made once per test run (mariadb-install-db takes about 1.5 s)
 * and copied for each server. Made under a temporary name and renamed, so parallel test files
 * never see half of one.
 */
function initialDataDir(): string {
  const root = process.env.GITPOD_CDKTF_TEST_TMPDIR ?? os.tmpdir();
  const template = path.join(root, "mariadb-initial-data");
  if (fs.existsSync(template)) return template;
  const building = fs.mkdtempSync(path.join(root, "mariadb-initial-data-"));
  execFileSync(
    "mariadb-install-db",
    ["--no-defaults", "--user=root", `--datadir=${building}`, "--auth-root-authentication-method=normal", "--skip-test-db", "--innodb-log-file-size=8M"],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  try {
    fs.renameSync(building, template);
  } catch {
    // Another test file got there first: use its copy.
    fs.rmSync(building, { recursive: true, force: true });
  }
  return template;
}

export interface MariadbOptions {
  /** Folder of its own for data, socket and log. */
  readonly dir: string;
  /** Reported by VERSION(), e.g. "5.6.51-fake" (MariaDB's `version` setting). */
  readonly version?: string;
  readonly explicitDefaultsForTimestamp?: boolean;
  /** Serve TLS with this certificate. */
  readonly tls?: TestCertificates;
  /** Refuse connections without TLS (`require_secure_transport`). */
  readonly requireSecureTransport?: boolean;
}

export interface MariadbServer {
  readonly port: number;
  /** Runs statements as root over the server's socket; returns the rows of the last one. */
  admin(...statements: string[]): Promise<unknown[]>;
  stop(): Promise<void>;
}

/** Runs statements as root@localhost over a server's socket (with `password`, once root has one); the last one's rows. */
export async function querySocket(socket: string, password: string | undefined, ...statements: string[]): Promise<unknown[]> {
  const connection = await createConnection({ socketPath: socket, user: "root", multipleStatements: false, ...(password === undefined ? {} : { password }) });
  try {
    let rows: unknown[] = [];
    for (const statement of statements) [rows] = (await connection.query(statement)) as [unknown[], unknown];
    return rows;
  } finally {
    await connection.end();
  }
}

export async function startMariadb(options: MariadbOptions): Promise<MariadbServer> {
  const { dir } = options;
  fs.mkdirSync(dir, { recursive: true });
  const dataDir = path.join(dir, "data");
  const socket = path.join(dir, "s.sock");
  fs.cpSync(initialDataDir(), dataDir, { recursive: true });
  const port = await freePort();
  const settings = [
    "[mariadbd]",
    `datadir=${dataDir}`,
    `socket=${socket}`,
    `pid-file=${path.join(dir, "pid")}`,
    `port=${port}`,
    "bind-address=127.0.0.1",
    "skip-name-resolve",
    `log-error=${path.join(dir, "error.log")}`,
    "innodb-log-file-size=8M",
    // A throwaway server: stop without flushing (a second or two less per server).
    "innodb-fast-shutdown=2",
    `explicit_defaults_for_timestamp=${options.explicitDefaultsForTimestamp ? "ON" : "OFF"}`,
    ...(options.version ? [`version=${options.version}`] : []),
    ...(options.tls ? [`ssl-ca=${options.tls.caFile}`, `ssl-cert=${options.tls.certFile}`, `ssl-key=${options.tls.keyFile}`] : []),
    ...(options.requireSecureTransport ? ["require-secure-transport=ON"] : []),
  ];
  const defaultsFile = path.join(dir, "my.cnf");
  fs.writeFileSync(defaultsFile, settings.join("\n") + "\n");
  const server = startProcess("mariadbd", "mariadbd", [`--defaults-file=${defaultsFile}`, "--user=root"], { logDir: dir });

  const admin = (...statements: string[]) => querySocket(socket, undefined, ...statements);
  await waitUntil("mariadbd", async () => (await admin("SELECT 1")).length === 1, path.join(dir, "error.log"));
  return { port, admin, stop: () => server.stop() };
}
