import { TerraformOutput } from "cdktf";
import * as v from "valibot";
import { matching, urlWithScheme } from "../../config/primitives";
import { AcmeDns01Role } from "../../modules/aws-route53/acme-dns01-role";
import { acmeDns01ServiceAccount, AcmeRoute53Issuer } from "../../modules/tls/acme-route53-issuer";
import { tlsMode } from "../dependencies";
import { tlsOptions } from "./tls-options";

export const ACME_SERVERS = {
  production: "https://acme-v02.api.letsencrypt.org/directory",
  staging: "https://acme-staging-v02.api.letsencrypt.org/directory",
} as const;

export const acmeRoute53Tls = tlsMode({
  type: "acme-route53",
  summary: "Let's Encrypt (or another ACME CA) through DNS01 challenges in a Route53 zone",
  entries: {
    /** Let's Encrypt account e-mail (expiry notices). */
    email: v.pipe(v.string(), v.email("must be an e-mail address")),
    /** `production`, `staging` (untrusted certificates, generous rate limits) or an ACME directory URL. */
    server: v.optional(
      v.union([v.picklist(["production", "staging"]), urlWithScheme(["https"], 'must be "production", "staging" or the https URL of an ACME directory')]),
      "production",
    ),
    /** Route53 hosted zone that holds the domain; the issuer's IAM role may change only this zone. */
    hostedZoneId: matching(/^Z[A-Z0-9]{1,32}$/, 'must be a Route53 hosted zone id such as "Z0123456789ABCDEFGHIJ"'),
    ...tlsOptions,
  },
  placement: ["aws-services", "release"],
  aws: { eksOidcProviderArn: "the EKS OIDC provider, for cert-manager's IAM role" },
  build(context, options, aws) {
    const awsScope = context.scope("aws-services");
    const serviceAccount = acmeDns01ServiceAccount(context.namePrefix);
    const role = new AcmeDns01Role(awsScope, "acme-dns01", {
      roleName: serviceAccount,
      hostedZoneId: options.hostedZoneId,
      domain: context.domain,
      oidcProviderArn: aws.eksOidcProviderArn,
      // The issuer and its service account live in Gitpod's namespace.
      namespace: context.namespaceName,
      serviceAccount,
    });
    new TerraformOutput(awsScope, "acme_dns01_role_arn", { value: role.arn, description: "IAM role cert-manager assumes for Route53 DNS01 challenges (IRSA)" });
    return new AcmeRoute53Issuer(context.scope("release"), "acme-issuer", {
      namespace: context.namespace,
      namePrefix: context.namePrefix,
      domain: context.domain,
      email: options.email,
      server: options.server === "production" || options.server === "staging" ? ACME_SERVERS[options.server] : options.server,
      region: aws.region,
      hostedZoneId: options.hostedZoneId,
      roleArn: role.arn,
      certManagerNamespace: options.certManager.namespace,
      certManagerServiceAccount: options.certManager.serviceAccount,
    }).certificate;
  },
});
