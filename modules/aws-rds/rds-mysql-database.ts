import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { DbParameterGroup } from "@cdktf/provider-aws/lib/db-parameter-group";
import { DbSubnetGroup } from "@cdktf/provider-aws/lib/db-subnet-group";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Construct } from "constructs";
import type { GitpodDatabase } from "../gitpod/dependencies";
import { writeOnlyVersion } from "../terraform/write-only-version";

/** RDS for MySQL major versions Gitpod can run on; see docs/aws.md, "RDS engine version". */
export const RDS_MYSQL_VERSIONS = ["5.7", "8.0", "8.4"] as const;
export type RdsMysqlVersion = (typeof RDS_MYSQL_VERSIONS)[number];

export interface RdsMysqlDatabaseProps {
  /** DB instance identifier; also names its subnet group, security group and final snapshot. */
  readonly identifier: string;
  readonly engineVersion: RdsMysqlVersion;
  readonly instanceClass: string;
  readonly allocatedStorageGb: number;
  /** Storage autoscaling limit; omit to disable autoscaling. */
  readonly maxAllocatedStorageGb?: number;
  readonly multiAz: boolean;
  readonly backupRetentionDays: number;
  readonly vpcId: string;
  readonly subnetIds: readonly string[];
  /** Security groups whose members may connect on 3306 (e.g. the EKS cluster's). */
  readonly allowedSecurityGroupIds: readonly string[];
  readonly allowedCidrBlocks: readonly string[];
  /** Master password (sensitive reference; at most 41 characters). Written to RDS write-only. */
  readonly password: string;
  /** The RDS CA bundle: clients verify the server with it (Gitpod: `database.ssl.caCert`). */
  readonly caCertificate?: string;
  /**
   * The server refuses connections without TLS (`require_secure_transport`).
   * @default whether `caCertificate` is given
   */
  readonly requireSecureTransport?: boolean;
  readonly applyImmediately: boolean;
  readonly deletionProtection: boolean;
  readonly finalSnapshot: boolean;
  /** Master user (RDS cannot rename it). Default "gitpod". */
  readonly username?: string;
}

/** A parameter of the DB parameter group. */
export interface MysqlParameter {
  readonly name: string;
  readonly value: string;
}

/**
 * The parameter group Gitpod needs, per major version:
 * - `explicit_defaults_for_timestamp` 0 always: Gitpod relies on the old TIMESTAMP behaviour (RDS
 *   defaults it to 1 from 8.0 on).
 * - 8.0: new users, the master user included, use `mysql_native_password`: Gitpod's Node driver
 *   has no `caching_sha2_password`.
 * - 8.4: the `mysql_native_password` plugin is off by default and `default_authentication_plugin`
 *   is gone; turn the plugin on and make it the default of `authentication_policy`.
 * - `require_secure_transport` as asked (8.4 may default it on): on by default in the rds mode.
 */
export function mysqlParameters(version: RdsMysqlVersion, requireTls: boolean): MysqlParameter[] {
  const parameters: MysqlParameter[] = [
    { name: "explicit_defaults_for_timestamp", value: "0" },
    { name: "require_secure_transport", value: requireTls ? "1" : "0" },
  ];
  if (version === "8.0") parameters.push({ name: "default_authentication_plugin", value: "mysql_native_password" });
  if (version === "8.4") {
    parameters.push({ name: "mysql_native_password", value: "1" }, { name: "authentication_policy", value: "*:mysql_native_password" });
  }
  return parameters;
}

/** `mysql8.4` for 8.4: the parameter group family of a major version. */
export function parameterGroupFamily(version: RdsMysqlVersion): string {
  return `mysql${version}`;
}

/**
 * RDS for MySQL for Gitpod: private (no public access, port 3306 only from the given sources),
 * encrypted, backed up, protected from deletion, with a parameter group that has what Gitpod needs.
 */
export class RdsMysqlDatabase extends Construct implements GitpodDatabase {
  readonly instance: DbInstance;
  readonly parameterGroup: DbParameterGroup;
  readonly securityGroup: SecurityGroup;
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  readonly caCertificate?: string;

