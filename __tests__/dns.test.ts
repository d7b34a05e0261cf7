/**
 * `dns`: nothing by default; with external-dns-route53, external-dns in the cluster prerequisites
 * with the zone-scoped role made in the AWS stack (docs/dns.md).
 */
import { config, parseYaml, resourcesOf, synthApp } from "./support/synth";

const OIDC = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
const release = (json: ReturnType<ReturnType<typeof synthApp>["stack"]>, name: string) =>
  (Object.values(resourcesOf(json, "helm_release")) as Record<string, any>[]).find((r) => r.name === name);

describe("dns", () => {
  it("none (the default): no external-dns, no AWS stack", () => {
    const app = synthApp(config());
    expect(release(app.stack("gitpod-cluster-prerequisites"), "external-dns")).toBeUndefined();
    expect(app.stackIds).not.toContain("gitpod-aws-services");
  });

  describe("external-dns-route53", () => {
    const app = synthApp(
      config({
        name: "acme",
        aws: { region: "eu-west-1", eksOidcProviderArn: OIDC },
        dns: { type: "external-dns-route53", hostedZoneId: "Z0123456789ABCDEFGHIJ" },
      }),
    );
    const cluster = app.stack("acme-cluster-prerequisites");
    const aws = app.stack("acme-aws-services");
    const externalDns = release(cluster, "external-dns")!;

    it("installs external-dns in a namespace of its own, made first, watching Gitpod's namespace only", () => {
      expect(externalDns).toMatchObject({ namespace: "${kubernetes_namespace_v1.external-dns-namespace.metadata[0].name}", create_namespace: false, version: "1.21.1" });
      const values = parseYaml(externalDns.values[0]) as Record<string, any>;
      expect(values).toMatchObject({ namespaced: true, sourceNamespace: "gitpod" });
    });

    it("uses the role the AWS stack makes, by its ARN known from its name, without reading that stack's state", () => {
      const [role] = Object.values(resourcesOf(aws, "aws_iam_role")).filter((r: any) => r.name === "acme-external-dns");
      expect(role).toBeDefined();
      const values = parseYaml(externalDns.values[0]) as Record<string, any>;
      expect(values.serviceAccount.annotations["eks.amazonaws.com/role-arn"]).toBe("arn:aws:iam::123456789012:role/acme-external-dns");
      expect(cluster.data?.terraform_remote_state).toBeUndefined();
      // ...and is applied after it, so the role exists when external-dns starts.
      expect(app.manifest.stacks["acme-cluster-prerequisites"].dependencies).toContain("acme-aws-services");
    });
  });
});
