import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { Password } from "@cdktf/provider-random/lib/password";
import { Construct } from "constructs";
import type { GitpodDatabase } from "../gitpod/dependencies";
import { credentialsSecretName, PersistentServer, type ClientSelector, type PersistentServerPlacement } from "../persistent-server/persistent-server";

/** `name` names the server's objects (Deployment, Service, Secret...); `image` is MySQL 5.7 (Docker's official image or a mirror of it). */
export interface InClusterMysqlDatabaseProps extends PersistentServerPlacement {
  /** Account Gitpod connects with. Default "gitpod". */
  readonly username?: string;
}

/** Databases Gitpod uses: `gitpod`, and `gitpod-sessions` which its init job creates. */
export const GITPOD_DATABASES = ["gitpod", "gitpod-sessions"] as const;

/**
 * The pods of Gitpod 2022.11.3 that connect to its database: those whose containers get the
 * installer's `common.DatabaseEnv`, or its `database-waiter` init container (which connects to wait
 * for the database). From the installer's source at tag 2022.11.3, install/installer/pkg/components:
 * server, ws-manager-bridge, usage and public-api-server (Deployments), migrations and dbinit (the
 * Jobs that create the schema and `gitpod-sessions`), gitpod (the installation-telemetry CronJob's
 * database-waiter), slow-server (only with `experimental.webapp.slowDatabase`). Every pod template
 * carries `common.DefaultLabels(component)`: `app: gitpod`, `component: <name>`
 * (install/installer/pkg/common/common.go).
 *
 * Not just `app: gitpod`: workspace pods carry it too (`component: workspace`, set by ws-manager),
 * and they run users' code.
 */
export const GITPOD_DATABASE_CLIENTS: ClientSelector = {
  app: ["gitpod"],
  component: ["server", "ws-manager-bridge", "usage", "public-api-server", "migrations", "dbinit", "gitpod", "slow-server"],
};

/**
 * The official mysql:5.7 image's `mysql` user and group (`groupadd --system --gid 999 mysql;
 * useradd --system --uid 999 --gid 999 ... mysql`, docker-library/mysql 5.7/Dockerfile.oracle).
 * Its entrypoint, started as root, chowned the data directory to that user and stepped down to it
 * (gosu) before running mysqld, so data written before this ran as non-root is already its own.
 * Started as that user, the entrypoint skips the chown and runs mysqld directly.
 */
export const MYSQL_IMAGE_USER = { user: 999, group: 999 } as const;

/**
 * MySQL 5.7 in the cluster, set up the way Gitpod needs it: `explicit_defaults_for_timestamp` OFF,
 * a `gitpod` database in utf8mb4, and a user that owns exactly Gitpod's two databases. Passwords
 * are generated at apply time and never leave Terraform state and Kubernetes secrets; the server
 * reads them from files. New passwords (a replaced random_password) restart the server, which
 * applies them to the existing database at start; Gitpod itself must then be restarted to use them
 * (its pods read them only at start). `root` exists only at localhost (inside the pod), and only
 * Gitpod's pods that use the database may connect to it.
 */
export class InClusterMysqlDatabase extends Construct implements GitpodDatabase {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  readonly server: PersistentServer;

