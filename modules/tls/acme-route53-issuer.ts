import type { IIssuer } from "@kubernetes-models/cert-manager/cert-manager.io/v1/Issuer";
import { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import { RoleBindingV1 } from "@cdktf/provider-kubernetes/lib/role-binding-v1";
import { RoleV1 } from "@cdktf/provider-kubernetes/lib/role-v1";
import { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
import { Construct } from "constructs";
import { MANAGED_BY_LABEL } from "../helm-chart/kubernetes-object";
import { issuedCertificate, type CertificateSource } from "./gitpod-certificate";

type Solver = NonNullable<NonNullable<NonNullable<IIssuer["spec"]>["acme"]>["solvers"]>[number];
/**
 * The Route53 solver with `auth.kubernetes.serviceAccountRef` (cert-manager >= 1.13), which the
 * schema package's older CRD does not have yet; every other field is checked against it.
 */
type Route53Solver = NonNullable<NonNullable<Solver["dns01"]>["route53"]> & {
  readonly auth: { readonly kubernetes: { readonly serviceAccountRef: { readonly name: string } } };
};

export interface AcmeRoute53IssuerProps {
  /**
   * Gitpod's namespace (may be a reference): the Issuer, its service account and the permission
   * to request that account's tokens live there, next to the Certificate.
   */
  readonly namespace: string;
  readonly namePrefix: string;
  readonly domain: string;
  readonly email: string;
  /** ACME directory URL. */
  readonly server: string;
  readonly region: string;
  readonly hostedZoneId: string;
  /** The IAM role for DNS01 (see AcmeDns01Role); it trusts the issuer's service account (acmeDns01ServiceAccount) in `namespace`. */
  readonly roleArn: string;
  /** Where cert-manager runs, and the service account of its controller: it requests the tokens. */
  readonly certManagerNamespace: string;
  readonly certManagerServiceAccount: string;
}

/** The service account the DNS01 role trusts, for a name prefix. */
export function acmeDns01ServiceAccount(namePrefix: string): string {
  return `${namePrefix}-acme-dns01`;
}

/**
 * A Let's Encrypt Issuer in Gitpod's namespace answering DNS01 challenges in Route53 (HTTP01
 * cannot issue the wildcards Gitpod needs). Namespaced, so no other namespace's Certificates can
 * use it. cert-manager (>= 1.13) assumes the issuer's IAM role with a token it requests for a
 * dedicated service account next to the issuer (`auth.kubernetes.serviceAccountRef`, audience
 * sts.amazonaws.com), which a Role lets its controller do for that account only: neither
 * cert-manager's own account nor its stack need to know about AWS.
 */
export class AcmeRoute53Issuer extends Construct {
  readonly issuerName: string;
  readonly issuer: Manifest;
  /** Gitpod's certificate from this issuer. */
  readonly certificate: CertificateSource;

  constructor(scope: Construct, id: string, props: AcmeRoute53IssuerProps) {
    super(scope, id);
    const namespace = props.namespace;
    const serviceAccount = acmeDns01ServiceAccount(props.namePrefix);
    const labels = { ...MANAGED_BY_LABEL };
    this.issuerName = `${props.namePrefix}-letsencrypt`;

    new ServiceAccountV1(this, "service-account", { metadata: { name: serviceAccount, namespace, labels } });
    // cert-manager requests the token itself: let its controller do that for this account only.
    const role = new RoleV1(this, "token-request", {
      metadata: { name: `${serviceAccount}-token`, namespace, labels },
      rule: [{ apiGroups: [""], resources: ["serviceaccounts/token"], resourceNames: [serviceAccount], verbs: ["create"] }],
    });
    const binding = new RoleBindingV1(this, "token-request-binding", {
      metadata: { name: `${serviceAccount}-token`, namespace, labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
      subject: [{ kind: "ServiceAccount", name: props.certManagerServiceAccount, namespace: props.certManagerNamespace }],
    });

    const route53: Route53Solver = {
      region: props.region,
      hostedZoneID: props.hostedZoneId,
      role: props.roleArn,
      auth: { kubernetes: { serviceAccountRef: { name: serviceAccount } } },
    };
    const issuer: IIssuer = {
      apiVersion: "cert-manager.io/v1",
      kind: "Issuer",
      metadata: { name: this.issuerName, namespace, labels },
      spec: {
        acme: {
          email: props.email,
          server: props.server,
          // In the issuer's namespace.
          privateKeySecretRef: { name: `${this.issuerName}-account` },
          solvers: [{ selector: { dnsZones: [props.domain] }, dns01: { route53 } }],
        },
      },
    };
    // A Terraform manifest, not part of the release chart: the role ARN is known only at apply.
    this.issuer = new Manifest(this, "issuer", { manifest: issuer, dependsOn: [binding] });
    this.certificate = {
      ...issuedCertificate({ domain: props.domain, issuerRef: { name: this.issuerName, kind: "Issuer" } }),
      prerequisites: [this.issuer],
    };
  }
}
