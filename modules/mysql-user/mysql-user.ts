import * as fs from "fs";
import * as path from "path";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { Password } from "@cdktf/provider-random/lib/password";
import { Fn, TerraformLocal, Token, type ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import type { IConfigMap } from "kubernetes-models/v1/ConfigMap";
import type { IJob } from "kubernetes-models/batch/v1/Job";
import type { IEnvVar } from "kubernetes-models/v1/EnvVar";
import type { GitpodDatabase } from "../gitpod/dependencies";
import { ChartRelease, helmHookAnnotations } from "../helm-chart/chart-release";
import { imagePullSecretsOf, MANAGED_BY_LABEL } from "../helm-chart/kubernetes-object";
import { GITPOD_DATABASES } from "../in-cluster-mysql/in-cluster-mysql-database";
import { writeOnlyVersion } from "../terraform/write-only-version";

/** The script the Job runs; shipped next to this file (and inside the Job's chart). */
export const MYSQL_USER_SCRIPT_PATH = path.join(__dirname, "mysql-user.sh");

/** How long one run may take: the script gives up reaching the server after about 3 minutes. */
const JOB_DEADLINE_SECONDS = 300;

/** A MySQL server and an account on it that may create users and grant on Gitpod's databases. */
export interface MysqlAdminAccess {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  /** Sensitive. */
  readonly password: string;
  /** PEM bundle of the CA of the server's certificate: the Job then verifies the server and its name. */
  readonly caCertificate?: string;
}

export interface MysqlUserProps {
  /** Gitpod's namespace: the Job and its Secret live there. */
  readonly namespace: string;
  /** Prefix of the objects' names. */
  readonly namePrefix: string;
  /** Where to create the user, as whom (e.g. the RDS master user). */
  readonly admin: MysqlAdminAccess;
  /** Gitpod's user: letters, digits and `_`, at most 32 characters, not the admin. */
  readonly username: string;
  /** The user may connect only with TLS (`REQUIRE SSL`); otherwise `REQUIRE NONE`. */
  readonly requireTls: boolean;
  /** An image with /bin/sh and a MySQL (or MariaDB) client, e.g. MySQL's official image. */
  readonly image: string;
  /**
   * Secrets in the namespace to pull the images with (a mirror's login).
   * @default none
   */
  readonly imagePullSecrets?: readonly string[];
  /** @default ["gitpod", "gitpod-sessions"] (GITPOD_DATABASES) */
  readonly databases?: readonly string[];
  /** Terraform resources the Job needs first (the database itself lives in another stack). */
  readonly dependsOn?: ITerraformDependable[];
}

/** The Secret the Job reads, and the names of the Job's objects, for a name prefix. */
export function mysqlUserSetupName(namePrefix: string): string {
  return `${namePrefix}-mysql-user-setup`;
}

/**
 * Gitpod's own MySQL user on a server Gitpod does not run itself (RDS): all privileges on Gitpod's
 * two databases and nothing else, `mysql_native_password` (Gitpod's Node driver has no
 * `caching_sha2_password`, docs/gitpod-installer.md "Database"), TLS required when `requireTls`.
 * Its password is generated at apply time. A Job in Gitpod's namespace (a hook of its own Helm
 * release, which the apply waits for) creates the user, or updates it, logged in as the admin
 * account whose credentials it reads from a Secret; it runs again whenever that Secret changes (a
 * new password, host or CA) or the script does. It never drops anything.
 *
 * It is what Gitpod connects as (a GitpodDatabase): Gitpod is installed only after the Job ran.
 */
export class MysqlUser extends Construct implements GitpodDatabase {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  readonly caCertificate?: string;
  readonly prerequisites: readonly ITerraformDependable[];
  /** Everything the Job reads: the admin's credentials, Gitpod's password, the CA. */
  readonly secret: SecretV1;
  readonly setup: ChartRelease;
  readonly manifests: readonly [IConfigMap, IJob];

  constructor(scope: Construct, id: string, props: MysqlUserProps) {
    super(scope, id);
    if (!/^[A-Za-z0-9_]{1,32}$/.test(props.username)) {
      throw new Error(`MysqlUser: "${props.username}" must be 1 to 32 letters, digits or _`);
    }
    if (props.username === props.admin.username) {
      throw new Error(`MysqlUser: Gitpod's user must not be the admin user "${props.admin.username}"`);
    }
    const name = mysqlUserSetupName(props.namePrefix);
    const namespace = props.namespace;
    const labels = { "app.kubernetes.io/name": "mysql-user-setup", ...MANAGED_BY_LABEL };
    const admin = props.admin;
    const caCertificate = admin.caCertificate;

    // Alphanumeric: Gitpod passes it through connection strings and shell commands.
    const password = new Password(this, "password", { length: 32, special: false });
    // A local value (Terraform keeps locals in no state), written to the cluster write-only: the
    // master password is not stored again in this stack's state. The revision changes exactly when
    // the data does, which is when the provider writes it again.
    const secretData = new TerraformLocal(this, "secret-data", {
      host: admin.host,
      port: Token.isUnresolved(admin.port) ? Token.asString(admin.port) : String(admin.port),
      "admin-username": admin.username,
      "admin-password": admin.password,
      password: password.result,
      ...(caCertificate === undefined ? {} : { "ca.crt": caCertificate }),
    }).asStringMap;
    this.secret = new SecretV1(this, "secret", {
      metadata: { name, namespace, labels },
      dataWo: secretData,
      dataWoRevision: writeOnlyVersion(Fn.jsonencode(secretData)),
    });

    const fromSecret = (envName: string, key: string): IEnvVar => ({ name: envName, valueFrom: { secretKeyRef: { name, key } } });
    const script: IConfigMap = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name, labels },
      data: { "mysql-user.sh": fs.readFileSync(MYSQL_USER_SCRIPT_PATH, "utf8") },
    };
    const job: IJob = {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: {
        name,
        labels,
        // Runs at every install and upgrade of its release (a changed Secret or script), and the
        // apply waits for it.
        annotations: helmHookAnnotations("post-install,post-upgrade"),
      },
      spec: {
        backoffLimit: 3,
        activeDeadlineSeconds: JOB_DEADLINE_SECONDS,
        template: {
          metadata: { labels },
          spec: {
            restartPolicy: "Never",
            // It talks to MySQL only, never to the Kubernetes API.
            automountServiceAccountToken: false,
            ...imagePullSecretsOf(props.imagePullSecrets),
            securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: "RuntimeDefault" } },
            containers: [
              {
                name: "mysql-user",
                image: props.image,
                command: ["/bin/sh", "/scripts/mysql-user.sh"],
                env: [
                  fromSecret("MYSQL_HOST", "host"),
                  fromSecret("MYSQL_PORT", "port"),
                  fromSecret("ADMIN_USER", "admin-username"),
                  fromSecret("ADMIN_PASSWORD", "admin-password"),
                  { name: "GITPOD_USER", value: props.username },
                  fromSecret("GITPOD_PASSWORD", "password"),
                  { name: "DATABASES", value: (props.databases ?? GITPOD_DATABASES).join(" ") },
                  { name: "REQUIRE_TLS", value: String(props.requireTls) },
                  ...(caCertificate === undefined ? [] : [{ name: "CA_FILE", value: "/etc/mysql-ca/ca.crt" }]),
                  { name: "WORK_DIR", value: "/run/mysql-user" },
                ],
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                volumeMounts: [
                  // The admin's option file lives in memory only.
                  { name: "work", mountPath: "/run/mysql-user" },
                  { name: "script", mountPath: "/scripts", readOnly: true },
                  ...(caCertificate === undefined ? [] : [{ name: "ca", mountPath: "/etc/mysql-ca", readOnly: true }]),
                ],
                resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } },
              },
            ],
            volumes: [
              { name: "work", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } },
              { name: "script", configMap: { name } },
              ...(caCertificate === undefined ? [] : [{ name: "ca", secret: { secretName: name, items: [{ key: "ca.crt", path: "ca.crt" }], defaultMode: 0o444 } }]),
            ],
          },
        },
      },
    };
    this.manifests = [script, job];
    this.setup = new ChartRelease(this, "setup", {
      chartName: name,
      version: "1.0.0",
      description: "Creates Gitpod's MySQL user (generated by gitpod-cdktf)",
      manifests: this.manifests,
      releaseName: name,
      namespace,
      timeoutSeconds: JOB_DEADLINE_SECONDS + 300,
      // A new password, host, admin or CA runs the Job again (the script is part of the chart).
      sensitiveChecksums: { setup: Fn.sha256(Fn.jsonencode(secretData)) },
      dependsOn: [this.secret, ...(props.dependsOn ?? [])],
    });

    this.host = admin.host;
    this.port = admin.port;
    this.username = props.username;
    this.password = password.result;
    this.caCertificate = caCertificate;
    this.prerequisites = [this.setup.release];
  }
}