  constructor(scope: Construct, id: string, props: InClusterMysqlDatabaseProps) {
    super(scope, id);
    this.username = props.username ?? "gitpod";
    // Alphanumeric: passwords end up in connection strings and shell commands of Gitpod's jobs.
    const rootPassword = new Password(this, "root-password", { length: 32, special: false });
    const userPassword = new Password(this, "user-password", { length: 32, special: false });
    const credentials = new SecretV1(this, "credentials", {
      metadata: { name: credentialsSecretName(props.name), namespace: props.namespace },
      data: {
        "root-password": rootPassword.result,
        password: userPassword.result,
        [PASSWORDS_FILE]: mysqlPasswordsScript(this.username, rootPassword.result, userPassword.result),
      },
    });
    // Run by the image on first start only (empty data directory).
    const initScripts = `${props.name}-init`;
    const init = new ConfigMapV1(this, "init-scripts", {
      metadata: { name: initScripts, namespace: props.namespace },
      data: { "gitpod.sql": mysqlInitScript(this.username) },
    });

    const { username: _, ...placement } = props;
    this.server = new PersistentServer(this, "server", {
      ...placement,
      args: [
        // Gitpod relies on the pre-5.6 TIMESTAMP behaviour (docs/gitpod-installer.md, "Database").
        "--explicit-defaults-for-timestamp=OFF",
        // The image reads the passwords only when it initialises an empty data directory: on every
        // later start this file sets them to the Secret's, so new credentials (the Secret's
        // checksum restarts the server) reach an existing database too.
        `--init-file=${CREDENTIALS_MOUNT}/${PASSWORDS_FILE}`,
      ],
      env: [
        // The image's entrypoint reads `<VAR>_FILE` for each of these (its `file_env`): the
        // passwords stay out of the container's environment, which `kubectl exec` shells inherit.
        { name: "MYSQL_ROOT_PASSWORD_FILE", value: `${CREDENTIALS_MOUNT}/root-password` },
        { name: "MYSQL_USER", value: this.username },
        { name: "MYSQL_PASSWORD_FILE", value: `${CREDENTIALS_MOUNT}/password` },
        // Unset, the 5.7 entrypoint defaults it to '%' and creates root@'%': root reachable from
        // any host. `localhost` creates no other root account (docker-entrypoint.sh,
        // docker_setup_db); mysqlPasswordsScript drops the root@'%' of older installations.
        { name: "MYSQL_ROOT_HOST", value: "localhost" },
      ],
      port: 3306,
      dataMountPath: "/var/lib/mysql",
      runAs: MYSQL_IMAGE_USER,
      // The root filesystem is read-only. mysqld's socket and pid file (socket=/var/run/mysqld/
      // mysqld.sock in the image's /etc/my.cnf) and the entrypoint's bash here-documents and
      // mysqld's temporary files (/tmp) need writable directories; the data is on the volume.
      scratchDirs: ["/var/run/mysqld", "/tmp"],
      health: {
        // Exits 0 whenever the server answers, even with "access denied" (no account is needed).
        // While the image initialises an empty volume its temporary server listens on no TCP
        // port (--skip-networking): the probe passes only once the real server is up.
        ready: { command: ["mysqladmin", "ping", "--host=127.0.0.1", "--silent"] },
        // Initialising an empty volume, or InnoDB's crash recovery of a large one.
        startupSeconds: 600,
      },
      resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "2", memory: "2Gi" } },
      configMapMounts: [{ configMap: initScripts, mountPath: "/docker-entrypoint-initdb.d" }],
      credentialsMount: { keys: ["root-password", "password", PASSWORDS_FILE], mountPath: CREDENTIALS_MOUNT },
      credentials,
      clients: GITPOD_DATABASE_CLIENTS,
      labels: { "app.kubernetes.io/component": "database" },
      dependsOn: [init],
    });
    this.host = this.server.host;
    this.port = this.server.port;
    this.password = userPassword.result;
  }
}

/** Key of the credentials Secret holding mysqlPasswordsScript, and where the server reads its credentials. */
const PASSWORDS_FILE = "passwords.sql";
const CREDENTIALS_MOUNT = "/etc/gitpod-cdktf/mysql";

/**
 * SQL mysqld runs at every start (`--init-file`, as MySQL's own root-password reset does), as a
 * bootstrap session with every privilege. One statement per line, no comments: what `--init-file`
 * accepts. Passwords are alphanumeric (random_password without specials).
 *
 * - Drops `root@'%'`: images before MYSQL_ROOT_HOST=localhost created it, and kept root reachable
 *   from every pod. Nothing of this project or of Gitpod logs in as root over the network.
 * - Sets the password of Gitpod's user. `IF EXISTS`: while the image initialises an empty data
 *   directory (it passes the server's arguments to `mysqld --initialize-insecure` and to its
 *   temporary server) the account does not exist yet; the image then creates it with the same
 *   password.
 * - Sets root@localhost's password, but only once it has one: the image's own set-up logs in
 *   there without a password (over the socket) before it sets it, and must still be able to. MySQL
 *   has no conditional statement outside stored programs, hence the prepared statement, chosen
 *   from a query (ALTER USER is preparable: MySQL 5.7's sql_prepare.cc, check_prepared_statement).
 */
export function mysqlPasswordsScript(username: string, rootPassword: string, userPassword: string): string {
  const alterRoot = `ALTER USER ''root''@''localhost'' IDENTIFIED BY ''${rootPassword}''`;
  return [
    "DROP USER IF EXISTS 'root'@'%';",
    `ALTER USER IF EXISTS '${username}'@'%' IDENTIFIED BY '${userPassword}';`,
    `SET @gitpod_cdktf_root = IF((SELECT COUNT(*) FROM mysql.user WHERE User = 'root' AND Host = 'localhost' AND authentication_string <> '') > 0, '${alterRoot}', 'DO 0');`,
    "PREPARE gitpod_cdktf_root FROM @gitpod_cdktf_root;",
    "EXECUTE gitpod_cdktf_root;",
    "DEALLOCATE PREPARE gitpod_cdktf_root;",
    "SET @gitpod_cdktf_root = NULL;",
  ].map((line) => `${line}\n`).join("");
}

/** Creates Gitpod's databases and lets its user own exactly those. */
export function mysqlInitScript(username: string): string {
  return GITPOD_DATABASES.map(
    (database) =>
      `CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4;\n` +
      `GRANT ALL PRIVILEGES ON \`${database}\`.* TO '${username}'@'%';\n`,
  ).join("");
}
