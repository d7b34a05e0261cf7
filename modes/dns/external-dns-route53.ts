import { TerraformOutput, TerraformStack } from "cdktf";
import * as v from "valibot";
import { imageReference, matching, urlWithScheme } from "../../config/primitives";
import { iamRoleArn } from "../../modules/aws-iam/arn";
import { ExternalDnsRoute53Role } from "../../modules/aws-route53/external-dns-role";
import {
  DEFAULT_EXTERNAL_DNS_CHART_REPOSITORY,
  DEFAULT_EXTERNAL_DNS_IMAGE,
  EXTERNAL_DNS_SERVICE_ACCOUNT,
  ExternalDns,
} from "../../modules/external-dns/external-dns";
import { dnsMode } from "../dependencies";

export const externalDnsRoute53 = dnsMode({
  type: "external-dns-route53",
  summary: "external-dns keeps the records of Gitpod's proxy in a Route53 zone, through an IAM role limited to those names",
  entries: {
    /** The hosted zone that holds the domain (its own zone or a parent's); the role may change only Gitpod's records in it. */
    hostedZoneId: matching(/^Z[A-Z0-9]{1,32}$/, 'must be a Route53 hosted zone id such as "Z0123456789ABCDEFGHIJ"'),
    /** `upsert-only` never deletes a record; `sync` also deletes the records it made when the proxy goes. */
    policy: v.optional(v.picklist(["upsert-only", "sync"]), "upsert-only"),
    /** Helm repository (https) or oci:// path of the kubernetes-sigs chart. Default: `mirror.chartRepository`, else the public one. */
    chartRepository: v.optional(urlWithScheme(["https", "oci"], "must be an https URL of a Helm repository or an oci:// registry path")),
    /** Default: DEFAULT_EXTERNAL_DNS_IMAGE, from the mirror when there is one. With a digest, keep the tag (`repository:tag@sha256:...`). */
    image: v.optional(imageReference),
  },
  placement: ["aws-services", "cluster-prerequisites"],
  aws: { eksOidcProviderArn: "the EKS OIDC provider, for external-dns's IAM role" },
  build(context, options, aws) {
    const awsScope = context.scope("aws-services");
    // external-dns has a namespace of its own: only it may run as the service account the role trusts.
    const namespace = `${context.namePrefix}-external-dns`;
    const role = new ExternalDnsRoute53Role(awsScope, "external-dns", {
      roleName: namespace,
      hostedZoneId: options.hostedZoneId,
      domain: context.domain,
      oidcProviderArn: aws.eksOidcProviderArn,
      namespace,
      serviceAccount: EXTERNAL_DNS_SERVICE_ACCOUNT,
    });
    new TerraformOutput(awsScope, "external_dns_role_arn", { value: role.arn, description: "IAM role external-dns assumes to keep Gitpod's Route53 records (IRSA)" });
    const clusterScope = context.scope("cluster-prerequisites");
    // The role's ARN is known from its name: the cluster prerequisites do not read the AWS stack's
    // state (which holds secrets they have no use for), they are only applied after it.
    TerraformStack.of(clusterScope).addDependency(TerraformStack.of(awsScope));
    const own = context.ownNamespace("external-dns", namespace);
    new ExternalDns(clusterScope, "external-dns", {
      namespace: own.name,
      createNamespace: false,
      chartRepository: options.chartRepository ?? context.chartRepository ?? DEFAULT_EXTERNAL_DNS_CHART_REPOSITORY,
      image: options.image ?? context.image(DEFAULT_EXTERNAL_DNS_IMAGE),
      imagePullSecrets: own.imagePullSecrets,
      dependsOn: own.dependsOn,
      domain: context.domain,
      hostedZoneId: options.hostedZoneId,
      region: aws.region,
      roleArn: iamRoleArn(aws.eksOidcProviderArn, namespace),
      txtOwnerId: `${context.namePrefix}.${context.domain}`,
      policy: options.policy,
      serviceNamespace: context.namespaceName,
    });
  },
});
