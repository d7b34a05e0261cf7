/**
 * ExternalDnsRoute53Role checked by real Terraform with the real hashicorp/aws 5.100.0 provider:
 * a stack holding only the role (and an offline aws provider) is initialised, validated and
 * planned, and the policies Terraform would send to IAM are read from the plan. The role's record
 * names carry a backslash (`\052`, Route53's `*`), which the jsonencode expression must deliver.
 */
import * as fs from "fs";
import * as path from "path";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { App, TerraformStack } from "cdktf";
import { ExternalDnsRoute53Role } from "../../modules/aws-route53/external-dns-role";
import { EXTERNAL_DNS_SERVICE_ACCOUNT } from "../../modules/external-dns/external-dns";
import { scratchDir, type SynthesizedApp } from "../support/synth";
import { OFFLINE_AWS, planStack, type Plan } from "../support/terraform-plan";
import { describeWithTools, terraformWithMirrorTool } from "../support/tools";

const STACK = "external-dns-role";
const ZONE = "Z0123456789ABCDEFGHIJ";
const ISSUER = OFFLINE_AWS.eksOidcProviderArn.split(":oidc-provider/")[1];

/** An app of one stack: the offline aws provider (as the AWS stack configures it) and the role. */
function roleApp(): SynthesizedApp {
  const outdir = path.join(scratchDir("external-dns-role-"), "cdktf.out");
  const app = new App({ outdir, skipValidation: false });
  const stack = new TerraformStack(app, STACK);
  new AwsProvider(stack, "aws", {
    region: OFFLINE_AWS.region,
    skipCredentialsValidation: true,
    skipRequestingAccountId: true,
    skipMetadataApiCheck: "true",
    skipRegionValidation: true,
  });
  new ExternalDnsRoute53Role(stack, "external-dns", {
    roleName: "gitpod-external-dns",
    hostedZoneId: ZONE,
    domain: "gitpod.acme.dev",
    oidcProviderArn: OFFLINE_AWS.eksOidcProviderArn,
    namespace: "external-dns",
    serviceAccount: EXTERNAL_DNS_SERVICE_ACCOUNT,
  });
  app.synth();
  const read = (file: string) => fs.readFileSync(path.join(outdir, file), "utf8");
  return {
    outdir,
    stackIds: [STACK],
    manifest: JSON.parse(read("manifest.json")),
    stack: (id) => JSON.parse(read(`stacks/${id}/cdk.tf.json`)),
    files: () => ({}),
  };
}

describeWithTools("ExternalDnsRoute53Role, checked by Terraform (init, validate, offline plan)", [terraformWithMirrorTool()], () => {
  let plan: Plan;
  beforeAll(() => {
    plan = planStack(roleApp(), STACK);
  });

  it("plans the role and its inline policy, nothing else", () => {
    expect(plan.resources.map((r) => r.type).sort()).toEqual(["aws_iam_role", "aws_iam_role_policy"]);
  });

  it("lets only external-dns's service account assume the role, with a token for STS", () => {
    const trust = JSON.parse(plan.ofType("aws_iam_role")[0].values.assume_role_policy);
    expect(trust.Statement).toEqual([
      {
        Effect: "Allow",
        Principal: { Federated: OFFLINE_AWS.eksOidcProviderArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            [`${ISSUER}:sub`]: "system:serviceaccount:external-dns:external-dns",
            [`${ISSUER}:aud`]: "sts.amazonaws.com",
          },
        },
      },
    ]);
  });

  it("sends IAM a policy that changes only Gitpod's names and their ownership TXT records, in one zone", () => {
    const policy = JSON.parse(plan.ofType("aws_iam_role_policy")[0].values.policy);
    const zone = `arn:aws:route53:::hostedzone/${ZONE}`;
    expect(policy.Version).toBe("2012-10-17");
    expect(policy.Statement).toEqual([
      { Sid: "FindZone", Effect: "Allow", Action: "route53:ListHostedZones", Resource: "*" },
      { Sid: "ReadZone", Effect: "Allow", Action: "route53:ListResourceRecordSets", Resource: zone },
      {
        Sid: "GitpodRecordsOnly",
        Effect: "Allow",
        Action: "route53:ChangeResourceRecordSets",
        Resource: zone,
        Condition: {
          "ForAllValues:StringEquals": {
            "route53:ChangeResourceRecordSetsRecordTypes": ["A", "AAAA", "CNAME", "TXT"],
            "route53:ChangeResourceRecordSetsNormalizedRecordNames": [
              "gitpod.acme.dev",
              // One backslash and the octal code of "*", as Route53 normalizes a wildcard.
              "\\052.gitpod.acme.dev",
              "\\052.ws.gitpod.acme.dev",
              "_external-dns-a.gitpod.acme.dev",
              "_external-dns-a._wildcard.gitpod.acme.dev",
              "_external-dns-a._wildcard.ws.gitpod.acme.dev",
              "_external-dns-aaaa.gitpod.acme.dev",
              "_external-dns-aaaa._wildcard.gitpod.acme.dev",
              "_external-dns-aaaa._wildcard.ws.gitpod.acme.dev",
              "_external-dns-cname.gitpod.acme.dev",
              "_external-dns-cname._wildcard.gitpod.acme.dev",
              "_external-dns-cname._wildcard.ws.gitpod.acme.dev",
            ],
          },
        },
      },
    ]);
    // The raw JSON IAM receives: "\\052" is JSON for the four characters \052.
    expect(plan.ofType("aws_iam_role_policy")[0].values.policy).toContain('"\\\\052.gitpod.acme.dev"');
  });
});
