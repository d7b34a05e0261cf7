import {
  GITPOD_CERTIFICATE_SECRET,
  existingCertificateSecret,
  gitpodDnsNames,
  issuedCertificate,
  selfSignedCertificate,
} from "../../modules/tls/gitpod-certificate";
import { validateAgainstSchema } from "../support/kubernetes-schemas";

const objects = (source: { manifests: readonly unknown[] }) => source.manifests as Record<string, any>[];

describe("TLS certificate sources", () => {
  // docs/gitpod-installer.md, "cert-manager and TLS": the secret must cover <domain>, *.<domain> and *.ws.<domain>.
  it("covers the domain, its subdomains and the workspace subdomains", () => {
    expect(gitpodDnsNames("gitpod.acme.dev")).toEqual(["gitpod.acme.dev", "*.gitpod.acme.dev", "*.ws.gitpod.acme.dev"]);
  });

  it("self-signed: root issuer -> CA certificate -> CA issuer -> Gitpod certificate, CA trusted by Gitpod", () => {
    const source = selfSignedCertificate({ domain: "gitpod.acme.dev", namePrefix: "acme" });
    const manifests = objects(source);
    manifests.forEach(validateAgainstSchema);
    expect(manifests.map((m) => `${m.kind}/${m.metadata.name}`)).toEqual([
      "Issuer/acme-self-signed-root",
      "Certificate/acme-self-signed-ca",
      "Issuer/acme-self-signed-ca",
      `Certificate/${GITPOD_CERTIFICATE_SECRET}`,
    ]);
    const [root, ca, caIssuer, gitpod] = manifests;
    expect(root.spec).toEqual({ selfSigned: {} });
    expect(ca.spec).toMatchObject({ isCA: true, secretName: "acme-self-signed-ca", issuerRef: { kind: "Issuer", name: "acme-self-signed-root" } });
    expect(caIssuer.spec).toEqual({ ca: { secretName: "acme-self-signed-ca" } });
    expect(gitpod.spec).toEqual({
      secretName: "https-certificates",
      dnsNames: ["gitpod.acme.dev", "*.gitpod.acme.dev", "*.ws.gitpod.acme.dev"],
      issuerRef: { group: "cert-manager.io", kind: "Issuer", name: "acme-self-signed-ca" },
    });
    // The CA secret written by cert-manager has ca.crt, the key customCACert reads.
    expect(source.secretName).toBe("https-certificates");
    expect(source.customCaSecretName).toBe("acme-self-signed-ca");
  });

  it("issuer: one Certificate from the given (Cluster)Issuer, no custom CA", () => {
    const source = issuedCertificate({ domain: "gitpod.acme.dev", issuerRef: { name: "letsencrypt", kind: "ClusterIssuer" } });
    const [certificate] = objects(source);
    objects(source).forEach(validateAgainstSchema);
    expect(objects(source)).toHaveLength(1);
    expect(certificate.spec.issuerRef).toEqual({ group: "cert-manager.io", kind: "ClusterIssuer", name: "letsencrypt" });
    expect(certificate.spec.dnsNames).toEqual(gitpodDnsNames("gitpod.acme.dev"));
    expect(source.customCaSecretName).toBeUndefined();
  });

  it("secret: Gitpod reads the user's secret and nothing is created", () => {
    expect(existingCertificateSecret({ secretName: "wildcard-tls" })).toEqual({ secretName: "wildcard-tls", manifests: [] });
  });

  it("the schemas reject a broken certificate (the check can fail)", () => {
    const [certificate] = objects(issuedCertificate({ domain: "a.example.com", issuerRef: { name: "x", kind: "Issuer" } }));
    expect(() => validateAgainstSchema({ ...certificate, spec: { ...certificate.spec, dnsNames: "a.example.com" } })).toThrow(/dnsNames/);
  });
});
