/**
 * The AWS stack of every AWS configuration variant, checked by real Terraform with the real
 * hashicorp/aws 5.100.0 provider: init, validate, an offline plan, and assertions on the plan.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { createHash } from "crypto";
import { OFFLINE_AWS, offlineEnv, planStack, STAND_IN_PASSWORD, type Plan } from "./support/terraform-plan";
import { config, scratchDir, synthApp } from "./support/synth";
import { describeWithTools, terraformWithMirrorTool } from "./support/tools";

const AWS_STACK = "gitpod-aws-services";
const PEM = "-----BEGIN CERTIFICATE-----\nMIIBexample\n-----END CERTIFICATE-----\n";
const aws = OFFLINE_AWS;

const policy = (resource: { values: Record<string, any> }, field = "policy") => JSON.parse(resource.values[field]);
const parameters = (plan: Plan) =>
  Object.fromEntries((plan.ofType("aws_db_parameter_group")[0].values.parameter as any[]).map((p) => [p.name, p.value]));

describeWithTools("the AWS stack, checked by Terraform (init, validate, offline plan)", [terraformWithMirrorTool()], () => {
  describe("RDS MySQL 8.4 (the default), S3 object storage, the registry on S3", () => {
    const app = synthApp(
      config({
        aws: { ...aws, tags: { team: "platform" } },
        database: { type: "rds", allowedSecurityGroupIds: ["sg-0123456789abcdef0"], caCertificate: PEM },
        storage: { type: "s3" },
        registry: { type: "s3" },
      }),
    );
    let plan: Plan;
    beforeAll(() => {
      plan = planStack(app, AWS_STACK);
    });

    it("plans only creations, and no AWS call was needed", () => {
      const actions = new Set(plan.raw.resource_changes.flatMap((c: any) => c.change.actions));
      expect([...actions]).toEqual(["create"]);
    });

    it("the parameter group is mysql8.4 with explicit_defaults_for_timestamp 0, native passwords and TLS required", () => {
      expect(plan.ofType("aws_db_parameter_group")[0].values.family).toBe("mysql8.4");
      expect(parameters(plan)).toEqual({
        explicit_defaults_for_timestamp: "0",
        require_secure_transport: "1",
        mysql_native_password: "1",
        authentication_policy: "*:mysql_native_password",
      });
    });

    it("the database is encrypted, private, backed up for 7 days, deletion-protected, with a final snapshot", () => {
      const [db] = plan.ofType("aws_db_instance");
      expect(db.values).toMatchObject({
        engine: "mysql",
        engine_version: "8.4",
        storage_encrypted: true,
        publicly_accessible: false,
        backup_retention_period: 7,
        deletion_protection: true,
        skip_final_snapshot: false,
        final_snapshot_identifier: "gitpod-mysql-final",
        db_name: "gitpod",
        username: "gitpod",
      });
      // Write-only: Terraform plans and stores no password for it.
      expect(db.values.password_wo).toBeNull();
      expect(db.values.password).toBeNull();
      // Real Terraform evaluates the version to 1 + the first 48 bits of the password's SHA-256 (the
      // random password stands in as a literal here: the offline mirror has no random provider).
      expect(db.values.password_wo_version).toBe(parseInt(createHash("sha256").update(STAND_IN_PASSWORD).digest("hex").slice(0, 12), 16) + 1);
    });

    it("only the cluster's security group reaches port 3306", () => {
      expect(plan.ofType("aws_vpc_security_group_ingress_rule").map((r) => r.values)).toEqual([
        expect.objectContaining({ from_port: 3306, to_port: 3306, ip_protocol: "tcp", referenced_security_group_id: "sg-0123456789abcdef0", cidr_ipv4: null }),
      ]);
    });

    it("both buckets are encrypted, versioned, closed to the public, TLS-only and not force-destroyed", () => {
      expect(plan.ofType("aws_s3_bucket").map((b) => [b.values.bucket, b.values.force_destroy]).sort()).toEqual([
        ["gitpod-acme-dev-registry", false],
        ["gitpod-acme-dev-storage", false],
      ]);
      for (const encryption of plan.ofType("aws_s3_bucket_server_side_encryption_configuration")) {
        expect(encryption.values.rule).toEqual([
          expect.objectContaining({ apply_server_side_encryption_by_default: [expect.objectContaining({ sse_algorithm: "AES256" })] }),
        ]);
      }
      for (const versioning of plan.ofType("aws_s3_bucket_versioning")) {
        expect(versioning.values.versioning_configuration).toEqual([expect.objectContaining({ status: "Enabled" })]);
      }
      const blocks = plan.ofType("aws_s3_bucket_public_access_block");
      expect(blocks).toHaveLength(2);
      for (const block of blocks) {
        expect(block.values).toMatchObject({ block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true });
      }
      for (const bucketPolicy of plan.ofType("aws_s3_bucket_policy")) {
        expect(policy(bucketPolicy).Statement).toEqual([
          expect.objectContaining({ Effect: "Deny", Action: "s3:*", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
        ]);
      }
    });

    it("each IAM key can do only what Gitpod needs, on its own bucket", () => {
      const statements = Object.fromEntries(plan.ofType("aws_iam_user_policy").map((p) => [p.values.user, policy(p).Statement]));
      expect(statements["gitpod-storage"]).toEqual([
        { Sid: "Bucket", Effect: "Allow", Action: ["s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads"], Resource: "arn:aws:s3:::gitpod-acme-dev-storage" },
        {
          Sid: "Objects",
          Effect: "Allow",
          Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
          Resource: "arn:aws:s3:::gitpod-acme-dev-storage/*",
        },
      ]);
      expect(statements["gitpod-registry"].map((s: any) => s.Resource)).toEqual(["arn:aws:s3:::gitpod-acme-dev-registry", "arn:aws:s3:::gitpod-acme-dev-registry/*"]);
    });

    it("tags every resource through the provider's default tags", () => {
      const [db] = plan.ofType("aws_db_instance");
      expect(db.values.tags_all).toEqual({ "gitpod-cdktf/installation": "gitpod", team: "platform" });
    });
  });

  describe("RDS MySQL 5.7 over TLS, ECR, Let's Encrypt and external-dns through Route53", () => {
    const app = synthApp(
      config({
        aws,
        database: { type: "rds", engineVersion: "5.7", caCertificate: PEM, allowedCidrBlocks: ["10.0.0.0/16"], finalSnapshot: false, backupRetentionDays: 14 },
        storage: { type: "s3", bucket: "acme-gitpod-objects" },
        registry: { type: "ecr", untaggedImageExpiryDays: 3 },
        tls: { type: "acme-route53", email: "ops@acme.dev", hostedZoneId: "Z0123456789ABCDEFGHIJ" },
        dns: { type: "external-dns-route53", hostedZoneId: "Z0123456789ABCDEFGHIJ" },
      }),
    );
    let plan: Plan;
    beforeAll(() => {
      plan = planStack(app, AWS_STACK);
    });

    it("a mysql5.7 parameter group that requires TLS", () => {
      expect(plan.ofType("aws_db_parameter_group")[0].values.family).toBe("mysql5.7");
      expect(parameters(plan)).toEqual({ explicit_defaults_for_timestamp: "0", require_secure_transport: "1" });
      expect(plan.ofType("aws_db_instance")[0].values).toMatchObject({ engine_version: "5.7", skip_final_snapshot: true, backup_retention_period: 14 });
    });

    it("ECR repositories created up front, scanned on push, encrypted, untagged images expired", () => {
      const repositories = plan.ofType("aws_ecr_repository");
      expect(repositories.map((r) => r.values.name).sort()).toEqual(["gitpod/base-images", "gitpod/workspace-images"]);
      for (const repository of repositories) {
        expect(repository.values.image_scanning_configuration).toEqual([{ scan_on_push: true }]);
        expect(repository.values.encryption_configuration).toEqual([expect.objectContaining({ encryption_type: "AES256" })]);
      }
      for (const lifecycle of plan.ofType("aws_ecr_lifecycle_policy")) {
        expect(policy(lifecycle).rules[0].selection).toEqual({ tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 3 });
      }
    });

    it("the token refresher's role: IRSA for one service account, login and push/pull on the two repositories", () => {
      const roles = Object.fromEntries(plan.ofType("aws_iam_role").map((r) => [r.values.name, r]));
      const trust = policy(roles["gitpod-ecr-token-refresher"], "assume_role_policy").Statement[0];
      expect(trust.Principal).toEqual({ Federated: OFFLINE_AWS.eksOidcProviderArn });
      expect(trust.Condition.StringEquals).toEqual({
        "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE:sub": "system:serviceaccount:gitpod:gitpod-ecr-token-refresher",
        "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE:aud": "sts.amazonaws.com",
      });
      const statements = Object.fromEntries(plan.ofType("aws_iam_role_policy").map((p) => [p.values.name, policy(p).Statement]));
      expect(statements["gitpod-ecr-token-refresher"][0]).toEqual({ Sid: "Login", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" });
      expect(statements["gitpod-ecr-token-refresher"][1].Resource).toEqual([
        "arn:aws:ecr:eu-west-1:123456789012:repository/gitpod/base-images",
        "arn:aws:ecr:eu-west-1:123456789012:repository/gitpod/workspace-images",
      ]);
    });

    it("cert-manager's role: assumed only with an STS token of the issuer's service account in Gitpod's namespace; only TXT challenge records in the given hosted zone", () => {
      const roles = Object.fromEntries(plan.ofType("aws_iam_role").map((r) => [r.values.name, r]));
      const trust = policy(roles["gitpod-acme-dns01"], "assume_role_policy").Statement[0];
      expect(trust.Principal).toEqual({ Federated: OFFLINE_AWS.eksOidcProviderArn });
      expect(trust.Action).toBe("sts:AssumeRoleWithWebIdentity");
      expect(trust.Condition).toEqual({
        StringEquals: {
          "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE:sub": "system:serviceaccount:gitpod:gitpod-acme-dns01",
          "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE:aud": "sts.amazonaws.com",
        },
      });
      const statements = Object.fromEntries(plan.ofType("aws_iam_role_policy").map((p) => [p.values.name, policy(p).Statement]));
      const resources = statements["gitpod-acme-dns01"].map((s: any) => s.Resource);
      expect(resources).toEqual([
        "arn:aws:route53:::change/*",
        "arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ",
        "arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ",
      ]);
      expect(statements["gitpod-acme-dns01"][2].Condition["ForAllValues:StringEquals"]["route53:ChangeResourceRecordSetsRecordTypes"]).toEqual(["TXT"]);
    });

    it("external-dns's role: assumed only by its service account in its own namespace; only Gitpod's names in the given hosted zone", () => {
      const roles = Object.fromEntries(plan.ofType("aws_iam_role").map((r) => [r.values.name, r]));
      const trust = policy(roles["gitpod-external-dns"], "assume_role_policy").Statement[0];
      expect(trust.Condition.StringEquals["oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE:sub"]).toBe("system:serviceaccount:gitpod-external-dns:external-dns");
      const statements = Object.fromEntries(plan.ofType("aws_iam_role_policy").map((p) => [p.values.name, policy(p).Statement]));
      const change = statements["gitpod-external-dns"].find((s: any) => s.Action === "route53:ChangeResourceRecordSets");
      expect(change.Resource).toBe("arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ");
      const names: string[] = change.Condition["ForAllValues:StringEquals"]["route53:ChangeResourceRecordSetsNormalizedRecordNames"];
      expect(names.slice(0, 3)).toEqual(["gitpod.acme.dev", "\\052.gitpod.acme.dev", "\\052.ws.gitpod.acme.dev"]);
      expect(names.every((name) => name.endsWith("gitpod.acme.dev"))).toBe(true);
    });

    it("uses the bucket name given", () => {
      expect(plan.ofType("aws_s3_bucket").map((b) => b.values.bucket)).toEqual(["acme-gitpod-objects"]);
    });
  });

  describe("RDS MySQL 8.0, TLS not enforced on purpose", () => {
    it("keeps mysql_native_password the default authentication plugin, and lets clients in without TLS", () => {
      const app = synthApp(config({ aws, database: { type: "rds", engineVersion: "8.0", allowedSecurityGroupIds: ["sg-0123456789abcdef0"], allowInsecureTransport: true } }));
      const plan = planStack(app, AWS_STACK);
      expect(plan.ofType("aws_db_parameter_group")[0].values.family).toBe("mysql8.0");
      expect(parameters(plan)).toEqual({
        explicit_defaults_for_timestamp: "0",
        require_secure_transport: "0",
        default_authentication_plugin: "mysql_native_password",
      });
    });
  });

  describe("cdktf diff, the per-stack path users take", () => {
    it("plans the AWS stack offline with fake credentials", () => {
      const dir = scratchDir("cdktf-diff-");
      const configFile = path.join(dir, "gitpod-cdktf.yaml");
      // Without RDS: cdktf synthesizes the stack itself, and with RDS it would need the random
      // provider, which the offline mirror lacks.
      fs.writeFileSync(configFile, JSON.stringify({ domain: "gitpod.acme.dev", aws, storage: { type: "s3" }, registry: { type: "ecr" } }));
      const outdir = path.join(dir, "cdktf.out");
      // The AWS stack reads no other stack: nothing has to be applied before its plan.
      expect(synthApp(config(JSON.parse(fs.readFileSync(configFile, "utf8"))), outdir).stack(AWS_STACK).data).toBeUndefined();
      const root = path.resolve(__dirname, "..");
      const result = spawnSync(path.join(root, "node_modules", ".bin", "cdktf"), ["diff", AWS_STACK, "--skip-provider-lock", "--output", outdir], {
        cwd: root,
        encoding: "utf8",
        env: { ...process.env, ...offlineEnv(dir), GITPOD_CDKTF_CONFIG: configFile, CI: "1" },
      });
      const output = (result.stdout + result.stderr).replace(/\x1b\[[0-9;]*m/g, "");
      expect(output).toMatch(/Plan: \d+ to add, 0 to change, 0 to destroy/);
      expect(result.status).toBe(0);
    });
  });
});
