import { TerraformOutput, TerraformVariable } from "cdktf";
import { dnsSuffix, parseArn, partitionOfRegion, s3BucketArn } from "../../modules/aws-iam/arn";
import { oidcIssuer, ServiceAccountRole } from "../../modules/aws-iam/service-account-role";
import { EcrRegistry } from "../../modules/aws-ecr/ecr-registry";
import { mysqlParameters, parameterGroupFamily, RdsMysqlDatabase, type RdsMysqlDatabaseProps } from "../../modules/aws-rds/rds-mysql-database";
import { AcmeDns01Role } from "../../modules/aws-route53/acme-dns01-role";
import { defaultBucketName, S3BucketWithKey } from "../../modules/aws-s3/s3-bucket-with-key";
import { moduleStack, onlyResource, resourcesOf, synthStack } from "../support/synth";

const OIDC = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789";

/** A jsonencode(...) policy as cdktf writes it, turned back into data for assertions. */
function hclPolicy(expression: string): unknown {
  const inner = expression.replace(/^\$\{jsonencode\(/, "").replace(/\)\}$/, "");
  return JSON.parse(inner.replace(/" = /g, '": ').replace(/(\{|, )"/g, '$1"'));
}

describe("ARN helpers", () => {
  it("know the partitions and their endpoints", () => {
    expect(partitionOfRegion("eu-west-1")).toBe("aws");
    expect(partitionOfRegion("cn-north-1")).toBe("aws-cn");
    expect(partitionOfRegion("us-gov-west-1")).toBe("aws-us-gov");
    expect(dnsSuffix("aws-cn")).toBe("amazonaws.com.cn");
    expect(s3BucketArn("cn-north-1", "b")).toBe("arn:aws-cn:s3:::b");
    expect(parseArn(OIDC)).toEqual({ partition: "aws", account: "123456789012" });
    expect(() => parseArn("not-an-arn")).toThrow(/not an ARN/);
    expect(oidcIssuer(OIDC)).toBe("oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789");
  });

  it("name buckets after the domain, within S3's 63 characters", () => {
    expect(defaultBucketName("gitpod.acme.dev", "storage")).toBe("gitpod-acme-dev-storage");
    const long = defaultBucketName(`${"a".repeat(60)}.example.com`, "registry");
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).toMatch(/^a+-[0-9a-f]{8}-registry$/);
    expect(defaultBucketName(`${"a".repeat(60)}.example.org`, "registry")).not.toBe(long);
  });
});

describe("RdsMysqlDatabase", () => {
  // docs/gitpod-installer.md, "Database".
  it.each([
    ["5.7", [["explicit_defaults_for_timestamp", "0"], ["require_secure_transport", "0"]]],
    ["8.0", [["explicit_defaults_for_timestamp", "0"], ["require_secure_transport", "0"], ["default_authentication_plugin", "mysql_native_password"]]],
    [
      "8.4",
      [
        ["explicit_defaults_for_timestamp", "0"],
        ["require_secure_transport", "0"],
        ["mysql_native_password", "1"],
        ["authentication_policy", "*:mysql_native_password"],
      ],
    ],
  ] as const)("MySQL %s: explicit_defaults_for_timestamp off, native passwords for Gitpod's driver", (version, expected) => {
    expect(mysqlParameters(version, false).map((p) => [p.name, p.value])).toEqual(expected);
    expect(parameterGroupFamily(version)).toBe(`mysql${version}`);
  });

  it("requires TLS on the server when Gitpod is given the CA", () => {
    expect(mysqlParameters("8.4", true)).toContainEqual({ name: "require_secure_transport", value: "1" });
  });

  const props: RdsMysqlDatabaseProps = {
    identifier: "gitpod-mysql",
    engineVersion: "8.4",
    instanceClass: "db.t4g.medium",
    allocatedStorageGb: 20,
    multiAz: false,
    backupRetentionDays: 7,
    vpcId: "vpc-0123456789abcdef0",
    subnetIds: ["subnet-a", "subnet-b"],
    allowedSecurityGroupIds: ["sg-0123456789abcdef0"],
    allowedCidrBlocks: ["10.0.0.0/16"],
    password: "${var.password}",
    applyImmediately: false,
    deletionProtection: true,
    finalSnapshot: true,
  };
  const stack = moduleStack();
  const database = new RdsMysqlDatabase(stack, "rds", props);
  const json = synthStack(stack);
  const instance = onlyResource(json, "aws_db_instance") as any;

  it("is private, encrypted, backed up, protected and snapshotted on delete", () => {
    expect(instance).toMatchObject({
      engine: "mysql",
      engine_version: "8.4",
      storage_encrypted: true,
      publicly_accessible: false,
      backup_retention_period: 7,
      deletion_protection: true,
      skip_final_snapshot: false,
      final_snapshot_identifier: "gitpod-mysql-final",
      lifecycle: { prevent_destroy: true },
      db_name: "gitpod",
      username: "gitpod",
      allow_major_version_upgrade: true,
      auto_minor_version_upgrade: true,
    });
  });

  it("writes the master password write-only (not stored again in this stack's state), again whenever it changes", () => {
    expect(instance.password_wo).toBe("${var.password}");
    expect(instance).not.toHaveProperty("password");
    // A version derived from the password: a new password is sent to RDS (a constant would send it once).
    const withVariable = moduleStack();
    const password = new TerraformVariable(withVariable, "password", { type: "string", sensitive: true }).stringValue;
    new RdsMysqlDatabase(withVariable, "rds", { ...props, password });
    const db = onlyResource(synthStack(withVariable), "aws_db_instance") as any;
    expect(db.password_wo).toBe("${var.password}");
    expect(db.password_wo_version).toBe("${(parseint(substr(sha256(var.password), 0, 12), 16) + 1)}");
  });

  it("lets only the given sources reach port 3306", () => {
    const rules = Object.values(resourcesOf(json, "aws_vpc_security_group_ingress_rule")) as any[];
    const sources = rules.map((r) => [r.from_port, r.to_port, r.ip_protocol, r.referenced_security_group_id ?? r.cidr_ipv4]);
    expect(sources).toHaveLength(2);
    expect(sources).toEqual(
      expect.arrayContaining([
        [3306, 3306, "tcp", "sg-0123456789abcdef0"],
        [3306, 3306, "tcp", "10.0.0.0/16"],
      ]),
    );
    expect(instance.vpc_security_group_ids).toEqual([expect.stringMatching(/^\$\{aws_security_group\./)]);
  });

  it("creates a new parameter group before dropping the old one (major upgrades)", () => {
    const group = onlyResource(json, "aws_db_parameter_group") as any;
    expect(group).toMatchObject({ family: "mysql8.4", name_prefix: "gitpod-mysql-84-", lifecycle: { create_before_destroy: true } });
  });

  it("tells Gitpod its address, port and user", () => {
    expect(database.username).toBe("gitpod");
    expect(database.caCertificate).toBeUndefined();
    const other = moduleStack();
    const db = new RdsMysqlDatabase(other, "rds", { ...props, deletionProtection: false, finalSnapshot: false });
    new TerraformOutput(other, "host", { value: db.host });
    const out = synthStack(other);
    expect(out.output!.host.value).toMatch(/^\$\{aws_db_instance\.[\w-]+\.address\}$/);
    expect(onlyResource(out, "aws_db_instance")).toMatchObject({ deletion_protection: false, skip_final_snapshot: true, lifecycle: { prevent_destroy: false } });
  });
});

describe("S3 for Gitpod", () => {
  const stack = moduleStack();
  const storage = new S3BucketWithKey(stack, "storage", {
    region: "eu-west-1",
    bucket: "gitpod-acme-dev-storage",
    userName: "gitpod-storage",
    noncurrentVersionExpirationDays: 30,
    deletionProtection: true,
  });
  const registry = new S3BucketWithKey(stack, "registry", {
    region: "eu-west-1",
    bucket: "gitpod-acme-dev-registry",
    userName: "gitpod-registry",
    noncurrentVersionExpirationDays: 30,
    deletionProtection: true,
  });
  const json = synthStack(stack);

  it("gives Gitpod the regional endpoint as a host, the region and the bucket (single-bucket mode)", () => {
    expect(storage.access).toMatchObject({ endpoint: "s3.eu-west-1.amazonaws.com", region: "eu-west-1", bucket: "gitpod-acme-dev-storage" });
    // docs/gitpod-installer.md: s3storage needs bucket, region, endpoint and the credentials secret.
    expect(registry.access).toMatchObject({ bucket: "gitpod-acme-dev-registry", region: "eu-west-1", endpoint: "s3.eu-west-1.amazonaws.com" });
  });

  it("keeps buckets private, encrypted, versioned, TLS-only and never force-destroyed", () => {
    const buckets = Object.values(resourcesOf(json, "aws_s3_bucket")) as any[];
    expect(buckets.map((b) => [b.bucket, b.force_destroy, b.lifecycle]).sort()).toEqual([
      ["gitpod-acme-dev-registry", false, { prevent_destroy: true }],
      ["gitpod-acme-dev-storage", false, { prevent_destroy: true }],
    ]);
    for (const block of Object.values(resourcesOf(json, "aws_s3_bucket_public_access_block")) as any[]) {
      expect(block).toMatchObject({ block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true });
    }
    const policies = Object.values(resourcesOf(json, "aws_s3_bucket_policy")).map((p: any) => hclPolicy(p.policy) as any);
    expect(policies).toHaveLength(2);
    expect(policies.find((p) => JSON.stringify(p).includes("-storage"))).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "DenyRequestsWithoutTLS",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: ["arn:aws:s3:::gitpod-acme-dev-storage", "arn:aws:s3:::gitpod-acme-dev-storage/*"],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ],
    });
  });

  it("gives each key access to its own bucket only", () => {
    const policies = Object.values(resourcesOf(json, "aws_iam_user_policy")).map((p: any) => hclPolicy(p.policy) as any);
    expect(policies.map((p) => p.Statement.map((s: any) => s.Resource)).sort()).toEqual([
      ["arn:aws:s3:::gitpod-acme-dev-registry", "arn:aws:s3:::gitpod-acme-dev-registry/*"],
      ["arn:aws:s3:::gitpod-acme-dev-storage", "arn:aws:s3:::gitpod-acme-dev-storage/*"],
    ]);
    const actions = policies[0].Statement.flatMap((s: any) => s.Action);
    expect(actions).not.toContain("s3:*");
    expect(actions).not.toContain("s3:CreateBucket");
    expect(actions).not.toContain("s3:DeleteBucket");
  });
});

