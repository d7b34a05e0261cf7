import { Construct } from "constructs";
import { parseArn } from "../aws-iam/arn";
import { ServiceAccountRole } from "../aws-iam/service-account-role";
import { EXTERNAL_DNS_TXT_RECORD_TYPES, externalDnsTxtName } from "../external-dns/external-dns";
import { gitpodDnsNames } from "../tls/gitpod-certificate";

export interface ExternalDnsRoute53RoleProps {
  readonly roleName: string;
  readonly hostedZoneId: string;
  /** Gitpod's domain; the role may change only its records (see gitpodDnsNames) and their TXT ownership records. */
  readonly domain: string;
  readonly oidcProviderArn: string;
  /** The service account external-dns runs as (audience sts.amazonaws.com), and its namespace. */
  readonly namespace: string;
  readonly serviceAccount: string;
}

/**
 * A record name as Route53 compares it with `route53:ChangeResourceRecordSetsNormalizedRecordNames`:
 * lower case, no trailing dot, and every character but a-z, 0-9, `-`, `_` and the dots between
 * labels as a three-digit octal escape (`*` is `\052`).
 */
export function normalizedRecordName(name: string): string {
  return name
    .toLowerCase()
    .replace(/\.$/, "")
    .replace(/[^a-z0-9\-_.]/g, (character) => `\\${character.charCodeAt(0).toString(8).padStart(3, "0")}`);
}

/**
 * The records external-dns writes for Gitpod, normalized as the condition key compares them:
 * `<domain>`, `*.<domain>`, `*.ws.<domain>` and the TXT ownership record of each for every type it
 * may have (an alias A records its TXT as `cname`, besides its AAAA; a plain A or a CNAME when the
 * load balancer has an IP address or a hostname that is not AWS's).
 */
export function externalDnsRecordNames(domain: string): string[] {
  const names = gitpodDnsNames(domain);
  const ownership = EXTERNAL_DNS_TXT_RECORD_TYPES.flatMap((type) => names.map((name) => externalDnsTxtName(name, type)));
  return [...names, ...ownership].map(normalizedRecordName);
}

/**
 * `text` inside a string of the policy's jsonencode(...) expression, which Terraform parses as HCL:
 * there a backslash starts an escape (`\052` would be refused), so it is written doubled and
 * arrives as one.
 */
function hclStringContent(text: string): string {
  return text.replace(/\\/g, "\\\\");
}

/**
 * The role external-dns assumes to publish Gitpod's records in Route53: it may change only Gitpod's
 * three names and their ownership TXT records, of the types external-dns writes, in one hosted zone,
 * and read that zone. Deleting is allowed on those names: external-dns replaces a record whose type
 * or alias changes by a delete and a create, even with its upsert-only policy.
 */
export class ExternalDnsRoute53Role extends Construct {
  readonly arn: string;

  constructor(scope: Construct, id: string, props: ExternalDnsRoute53RoleProps) {
    super(scope, id);
    const partition = parseArn(props.oidcProviderArn).partition;
    const zone = `arn:${partition}:route53:::hostedzone/${props.hostedZoneId}`;
    this.arn = new ServiceAccountRole(this, "role", {
      roleName: props.roleName,
      description: `external-dns records for ${props.domain} in ${props.hostedZoneId}`,
      oidcProviderArn: props.oidcProviderArn,
      namespace: props.namespace,
      serviceAccount: props.serviceAccount,
      statements: [
        // Grants nothing per zone (the action has no resource): external-dns lists the zones and
        // keeps the one of --zone-id-filter.
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
              "route53:ChangeResourceRecordSetsNormalizedRecordNames": externalDnsRecordNames(props.domain).map(hclStringContent),
            },
          },
        },
      ],
    }).arn;
  }
}
