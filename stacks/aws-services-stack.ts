import * as crypto from "crypto";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import type { Construct } from "constructs";
import type { BackendConfig, DatabaseConfig, GitpodCdktfConfig, RegistryConfig, StorageConfig } from "../config/schema";
import { EcrRegistry } from "../modules/aws-ecr/ecr-registry";
import { RdsMysqlDatabase } from "../modules/aws-rds/rds-mysql-database";
import { AcmeDns01Role } from "../modules/aws-route53/acme-dns01-role";
import { S3ObjectStorage, S3RegistryStorage } from "../modules/aws-s3/s3-object-storage";
import { ecrTokenRefresherServiceAccount } from "../modules/ecr-credentials/ecr-credential-refresher";
import { acmeDns01ServiceAccount } from "../modules/tls/acme-route53-issuer";
import { GitpodStack, required } from "./gitpod-stack";

type AwsConfig = NonNullable<GitpodCdktfConfig["aws"]>;

/**
 * The default name of a bucket: `<domain with dashes>-<purpose>`, e.g. `gitpod-acme-dev-storage`.
 * Bucket names are global; the domain makes them as unique as the installation and readable. Long
 * domains are shortened with a hash, within S3's 63 characters.
 */
export function defaultBucketName(domain: string, purpose: string): string {
  const name = `${domain.replace(/\./g, "-")}-${purpose}`;
  if (name.length <= 63) return name;
  const hash = crypto.createHash("sha256").update(domain).digest("hex").slice(0, 8);
  return `${name.slice(0, 63 - purpose.length - hash.length - 2).replace(/-+$/, "")}-${hash}-${purpose}`;
}

export interface AwsServicesStackProps {
  readonly backend: BackendConfig;
  readonly aws: AwsConfig;
  readonly namePrefix: string;
  readonly domain: string;
  /** Gitpod's namespace by name (the ECR refresher's role trusts a service account in it). */
  readonly gitpodNamespace: string;
  readonly database?: Extract<DatabaseConfig, { type: "rds" }> & { readonly password: string };
  readonly storage?: Extract<StorageConfig, { type: "s3" }>;
  readonly registry?: Extract<RegistryConfig, { type: "s3" | "ecr" }>;
  readonly acme?: { readonly hostedZoneId: string; readonly certManagerNamespace: string };
}

/**
 * Gitpod's dependencies as AWS managed services: RDS MySQL, S3, ECR and IAM roles. Uses the aws
 * provider only, so nothing else waits for it but the release, and a plan needs no cluster.
 */
export class AwsServicesStack extends GitpodStack {
  readonly database?: RdsMysqlDatabase;
  readonly objectStorage?: S3ObjectStorage;
  readonly registryStorage?: S3RegistryStorage;
  readonly ecr?: EcrRegistry;
  readonly acmeRoleArn?: string;

  constructor(scope: Construct, id: string, props: AwsServicesStackProps) {
    super(scope, id, props.backend);
    const { aws, namePrefix } = props;
    new AwsProvider(this, "aws", {
      region: aws.region,
      defaultTags: [{ tags: { "gitpod-cdktf/installation": namePrefix, ...aws.tags } }],
      ...(aws.offline
        ? { skipCredentialsValidation: true, skipRequestingAccountId: true, skipMetadataApiCheck: "true", skipRegionValidation: true }
        : {}),
    });
    const oidcProviderArn = () => required(aws.eksOidcProviderArn, "aws.eksOidcProviderArn");

    if (props.database) {
      const rds = props.database;
      this.database = new RdsMysqlDatabase(this, "rds-mysql", {
        identifier: `${namePrefix}-mysql`,
        engineVersion: rds.engineVersion,
        instanceClass: rds.instanceClass,
        allocatedStorageGb: rds.allocatedStorageGb,
        maxAllocatedStorageGb: rds.maxAllocatedStorageGb,
        multiAz: rds.multiAz,
        backupRetentionDays: rds.backupRetentionDays,
        vpcId: required(aws.vpcId, "aws.vpcId"),
        subnetIds: required(aws.subnetIds, "aws.subnetIds"),
        allowedSecurityGroupIds: rds.allowedSecurityGroupIds,
        allowedCidrBlocks: rds.allowedCidrBlocks,
        password: rds.password,
        caCertificate: rds.caCertificate,
        applyImmediately: rds.applyImmediately,
        deletionProtection: rds.deletionProtection,
        finalSnapshot: rds.finalSnapshot,
      });
    }
    if (props.storage) {
      this.objectStorage = new S3ObjectStorage(this, "object-storage", {
        region: aws.region,
        bucket: props.storage.bucket ?? defaultBucketName(props.domain, "storage"),
        userName: `${namePrefix}-storage`,
        noncurrentVersionExpirationDays: props.storage.noncurrentVersionExpirationDays,
        deletionProtection: props.storage.deletionProtection,
      });
    }
    if (props.registry?.type === "s3") {
      this.registryStorage = new S3RegistryStorage(this, "registry-storage", {
        region: aws.region,
        bucket: props.registry.bucket ?? defaultBucketName(props.domain, "registry"),
        userName: `${namePrefix}-registry`,
        noncurrentVersionExpirationDays: props.registry.noncurrentVersionExpirationDays,
        deletionProtection: props.registry.deletionProtection,
      });
    }
    if (props.registry?.type === "ecr") {
      this.ecr = new EcrRegistry(this, "ecr", {
        region: aws.region,
        repositoryPrefix: props.registry.repositoryPrefix ?? namePrefix,
        untaggedImageExpiryDays: props.registry.untaggedImageExpiryDays,
        deletionProtection: props.registry.deletionProtection,
        oidcProviderArn: oidcProviderArn(),
        namespace: props.gitpodNamespace,
        // The role is named like the service account that assumes it.
        serviceAccount: ecrTokenRefresherServiceAccount(namePrefix),
        roleName: ecrTokenRefresherServiceAccount(namePrefix),
      });
    }
    if (props.acme) {
      this.acmeRoleArn = new AcmeDns01Role(this, "acme-dns01", {
        roleName: acmeDns01ServiceAccount(namePrefix),
        hostedZoneId: props.acme.hostedZoneId,
        domain: props.domain,
        oidcProviderArn: oidcProviderArn(),
        namespace: props.acme.certManagerNamespace,
        serviceAccount: acmeDns01ServiceAccount(namePrefix),
      }).arn;
    }
  }
}