describe("IAM roles for service accounts", () => {
  it("trust exactly one service account's STS tokens", () => {
    const stack = moduleStack();
    new ServiceAccountRole(stack, "role", {
      roleName: "r",
      description: "d",
      oidcProviderArn: OIDC,
      namespace: "gitpod",
      serviceAccount: "sa",
      statements: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }],
    });
    const role = onlyResource(synthStack(stack), "aws_iam_role") as any;
    expect(hclPolicy(role.assume_role_policy)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: OIDC },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: {
              "oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789:sub": "system:serviceaccount:gitpod:sa",
              "oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789:aud": "sts.amazonaws.com",
            },
          },
        },
      ],
    });
  });

  it("ECR: repositories up front, scanned, encrypted, untagged images expired; a role that can push and pull only them", () => {
    const stack = moduleStack();
    const ecr = new EcrRegistry(stack, "ecr", {
      region: "eu-west-1",
      repositoryPrefix: "gitpod",
      untaggedImageExpiryDays: 7,
      deletionProtection: true,
      oidcProviderArn: OIDC,
      namespace: "gitpod",
      serviceAccount: "gitpod-ecr-token-refresher",
      roleName: "gitpod-ecr-token-refresher",
    });
    const json = synthStack(stack);
    // docs/gitpod-installer.md, "Registry on AWS and ECR".
    expect(ecr.url).toBe("123456789012.dkr.ecr.eu-west-1.amazonaws.com/gitpod");
    expect(ecr.server).toBe("123456789012.dkr.ecr.eu-west-1.amazonaws.com");
    const repositories = Object.values(resourcesOf(json, "aws_ecr_repository")) as any[];
    expect(repositories.map((r) => r.name)).toEqual(["gitpod/base-images", "gitpod/workspace-images"]);
    for (const repository of repositories) {
      expect(repository).toMatchObject({
        image_scanning_configuration: { scan_on_push: true },
        encryption_configuration: [{ encryption_type: "AES256" }],
        force_delete: false,
        lifecycle: { prevent_destroy: true },
      });
    }
    const lifecycle = hclPolicy((Object.values(resourcesOf(json, "aws_ecr_lifecycle_policy"))[0] as any).policy) as any;
    expect(lifecycle.rules[0]).toMatchObject({
      selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 7 },
      action: { type: "expire" },
    });
    const policy = hclPolicy((onlyResource(json, "aws_iam_role_policy") as any).policy) as any;
    expect(policy.Statement[0]).toEqual({ Sid: "Login", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" });
    expect(policy.Statement[1].Resource).toEqual([
      "arn:aws:ecr:eu-west-1:123456789012:repository/gitpod/base-images",
      "arn:aws:ecr:eu-west-1:123456789012:repository/gitpod/workspace-images",
    ]);
    expect(policy.Statement[1].Action).toEqual(expect.arrayContaining(["ecr:PutImage", "ecr:BatchGetImage", "ecr:CompleteLayerUpload"]));
  });

  it("ACME: only TXT challenge records of the domain, in one hosted zone", () => {
    const stack = moduleStack();
    new AcmeDns01Role(stack, "acme", {
      roleName: "gitpod-acme-dns01",
      hostedZoneId: "Z0123456789ABCDEFGHIJ",
      domain: "gitpod.acme.dev",
      oidcProviderArn: OIDC,
      namespace: "gitpod",
      serviceAccount: "gitpod-acme-dns01",
    });
    const json = synthStack(stack);
    // Only an STS token of the issuer's service account, in the issuer's (Gitpod's) namespace.
    expect((hclPolicy((onlyResource(json, "aws_iam_role") as any).assume_role_policy) as any).Statement[0].Condition).toEqual({
      StringEquals: {
        "oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789:sub": "system:serviceaccount:gitpod:gitpod-acme-dns01",
        "oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789:aud": "sts.amazonaws.com",
      },
    });
    const policy = hclPolicy((onlyResource(json, "aws_iam_role_policy") as any).policy) as any;
    const change = policy.Statement.find((s: any) => s.Action === "route53:ChangeResourceRecordSets");
    expect(change).toEqual({
      Sid: "ChallengeRecordsOnly",
      Effect: "Allow",
      Action: "route53:ChangeResourceRecordSets",
      Resource: "arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ",
      Condition: {
        "ForAllValues:StringEquals": {
          "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"],
          "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["_acme-challenge.gitpod.acme.dev", "_acme-challenge.ws.gitpod.acme.dev"],
        },
      },
    });
    expect(policy.Statement.map((s: any) => s.Resource)).not.toContain("*");
  });
});
