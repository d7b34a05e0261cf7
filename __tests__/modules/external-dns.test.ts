import { TerraformVariable } from "cdktf";
import { ExternalDnsRoute53Role, externalDnsRecordNames, normalizedRecordName } from "../../modules/aws-route53/external-dns-role";
import {
  DEFAULT_EXTERNAL_DNS_CHART_REPOSITORY,
  DEFAULT_EXTERNAL_DNS_CHART_VERSION,
  DEFAULT_EXTERNAL_DNS_IMAGE,
  EXTERNAL_DNS_SERVICE_ACCOUNT,
  ExternalDns,
  externalDnsImage,
  externalDnsTxtName,
  externalDnsValues,
  type ExternalDnsProps,
} from "../../modules/external-dns/external-dns";
import { moduleStack, onlyResource, parseYaml, synthStack, unescapeTerraformTemplate } from "../support/synth";

const OIDC = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789";
const ZONE = "Z0123456789ABCDEFGHIJ";
const ROLE_ARN = "arn:aws:iam::123456789012:role/gitpod-external-dns";
const digest = `sha256:${"ab".repeat(32)}`;

const PROPS: ExternalDnsProps = {
  namespace: "external-dns",
  domain: "gitpod.acme.dev",
  hostedZoneId: ZONE,
  region: "eu-west-1",
  roleArn: ROLE_ARN,
  txtOwnerId: "gitpod-acme",
};

