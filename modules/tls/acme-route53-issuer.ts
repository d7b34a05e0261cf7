import type { IClusterIssuer } from "@kubernetes-models/cert-manager/cert-manager.io/v1/ClusterIssuer";
import { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import { RoleBindingV1 } from "@cdktf/provider-kubernetes/lib/role-binding-v1";
import { RoleV1 } from "@cdktf/provider-kubernetes/lib/role-v1";
import { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
import { Construct } from "constructs";
import { MANAGED_BY_LABEL } from "../helm-chart/kubernetes-object";
import { issuedCertificate, type CertificateSource } from "./gitpod-certificate";

type Solver = NonNullable<NonNullable<NonNullable<IClusterIssuer["spec"]>["acme"]>["solvers"]>[number];
/**
 * The Route53 solver with `auth.kubernetes.serviceAccountRef` (cert-manager >= 1.13), which the
 * schema package's older CRD does not have yet; every other field is checked against it.
 */
type Route53Solver = NonNullable<NonNullable<Solver["dns01"]>["route53"]> & {
  readonly auth: { readonly kubernetes: { readonly serviceAccountRef: { readonly name: string } } };
};

export interface AcmeRoute53IssuerProps {
  readonly namePrefix: string;
  readonly domain: string;
  readonly email: string;
  /** ACME directory URL. */
  readonly server: string;
  readonly region: string;
  readonly hostedZoneId: string;
  /** The IAM role for DNS01 (see AcmeDns01Role); it trusts `serviceAccount` below. */
  readonly roleArn: string;
  /** Where cert-manager runs, and the service account of its controller. */
  readonly certManagerNamespace: string;
  readonly certManagerServiceAccount: string;
}

/** The service account the DNS01 role trusts, for a name prefix. */
export function acmeDns01ServiceAccount(namePrefix: string): string {
  return `${namePrefix}-acme-dns01`;
}

/**
 * A Let's Encrypt ClusterIssuer answering DNS01 challenges in Route53 (HTTP01 cannot issue the
 * wildcards Gitpod needs). cert-manager assumes the issuer's IAM role with a token of a dedicated
 * service account, so neither cert-manager's own account nor its stack need to know about AWS.
 */
export class AcmeRoute53Issuer extends Construct {
  readonly issuerName: string;
  readonly clusterIssuer: Manifest;
  /** Gitpod's certificate from this issuer. */
  readonly certificate: CertificateSource;

  constructor(scope: Construct, id: string, props: AcmeRoute53IssuerProps) {
    super(scope, id);
    const namespace = props.certManagerNamespace;
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
      subject: [{ kind: "ServiceAccount", name: props.certManagerServiceAccount, namespace }],
    });

    const route53: Route53Solver = {
      region: props.region,
      hostedZoneID: props.hostedZoneId,
      role: props.roleArn,
      auth: { kubernetes: { serviceAccountRef: { name: serviceAccount } } },
    };
    const issuer: IClusterIssuer = {
      apiVersion: "cert-manager.io/v1",
      kind: "ClusterIssuer",
      metadata: { name: this.issuerName, labels },
      spec: {
        acme: {
          email: props.email,
          server: props.server,
          privateKeySecretRef: { name: `${this.issuerName}-account` },
          solvers: [{ selector: { dnsZones: [props.domain] }, dns01: { route53 } }],
        },
      },
    };
    // A Terraform manifest, not part of the release chart: the role ARN is known only at apply.
    this.clusterIssuer = new Manifest(this, "cluster-issuer", { manifest: issuer, dependsOn: [binding] });
    this.certificate = {
      ...issuedCertificate({ domain: props.domain, issuerRef: { name: this.issuerName, kind: "ClusterIssuer" } }),
      prerequisites: [this.clusterIssuer],
    };
  }
}
