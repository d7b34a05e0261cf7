/**
 * Ways of providing Gitpod's TLS certificate. Each returns the secret Gitpod reads and the
 * cert-manager objects (if any) that must be created with the release, in Gitpod's namespace.
 *
 * These objects go into the release chart rather than into Terraform `kubernetes_manifest`
 * resources: a chart needs no API server at plan time, and what it contains is checked against the
 * cert-manager schemas in tests. They still need cert-manager's CRDs, which is why they are
 * installed by a later stack than cert-manager itself (docs/gitpod-installer.md, "cert-manager and TLS").
 */
import type { ICertificate } from "@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate";
import type { IIssuer } from "@kubernetes-models/cert-manager/cert-manager.io/v1/Issuer";
import type { GitpodCertificate } from "../gitpod/dependencies";
import type { KubernetesObject } from "../helm-chart/kubernetes-object";

/** Gitpod's default certificate secret name (`certificate.name`). */
export const GITPOD_CERTIFICATE_SECRET = "https-certificates";

export interface CertificateSource extends GitpodCertificate {
  /** cert-manager objects to create in Gitpod's namespace. */
  readonly manifests: readonly KubernetesObject[];
}

export interface IssuerReference {
  readonly name: string;
  readonly kind: "ClusterIssuer" | "Issuer";
  readonly group?: string;
}

/** The names one certificate must cover: the dashboard, every service, every workspace. */
export function gitpodDnsNames(domain: string): string[] {
  return [domain, `*.${domain}`, `*.ws.${domain}`];
}

function gitpodCertificate(domain: string, issuerRef: IssuerReference): ICertificate {
  return {
    apiVersion: "cert-manager.io/v1",
    kind: "Certificate",
    metadata: { name: GITPOD_CERTIFICATE_SECRET },
    spec: {
      secretName: GITPOD_CERTIFICATE_SECRET,
      dnsNames: gitpodDnsNames(domain),
      issuerRef: { group: "cert-manager.io", ...issuerRef },
    },
  };
}

/** A certificate from an issuer the cluster already has (Let's Encrypt, a corporate CA...). */
export function issuedCertificate(props: { readonly domain: string; readonly issuerRef: IssuerReference }): CertificateSource {
  return { secretName: GITPOD_CERTIFICATE_SECRET, manifests: [gitpodCertificate(props.domain, props.issuerRef)] };
}

/** A TLS secret the user manages (type kubernetes.io/tls, in Gitpod's namespace). */
export function existingCertificateSecret(props: { readonly secretName: string }): CertificateSource {
  return { secretName: props.secretName, manifests: [] };
}

/**
 * A private CA made by cert-manager (self-signed root -> CA issuer -> Gitpod certificate). Gitpod
 * is told to trust the CA (`customCACert`), so workspaces and image pulls accept it; browsers
 * need it imported. For trials and air-gapped installations.
 */
export function selfSignedCertificate(props: { readonly domain: string; readonly namePrefix: string }): CertificateSource {
  const rootIssuer = `${props.namePrefix}-self-signed-root`;
  const ca = `${props.namePrefix}-self-signed-ca`;
  const selfSignedIssuer: IIssuer = {
    apiVersion: "cert-manager.io/v1",
    kind: "Issuer",
    metadata: { name: rootIssuer },
    spec: { selfSigned: {} },
  };
  const caCertificate: ICertificate = {
    apiVersion: "cert-manager.io/v1",
    kind: "Certificate",
    metadata: { name: ca },
    spec: {
      isCA: true,
      commonName: `${props.namePrefix} Gitpod CA`,
      secretName: ca,
      duration: "87600h",
      privateKey: { algorithm: "ECDSA", size: 256 },
      issuerRef: { group: "cert-manager.io", kind: "Issuer", name: rootIssuer },
    },
  };
  const caIssuer: IIssuer = { apiVersion: "cert-manager.io/v1", kind: "Issuer", metadata: { name: ca }, spec: { ca: { secretName: ca } } };
  return {
    secretName: GITPOD_CERTIFICATE_SECRET,
    customCaSecretName: ca,
    manifests: [selfSignedIssuer, caCertificate, caIssuer, gitpodCertificate(props.domain, { name: ca, kind: "Issuer" })],
  };
}