/** A jsonencode(...) policy as cdktf writes it, turned back into data for assertions. */
function hclPolicy(expression: string): any {
  const inner = expression.replace(/^\$\{jsonencode\(/, "").replace(/\)\}$/, "");
  return JSON.parse(inner.replace(/" = /g, '": ').replace(/(\{|, )"/g, '$1"'));
}

/** The release's values as Helm reads them (after Terraform has unescaped its template syntax). */
function helmValues(release: Record<string, unknown>): any {
  return parseYaml(unescapeTerraformTemplate((release.values as string[])[0]));
}

describe("ExternalDns", () => {
  const stack = moduleStack();
  // The role's ARN is a reference in real stacks.
  const roleArn = new TerraformVariable(stack, "role-arn", { type: "string" }).stringValue;
  new ExternalDns(stack, "external-dns", { ...PROPS, roleArn, imagePullSecrets: ["mirror-pull"] });
  const release = onlyResource(synthStack(stack), "helm_release") as any;
  const values = helmValues(release);

  it("installs the pinned kubernetes-sigs chart and waits until it is ready", () => {
    expect(DEFAULT_EXTERNAL_DNS_CHART_VERSION).toBe("1.21.1");
    expect(release).toMatchObject({
      name: "external-dns",
      repository: "https://kubernetes-sigs.github.io/external-dns/",
      chart: "external-dns",
      version: "1.21.1",
      namespace: "external-dns",
      create_namespace: true,
      wait: true,
      atomic: true,
    });
  });

  it("names the image in full, as the chart's repository and tag (its appVersion 0.21.0)", () => {
    expect(DEFAULT_EXTERNAL_DNS_IMAGE).toBe("registry.k8s.io/external-dns/external-dns:v0.21.0");
    expect(values.image).toEqual({ repository: "registry.k8s.io/external-dns/external-dns", tag: "v0.21.0" });
    expect(values.imagePullSecrets).toEqual([{ name: "mirror-pull" }]);
  });

  it("publishes only Gitpod's domain, from LoadBalancer Services, into one hosted zone, with the aws provider", () => {
    expect(values).toMatchObject({
      provider: { name: "aws" },
      sources: ["service"],
      policy: "upsert-only",
      interval: "1m",
      registry: "txt",
      txtOwnerId: "gitpod-acme",
      domainFilters: ["gitpod.acme.dev"],
    });
    expect(values.extraArgs).toEqual({
      "zone-id-filter": ZONE,
      "aws-zone-match-parent": true,
      "txt-wildcard-replacement": "_wildcard",
      "service-type-filter": "LoadBalancer",
    });
    expect(values.env).toEqual([
      { name: "AWS_REGION", value: "eu-west-1" },
      { name: "AWS_DEFAULT_REGION", value: "eu-west-1" },
    ]);
    // Every Service of the cluster is read unless a namespace is given.
    expect(values.namespaced).toBeUndefined();
  });

  it("writes its TXT prefix past Terraform's template syntax, so Helm gets %{record_type}", () => {
    expect(release.values[0]).toContain("txtPrefix: _external-dns-%%{record_type}.");
    expect(values.txtPrefix).toBe("_external-dns-%{record_type}.");
  });

  it("runs as the service account the role trusts, annotated with the role (a reference)", () => {
    expect(values.serviceAccount).toEqual({
      create: true,
      name: EXTERNAL_DNS_SERVICE_ACCOUNT,
      annotations: { "eks.amazonaws.com/role-arn": "${var.role-arn}" },
    });
  });

  it("reads only Gitpod's namespace when given one (a Role there)", () => {
    expect(externalDnsValues({ ...PROPS, serviceNamespace: "gitpod" })).toMatchObject({ namespaced: true, sourceNamespace: "gitpod" });
  });

  it("takes another repository, version, policy, interval and an existing namespace", () => {
    const other = moduleStack();
    new ExternalDns(other, "external-dns", {
      ...PROPS,
      namespace: "kube-dns",
      createNamespace: false,
      chartRepository: "https://charts.mirror.acme.dev/external-dns",
      chartVersion: "1.21.0",
      policy: "sync",
      interval: "5m",
    });
    const mirrored = onlyResource(synthStack(other), "helm_release") as any;
    expect(mirrored).toMatchObject({ repository: "https://charts.mirror.acme.dev/external-dns", version: "1.21.0", namespace: "kube-dns", create_namespace: false });
    expect(helmValues(mirrored)).toMatchObject({ policy: "sync", interval: "5m" });
    expect(DEFAULT_EXTERNAL_DNS_CHART_REPOSITORY).toBe("https://kubernetes-sigs.github.io/external-dns/");
  });
});

describe("the external-dns image in the chart's values", () => {
  it("puts a digest into the tag value: the chart writes repository:tag and has no digest value", () => {
    const values = externalDnsValues({ ...PROPS, image: `mirror.acme.dev:5000/external-dns/external-dns:v0.21.0@${digest}` });
    expect(values.image).toEqual({ repository: "mirror.acme.dev:5000/external-dns/external-dns", tag: `v0.21.0@${digest}` });
  });

  it("takes another repository by tag", () => {
    expect(externalDnsImage("mirror.acme.dev:5000/external-dns/external-dns:v0.21.0")).toEqual({
      repository: "mirror.acme.dev:5000/external-dns/external-dns",
      tag: "v0.21.0",
    });
  });

  it("refuses a reference without a tag, which the chart cannot write", () => {
    expect(() => externalDnsImage(`mirror.acme.dev:5000/external-dns/external-dns@${digest}`)).toThrow(/needs a tag/);
    expect(() => externalDnsImage("mirror.acme.dev:5000/external-dns/external-dns")).toThrow(/needs a tag/);
  });
});

describe("external-dns's record names", () => {
  it("TXT ownership records: the type in the prefix, the zone's apex kept inside it, wildcards replaced", () => {
    expect(externalDnsTxtName("gitpod.acme.dev", "cname")).toBe("_external-dns-cname.gitpod.acme.dev");
    expect(externalDnsTxtName("*.gitpod.acme.dev", "a")).toBe("_external-dns-a._wildcard.gitpod.acme.dev");
    expect(externalDnsTxtName("*.ws.gitpod.acme.dev", "aaaa")).toBe("_external-dns-aaaa._wildcard.ws.gitpod.acme.dev");
  });

  it("are normalized as Route53 compares them: lower case, no trailing dot, `*` as \\052", () => {
    expect(normalizedRecordName("*.Gitpod.Acme.Dev.")).toBe("\\052.gitpod.acme.dev");
    expect(normalizedRecordName("_external-dns-a.gitpod.acme.dev")).toBe("_external-dns-a.gitpod.acme.dev");
    expect(normalizedRecordName("a b.acme.dev")).toBe("a\\040b.acme.dev");
  });
});

describe("ExternalDnsRoute53Role", () => {
  const stack = moduleStack();
  new ExternalDnsRoute53Role(stack, "external-dns", {
    roleName: "gitpod-external-dns",
    hostedZoneId: ZONE,
    domain: "gitpod.acme.dev",
    oidcProviderArn: OIDC,
    namespace: "external-dns",
    serviceAccount: EXTERNAL_DNS_SERVICE_ACCOUNT,
  });
  const json = synthStack(stack);
  const policy = hclPolicy((onlyResource(json, "aws_iam_role_policy") as any).policy);

  it("can be assumed only with an STS token of external-dns's service account", () => {
    expect(hclPolicy((onlyResource(json, "aws_iam_role") as any).assume_role_policy).Statement[0].Condition).toEqual({
      StringEquals: {
        "oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789:sub": "system:serviceaccount:external-dns:external-dns",
        "oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789:aud": "sts.amazonaws.com",
      },
    });
  });

  // The exact record names are checked on the plan of real Terraform (external-dns-role.integration.test.ts).
  it("changes records only in one zone, of the types external-dns writes, with the names of externalDnsRecordNames", () => {
    expect(policy.Statement.map((s: any) => [s.Sid, s.Action, s.Resource])).toEqual([
      ["FindZone", "route53:ListHostedZones", "*"],
      ["ReadZone", "route53:ListResourceRecordSets", `arn:aws:route53:::hostedzone/${ZONE}`],
      ["GitpodRecordsOnly", "route53:ChangeResourceRecordSets", `arn:aws:route53:::hostedzone/${ZONE}`],
    ]);
    expect(policy.Statement[2].Condition["ForAllValues:StringEquals"]).toEqual({
      "route53:ChangeResourceRecordSetsRecordTypes": ["A", "AAAA", "CNAME", "TXT"],
      "route53:ChangeResourceRecordSetsNormalizedRecordNames": externalDnsRecordNames("gitpod.acme.dev"),
    });
    // The only "*" resource is ListHostedZones, which has no resource to scope to.
    expect(policy.Statement.filter((s: any) => s.Resource === "*").map((s: any) => s.Action)).toEqual(["route53:ListHostedZones"]);
    expect(externalDnsRecordNames("gitpod.acme.dev")).toHaveLength(12);
  });

  it("writes the backslash of \\052 doubled into the jsonencode expression, as HCL needs", () => {
    const expression = (onlyResource(json, "aws_iam_role_policy") as any).policy as string;
    expect(expression).toContain('"\\\\052.gitpod.acme.dev"');
  });

  it("uses the partition of the cluster's OIDC provider", () => {
    const china = moduleStack();
    new ExternalDnsRoute53Role(china, "external-dns", {
      roleName: "gitpod-external-dns",
      hostedZoneId: ZONE,
      domain: "gitpod.acme.dev",
      oidcProviderArn: "arn:aws-cn:iam::123456789012:oidc-provider/oidc.eks.cn-north-1.amazonaws.com.cn/id/ABC",
      namespace: "external-dns",
      serviceAccount: EXTERNAL_DNS_SERVICE_ACCOUNT,
    });
    const statements = hclPolicy((onlyResource(synthStack(china), "aws_iam_role_policy") as any).policy).Statement;
    expect(statements[2].Resource).toBe(`arn:aws-cn:route53:::hostedzone/${ZONE}`);
  });
});