  constructor(scope: Construct, id: string, props: RdsMysqlDatabaseProps) {
    super(scope, id);
    this.username = props.username ?? "gitpod";
    const subnetGroup = new DbSubnetGroup(this, "subnets", {
      name: props.identifier,
      description: `Subnets of Gitpod's database ${props.identifier}`,
      subnetIds: [...props.subnetIds],
    });
    this.securityGroup = new SecurityGroup(this, "security-group", {
      name: props.identifier,
      description: `MySQL (3306) of Gitpod's database ${props.identifier}`,
      vpcId: props.vpcId,
    });
    const ingress = (source: { referencedSecurityGroupId?: string; cidrIpv4?: string }, index: number, kind: string) =>
      new VpcSecurityGroupIngressRule(this, `mysql-from-${kind}-${index}`, {
        securityGroupId: this.securityGroup.id,
        ipProtocol: "tcp",
        fromPort: 3306,
        toPort: 3306,
        description: "MySQL from Gitpod",
        ...source,
      });
    props.allowedSecurityGroupIds.forEach((group, i) => ingress({ referencedSecurityGroupId: group }, i, "security-group"));
    props.allowedCidrBlocks.forEach((cidr, i) => ingress({ cidrIpv4: cidr }, i, "cidr"));

    const family = parameterGroupFamily(props.engineVersion);
    this.parameterGroup = new DbParameterGroup(this, "parameters", {
      // A prefix, so a major upgrade creates the new family's group before the old one goes.
      namePrefix: `${props.identifier}-${props.engineVersion.replace(".", "")}-`,
      family,
      description: `Gitpod's MySQL settings for ${props.identifier}`,
      // Static parameters take effect on the next reboot; all are applied when the instance is created.
      parameter: mysqlParameters(props.engineVersion, props.requireSecureTransport ?? props.caCertificate !== undefined).map((p) => ({ ...p, applyMethod: "pending-reboot" })),
      lifecycle: { createBeforeDestroy: true },
    });

    this.instance = new DbInstance(this, "instance", {
      identifier: props.identifier,
      engine: "mysql",
      // A major version: RDS picks the newest minor and keeps it patched.
      engineVersion: props.engineVersion,
      autoMinorVersionUpgrade: true,
      // Changing engineVersion in the config is then an in-place major upgrade (see README).
      allowMajorVersionUpgrade: true,
      // RDS's default, stated: 5.7 and 8.0 can only run in (paid) Extended Support by now.
      engineLifecycleSupport: "open-source-rds-extended-support",
      instanceClass: props.instanceClass,
      allocatedStorage: props.allocatedStorageGb,
      maxAllocatedStorage: props.maxAllocatedStorageGb ?? 0,
      storageType: "gp3",
      storageEncrypted: true,
      dbName: "gitpod",
      username: this.username,
      // Write-only: the password is not stored again, in the instance's state. RDS receives it when
      // the version changes, and the version is derived from the password, so a new password
      // (rotated, or regenerated) is always set on RDS too.
      passwordWo: props.password,
      passwordWoVersion: writeOnlyVersion(props.password),
      parameterGroupName: this.parameterGroup.name,
      dbSubnetGroupName: subnetGroup.name,
      vpcSecurityGroupIds: [this.securityGroup.id],
      publiclyAccessible: false,
      multiAz: props.multiAz,
      backupRetentionPeriod: props.backupRetentionDays,
      copyTagsToSnapshot: true,
      deletionProtection: props.deletionProtection,
      skipFinalSnapshot: !props.finalSnapshot,
      finalSnapshotIdentifier: props.finalSnapshot ? `${props.identifier}-final` : undefined,
      caCertIdentifier: "rds-ca-rsa2048-g1",
      applyImmediately: props.applyImmediately,
      lifecycle: { preventDestroy: props.deletionProtection },
    });
    this.host = this.instance.address;
    this.port = this.instance.port;
    this.password = props.password;
    this.caCertificate = props.caCertificate;
  }
}
