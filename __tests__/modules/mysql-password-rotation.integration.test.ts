/**
 * The in-cluster MySQL's password rotation, replayed on a real server (MariaDB: Oracle MySQL is not
 * packaged here): the data directory is initialised once, the way the official image does it, and
 * every later start runs the `--init-file` the Deployment passes, with the passwords of the moment.
 * MariaDB and MySQL 5.7 share `--init-file`, `ALTER USER IF EXISTS` and the account matching used
 * here (and PREPARE of ALTER USER); what this cannot show is the image's entrypoint itself (it
 * passes the same arguments to its initialising runs, which is the "users do not exist yet" start
 * below, and logs in there as root without a password).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { createConnection } from "mysql2/promise";
import { mysqlPasswordsScript } from "../../modules/in-cluster-mysql/in-cluster-mysql-database";
import { MARIADB_TOOLS, querySocket } from "../support/servers/mariadb";
import { acceptsConnections, freePort, startProcess, waitUntil, type ServerProcess } from "../support/servers/processes";
import { scratchDir } from "../support/synth";
import { describeWithTools } from "../support/tools";

const FIRST = { root: "RootPassword1aaaaaaaaaaaaaaaaaaaa", user: "UserPassword1bbbbbbbbbbbbbbbbbbbb" };
const ROTATED = { root: "RootPassword2cccccccccccccccccccc", user: "UserPassword2dddddddddddddddddddd" };

describeWithTools("MySQL passwords set at every start from the credentials Secret (--init-file)", MARIADB_TOOLS, () => {
  const dir = scratchDir("mysql-rotation-");
  const dataDir = path.join(dir, "data");
  const socket = path.join(dir, "s.sock");
  const initFile = path.join(dir, "passwords.sql");
  let port: number;
  let server: ServerProcess | undefined;

  /** Starts mysqld as the Deployment does: its arguments plus the init file with `passwords`. */
  async function start(passwords: { root: string; user: string }) {
    await stop(); // after a failed test
    fs.writeFileSync(initFile, mysqlPasswordsScript("gitpod", passwords.root, passwords.user), { mode: 0o444 });
    port = await freePort();
    server = startProcess("mariadbd", "mariadbd", [
      "--no-defaults",
      "--user=root",
      `--datadir=${dataDir}`,
      `--socket=${socket}`,
      `--pid-file=${path.join(dir, "pid")}`,
      `--port=${port}`,
      "--bind-address=127.0.0.1",
      "--skip-name-resolve",
      `--log-error=${path.join(dir, "error.log")}`,
      "--innodb-log-file-size=8M",
      "--explicit-defaults-for-timestamp=OFF",
      `--init-file=${initFile}`,
    ], { logDir: dir });
    // The server listens only once it has run the init file.
    await waitUntil("mariadbd", () => acceptsConnections(port), path.join(dir, "error.log"));
  }
  async function stop() {
    await server?.stop();
    server = undefined;
  }
  /**
   * root@localhost over the socket: without a password while the image sets the server up, with
   * the root password afterwards (`kubectl exec` into the pod is the only way to it).
   */
  const asSocketRoot = (password: string | undefined, ...statements: string[]) => querySocket(socket, password, ...statements);
  /** Resolves to the error code or "ok". */
  async function socketLogin(password: string | undefined): Promise<string> {
    try {
      await asSocketRoot(password, "SELECT 1");
      return "ok";
    } catch (error) {
      return String((error as { code?: string }).code ?? error);
    }
  }
  const accounts = async (password: string) =>
    ((await asSocketRoot(password, "SELECT CONCAT(User, '@', Host) AS account FROM mysql.user ORDER BY account")) as { account: string }[]).map((row) => row.account);
  /** A client over TCP, as Gitpod connects; resolves to the error code or "ok". */
  async function login(user: string, password: string): Promise<string> {
    try {
      const connection = await createConnection({ host: "127.0.0.1", port, user, password });
      await connection.query("SELECT 1");
      await connection.end();
      return "ok";
    } catch (error) {
      return String((error as { code?: string }).code ?? error);
    }
  }

  beforeAll(() => {
    // Like `mysqld --initialize-insecure`: only root@localhost, no password.
    execFileSync(
      "mariadb-install-db",
      ["--no-defaults", "--user=root", `--datadir=${dataDir}`, "--auth-root-authentication-method=normal", "--skip-test-db", "--innodb-log-file-size=8M"],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
  });
  afterAll(() => stop());

  it("starts while the accounts do not exist yet, leaving the image's passwordless set-up login alone", async () => {
    await start(FIRST);
    // The image's set-up logs in as root over the socket without a password: still possible.
    expect(await socketLogin(undefined)).toBe("ok");
    // mariadb-install-db also makes root@127.0.0.1, root@::1 and root@<hostname>, which
    // `mysqld --initialize-insecure` does not: drop them, leaving what MySQL starts with.
    const extraAccounts = (await asSocketRoot(undefined, "SELECT User AS user, Host AS host FROM mysql.user WHERE Host <> 'localhost'")) as { user: string; host: string }[];
    for (const { user, host } of extraAccounts) await asSocketRoot(undefined, `DROP USER '${user}'@'${host}'`);
    // What the image's set-up then does (docker_setup_db, MYSQL_ROOT_HOST=localhost: no root@'%').
    await asSocketRoot(
      undefined,
      `ALTER USER 'root'@'localhost' IDENTIFIED BY '${FIRST.root}'`,
      `CREATE USER 'gitpod'@'%' IDENTIFIED BY '${FIRST.user}'`,
      "CREATE DATABASE gitpod",
      "GRANT ALL ON `gitpod`.* TO 'gitpod'@'%'",
      "CREATE TABLE gitpod.kept (id INT PRIMARY KEY)",
      "INSERT INTO gitpod.kept VALUES (1)",
    );
    expect(await login("gitpod", FIRST.user)).toBe("ok");
    expect(await socketLogin(FIRST.root)).toBe("ok");
    await stop();
  });

  it("keeps the passwords across a restart with the same Secret, and root only at localhost", async () => {
    await start(FIRST);
    expect(await login("gitpod", FIRST.user)).toBe("ok");
    expect(await socketLogin(FIRST.root)).toBe("ok");
    expect(await login("root", FIRST.root)).toBe("ER_ACCESS_DENIED_ERROR");
    expect(await accounts(FIRST.root)).toEqual(expect.arrayContaining(["gitpod@%", "root@localhost"]));
    expect(await accounts(FIRST.root)).not.toContain("root@%");
    await stop();
  });

  it("applies rotated passwords to the existing database on the next start, root's included, and refuses the old ones", async () => {
    await start(ROTATED);
    expect(await login("gitpod", ROTATED.user)).toBe("ok");
    expect(await socketLogin(ROTATED.root)).toBe("ok");
    expect(await login("gitpod", FIRST.user)).toBe("ER_ACCESS_DENIED_ERROR");
    expect(await socketLogin(FIRST.root)).toBe("ER_ACCESS_DENIED_ERROR");
    // The data is untouched.
    const connection = await createConnection({ host: "127.0.0.1", port, user: "gitpod", password: ROTATED.user, database: "gitpod" });
    const [rows] = await connection.query("SELECT id FROM kept");
    await connection.end();
    expect(rows).toEqual([{ id: 1 }]);
    await stop();
  });

  it("drops the root@'%' of an installation set up before root was kept at localhost", async () => {
    await start(ROTATED);
    // What the image's set-up did when MYSQL_ROOT_HOST was unset ('%').
    await asSocketRoot(ROTATED.root, `CREATE USER 'root'@'%' IDENTIFIED BY '${ROTATED.root}'`, "GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION");
    expect(await login("root", ROTATED.root)).toBe("ok");
    await stop();
    await start(ROTATED);
    expect(await login("root", ROTATED.root)).toBe("ER_ACCESS_DENIED_ERROR");
    expect(await accounts(ROTATED.root)).not.toContain("root@%");
    expect(await login("gitpod", ROTATED.user)).toBe("ok");
    expect(await socketLogin(ROTATED.root)).toBe("ok");
    await stop();
  });
});
