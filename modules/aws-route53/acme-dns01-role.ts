import { Construct } from "constructs";
import { parseArn } from "../aws-iam/arn";
import { ServiceAccountRole } from "../aws-iam/service-account-role";
import { gitpodDnsNames } from "../tls/gitpod-certificate";

export interface AcmeDns01RoleProps {
  readonly roleName: string;
  readonly hostedZoneId: string;
  /** The domain whose Gitpod certificate is issued (see gitpodDnsNames). */
  readonly domain: string;
  readonly oidcProviderArn: string;
  /** The service account cert-manager requests tokens for (audience sts.amazonaws.com), and its namespace: the issuer's. */
  readonly namespace: string;
  readonly serviceAccount: string;
}

/**
 * The role cert-manager assumes to answer DNS01 challenges in Route53: it may change only TXT
 * records of the ACME challenge names in one hosted zone, and watch its changes.
 */
export class AcmeDns01Role extends Construct {
  readonly arn: string;

  constructor(scope: Construct, id: string, props: AcmeDns01RoleProps) {
    super(scope, id);
    const partition = parseArn(props.oidcProviderArn).partition;
    const zone = `arn:${partition}:route53:::hostedzone/${props.hostedZoneId}`;
    // The challenge record of `*.x` is the one of `x`.
    const challengeRecords = [...new Set(gitpodDnsNames(props.domain).map((name) => `_acme-challenge.${name.replace(/^\*\./, "")}`))];
    this.arn = new ServiceAccountRole(this, "role", {
      roleName: props.roleName,
      description: `cert-manager DNS01 challenges for ${props.domain} in ${props.hostedZoneId}`,
      oidcProviderArn: props.oidcProviderArn,
      namespace: props.namespace,
      serviceAccount: props.serviceAccount,
      statements: [
        { Sid: "WatchChanges", Effect: "Allow", Action: "route53:GetChange", Resource: `arn:${partition}:route53:::change/*` },
        { Sid: "ReadZone", Effect: "Allow", Action: "route53:ListResourceRecordSets", Resource: zone },
        {
          Sid: "ChallengeRecordsOnly",
          Effect: "Allow",
          Action: "route53:ChangeResourceRecordSets",
          Resource: zone,
          Condition: {
            "ForAllValues:StringEquals": {
              "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"],
              "route53:ChangeResourceRecordSetsNormalizedRecordNames": challengeRecords,
            },
          },
        },
      ],
    }).arn;
  }
}
