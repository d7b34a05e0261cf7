import { Password } from "@cdktf/provider-random/lib/password";
import { TerraformOutput, Token } from "cdktf";
import * as v from "valibot";
import { cidrBlock, deletionProtection, imageReference, integerBetween, matching, pemCertificate } from "../../config/primitives";
import { RDS_MYSQL_VERSIONS, RdsMysqlDatabase } from "../../modules/aws-rds/rds-mysql-database";
import { MysqlUser } from "../../modules/mysql-user/mysql-user";
import { databaseMode } from "../dependencies";

/** See docs/aws.md, "RDS engine version", for why. */
export const DEFAULT_RDS_MYSQL_VERSION = "8.4";

/** AWS's CA bundle for RDS in every commercial region (docs/aws.md). */
export const RDS_CA_BUNDLE_URL = "https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem";

/** The image of the Job that creates Gitpod's user: MySQL's own, for its client and /bin/sh. */
export const DEFAULT_MYSQL_CLIENT_IMAGE = "docker.io/library/mysql:8.4.6";

/**
 * Gitpod's own user on RDS. The master user keeps the name it always had ("gitpod"): RDS cannot
 * rename it, and Gitpod no longer connects as it.
 */
export const RDS_GITPOD_USERNAME = "gitpod_app";

export const rdsMysql = databaseMode({
  type: "rds",
  summary: "Amazon RDS for MySQL, in your VPC's private subnets",
  entries: {
    /** MySQL major version; docs/aws.md gives the trade-offs of each. */
    engineVersion: v.optional(v.picklist(RDS_MYSQL_VERSIONS), DEFAULT_RDS_MYSQL_VERSION),
    instanceClass: v.optional(matching(/^db\.[a-z0-9]+\.[a-z0-9]+$/, 'must be an RDS instance class such as "db.t4g.medium"'), "db.t4g.medium"),
    allocatedStorageGb: v.optional(integerBetween(20, 65536), 20),
    /** Upper limit for storage autoscaling; omit to disable it. */
    maxAllocatedStorageGb: v.optional(integerBetween(20, 65536)),
    multiAz: v.optional(v.boolean(), false),
    backupRetentionDays: v.optional(integerBetween(1, 35), 7),
    /** Sources allowed to reach port 3306, e.g. the EKS cluster's security group. */
    allowedSecurityGroupIds: v.optional(v.array(matching(/^sg-[0-9a-f]{8,17}$/, "must be a security group id (sg-...)")), []),
    allowedCidrBlocks: v.optional(v.array(cidrBlock), []),
    /** The RDS CA bundle (PEM): Gitpod and the user set-up verify the server with it. Required unless allowInsecureTransport. */
    caCertificate: v.optional(pemCertificate),
    /**
     * Let clients connect without TLS: the server then does not require it
     * (`require_secure_transport` 0) nor does Gitpod's user (`REQUIRE NONE`). Off by default.
     */
    allowInsecureTransport: v.optional(v.boolean(), false),
    /** Image of the Job that creates Gitpod's user: /bin/sh and a MySQL client; point it at your mirror. */
    mysqlClientImage: v.optional(imageReference),
    /** Apply changes now instead of in the next maintenance window (can restart the database). */
    applyImmediately: v.optional(v.boolean(), false),
    deletionProtection,
    /** Take a snapshot `<identifier>-final` when the database is deleted. */
    finalSnapshot: v.optional(v.boolean(), true),
  },
  // The master password is generated in the AWS stack, which uses it; the release reads it only to
  // hand it to the Job that makes Gitpod's own user (MysqlUser), which Gitpod then connects as.
  placement: ["aws-services", "release"],
  aws: { vpcId: "the VPC to create the database in", subnetIds: "two or more private subnets in different availability zones" },
  checks: [
    (rds, report) => {
      if (rds.caCertificate === undefined && !rds.allowInsecureTransport) {
        report(
          ["caCertificate"],
          `is required: RDS requires TLS by default. Download AWS's CA bundle (${RDS_CA_BUNDLE_URL}) next to the config and set caCertificateFile: global-bundle.pem, or set allowInsecureTransport: true to connect without TLS`,
        );
      }
    },
    (rds, report) => {
      if (rds.allowedSecurityGroupIds.length + rds.allowedCidrBlocks.length === 0) {
        report(["allowedSecurityGroupIds"], "give at least one source for port 3306: allowedSecurityGroupIds (e.g. the EKS cluster security group) or allowedCidrBlocks");
      }
    },
    (rds, report) => {
      if (rds.maxAllocatedStorageGb !== undefined && rds.maxAllocatedStorageGb <= rds.allocatedStorageGb) {
        report(["maxAllocatedStorageGb"], "must be greater than allocatedStorageGb");
      }
    },
  ],
  build(context, { type: _, allowInsecureTransport, mysqlClientImage, ...rds }, aws) {
    const scope = context.scope("aws-services");
    // RDS allows at most 41 characters; alphanumeric, because Gitpod's jobs pass it through shell
    // commands. Same address as when it lived in the installation secrets stack, so existing
    // installations can move it over with `terraform state mv` (docs/modes.md, "Moving the RDS
    // master password"); without the move a new one is generated and set on RDS.
    const password = new Password(scope, "rds-master-password", {
      length: 40,
      special: false,
      lifecycle: { preventDestroy: rds.deletionProtection },
    });
    const database = new RdsMysqlDatabase(scope, "rds-mysql", {
      ...rds,
      identifier: `${context.namePrefix}-mysql`,
      vpcId: aws.vpcId,
      subnetIds: aws.subnetIds,
      password: password.result,
      requireSecureTransport: !allowInsecureTransport,
    });
    new TerraformOutput(scope, "database_endpoint", { value: `${database.host}:${Token.asString(database.port)}`, description: "RDS MySQL endpoint, host:port" });
    // Gitpod connects as a user of its own, made from the cluster with the master user's credentials.
    return new MysqlUser(context.scope("release"), "rds-gitpod-user", {
      namespace: context.namespace,
      namePrefix: context.namePrefix,
      admin: database,
      username: RDS_GITPOD_USERNAME,
      requireTls: !allowInsecureTransport,
      image: mysqlClientImage ?? context.image(DEFAULT_MYSQL_CLIENT_IMAGE),
      imagePullSecrets: context.imagePullSecrets,
    });
  },
});
