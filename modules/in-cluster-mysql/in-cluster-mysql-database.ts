import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { Password } from "@cdktf/provider-random/lib/password";
import { Construct } from "constructs";
import type { GitpodDatabase } from "../gitpod/dependencies";
import { credentialsSecretName, fromCredentials, PersistentServer, type PersistentServerPlacement } from "../persistent-server/persistent-server";

/** `name` names the server's objects (Deployment, Service, Secret...); `image` is MySQL 5.7 (Docker's official image or a mirror of it). */
export interface InClusterMysqlDatabaseProps extends PersistentServerPlacement {
  /** Account Gitpod connects with. Default "gitpod". */
  readonly username?: string;
}

/** Databases Gitpod uses: `gitpod`, and `gitpod-sessions` which its init job creates. */
export const GITPOD_DATABASES = ["gitpod", "gitpod-sessions"] as const;

/**
 * MySQL 5.7 in the cluster, set up the way Gitpod needs it: `explicit_defaults_for_timestamp` OFF,
 * a `gitpod` database in utf8mb4, and a user that owns exactly Gitpod's two databases. Passwords
 * are generated at apply time and never leave Terraform state and Kubernetes secrets. New passwords
 * (a replaced random_password) restart the server, which applies them to the existing database at
 * start; Gitpod itself must then be restarted to use them (its pods read them only at start).
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
    // Run by the image on first start only (empty data directory), as root.
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
        // The image reads MYSQL_ROOT_PASSWORD and MYSQL_PASSWORD only when it initialises an empty
        // data directory: on every later start this file sets the passwords to the Secret's, so new
        // credentials (the Secret's checksum restarts the server) reach an existing database too.
        `--init-file=${PASSWORDS_MOUNT}/${PASSWORDS_FILE}`,
      ],
      env: [
        { name: "MYSQL_ROOT_PASSWORD", valueFrom: fromCredentials(props.name, "root-password") },
        { name: "MYSQL_USER", value: this.username },
        { name: "MYSQL_PASSWORD", valueFrom: fromCredentials(props.name, "password") },
      ],
      port: 3306,
      dataMountPath: "/var/lib/mysql",
      // Exits 0 whenever the server answers, even with "access denied".
      readinessCommand: ["mysqladmin", "ping", "--host=127.0.0.1", "--silent"],
      resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "2Gi" } },
      configMapMounts: [{ configMap: initScripts, mountPath: "/docker-entrypoint-initdb.d" }],
      credentialsMount: { keys: [PASSWORDS_FILE], mountPath: PASSWORDS_MOUNT },
      credentials,
      labels: { "app.kubernetes.io/component": "database" },
      dependsOn: [init],
    });
    this.host = this.server.host;
    this.port = this.server.port;
    this.password = userPassword.result;
  }
}

/** Key of the credentials Secret holding mysqlPasswordsScript, and where the server reads it. */
const PASSWORDS_FILE = "passwords.sql";
const PASSWORDS_MOUNT = "/etc/gitpod-cdktf/mysql";

/**
 * SQL mysqld runs at every start (`--init-file`, as MySQL's own root-password reset does): sets the
 * passwords of the accounts clients use over the network to the current ones. `IF EXISTS`: while
 * the image initialises an empty data directory (it passes the server's arguments to the
 * initialising runs too) those accounts do not exist yet, and it creates them with the same
 * passwords itself. `root@localhost` (the socket, inside the pod) is left alone: the image's own
 * set-up logs in there without a password before setting it. One statement per line, no comments:
 * what `--init-file` accepts. Passwords are alphanumeric (random_password without specials).
 */
export function mysqlPasswordsScript(username: string, rootPassword: string, userPassword: string): string {
  return `ALTER USER IF EXISTS 'root'@'%' IDENTIFIED BY '${rootPassword}';\nALTER USER IF EXISTS '${username}'@'%' IDENTIFIED BY '${userPassword}';\n`;
}

/** Creates Gitpod's databases and lets its user own exactly those. */
export function mysqlInitScript(username: string): string {
  return GITPOD_DATABASES.map(
    (database) =>
      `CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4;\n` +
      `GRANT ALL PRIVILEGES ON \`${database}\`.* TO '${username}'@'%';\n`,
  ).join("");
}
