import { Release } from "@cdktf/provider-helm/lib/release";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { chartImage } from "../cert-manager/cert-manager";
import { terraformTemplateLiterals } from "../terraform/template-literal";
import { plainYaml } from "../yaml/plain-yaml";

/** The kubernetes-sigs chart repository. */
export const DEFAULT_EXTERNAL_DNS_CHART_REPOSITORY = "https://kubernetes-sigs.github.io/external-dns/";
/** Chart version installed by default (its values and templates are what this module writes for). */
export const DEFAULT_EXTERNAL_DNS_CHART_VERSION = "1.21.1";
/** The image of that chart version (its appVersion 0.21.0), written out so every image is named. */
export const DEFAULT_EXTERNAL_DNS_IMAGE = "registry.k8s.io/external-dns/external-dns:v0.21.0";
/** The service account the chart creates, which the Route53 role trusts. */
export const EXTERNAL_DNS_SERVICE_ACCOUNT = "external-dns";

/**
 * Where external-dns keeps its ownership records (the TXT registry): `--txt-prefix` with the record
 * type in it and ending in a dot, so the TXT record of `<name>` is `_external-dns-<type>.<name>`,
 * inside the zone even when `<name>` is the zone's apex.
 */
export const EXTERNAL_DNS_TXT_PREFIX = "_external-dns-%{record_type}.";
/**
 * What stands for the `*` of a wildcard record in its TXT record's name (`--txt-wildcard-replacement`):
 * `_external-dns-a._wildcard.<domain>` rather than a literal `*` in a middle label. An underscore
 * label is never one of Gitpod's host names, so the name it adds does not hide any from the wildcard.
 */
export const EXTERNAL_DNS_TXT_WILDCARD_REPLACEMENT = "_wildcard";
/**
 * The record types external-dns names TXT records after. A Route53 alias to a load balancer is an A
 * record whose TXT record says `cname` (external-dns 0.21, registry/txt), plus an AAAA alias.
 */
export const EXTERNAL_DNS_TXT_RECORD_TYPES = ["a", "aaaa", "cname"] as const;

/**
 * The name of the TXT record external-dns 0.21 writes beside the `recordType` record of `name`,
 * with EXTERNAL_DNS_TXT_PREFIX and EXTERNAL_DNS_TXT_WILDCARD_REPLACEMENT (mapper.ToTXTName).
 */
export function externalDnsTxtName(name: string, recordType: (typeof EXTERNAL_DNS_TXT_RECORD_TYPES)[number]): string {
  const dot = name.indexOf(".");
  const first = dot < 0 ? name : name.slice(0, dot);
  const rest = dot < 0 ? "" : name.slice(dot);
  return `${EXTERNAL_DNS_TXT_PREFIX.replace("%{record_type}", recordType)}${first === "*" ? EXTERNAL_DNS_TXT_WILDCARD_REPLACEMENT : first}${rest}`.toLowerCase();
}

export type ExternalDnsPolicy = "upsert-only" | "sync";

export interface ExternalDnsProps {
  /** Namespace to install into. */
  readonly namespace: string;
  /**
   * Create the namespace with the release.
   * @default true
   */
  readonly createNamespace?: boolean;
  /**
   * Helm repository of the kubernetes-sigs chart (or a mirror of it).
   * @default DEFAULT_EXTERNAL_DNS_CHART_REPOSITORY
   */
  readonly chartRepository?: string;
  /**
   * Chart version. The values are written for chart 1.21.1, the first with boolean `extraArgs` and
   * `sourceNamespace`; the TXT names ExternalDnsRoute53Role allows are those of external-dns 0.14
   * and newer with a typed prefix.
   * @default DEFAULT_EXTERNAL_DNS_CHART_VERSION
   */
  readonly chartVersion?: string;
  /**
   * Image as `repository:tag` or `repository:tag@sha256:digest`. The chart writes
   * `repository:tag`, so a digest is passed inside the tag value; a digest without a tag is refused.
   * @default DEFAULT_EXTERNAL_DNS_IMAGE
   */
  readonly image?: string;
  /**
   * Names of secrets (in `namespace`) to pull the image with.
   * @default none
   */
  readonly imagePullSecrets?: readonly string[];
  /** Gitpod's domain: only records under it are managed (`--domain-filter`). */
  readonly domain: string;
  /** The Route53 hosted zone the records go to (`--zone-id-filter`); it may be the domain's own zone or a parent's. */
  readonly hostedZoneId: string;
  /** AWS region for the SDK (AWS_REGION and AWS_DEFAULT_REGION); it also selects the partition. */
  readonly region: string;
  /** The IAM role external-dns assumes (IRSA): the service account's `eks.amazonaws.com/role-arn`. */
  readonly roleArn: string;
  /** Owner written into the TXT ownership records; unique per installation sharing a zone. */
  readonly txtOwnerId: string;
  /**
   * `upsert-only` creates and updates records but never deletes one when its Service goes; `sync`
   * also deletes the records it owns. Neither touches records without its TXT ownership record.
   * @default "upsert-only"
   */
  readonly policy?: ExternalDnsPolicy;
  /**
   * Only Services in this namespace are read (the chart's namespaced mode: a Role there instead of a
   * ClusterRole). Gitpod's namespace, where its proxy Service is; it must exist when the release is
   * installed, as the Role goes into it.
   * @default every namespace (a ClusterRole reading services cluster-wide)
   */
  readonly serviceNamespace?: string;
  /**
   * How often external-dns compares the records with the Services, as a Go duration.
   * @default "1m"
   */
  readonly interval?: string;
  /**
   * Seconds to wait for external-dns to be ready.
   * @default 300
   */
  readonly timeoutSeconds?: number;
  /**
   * What must exist first (the namespace's pull secret).
   * @default none
   */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/**
 * external-dns from the kubernetes-sigs chart, writing Route53 records for annotated Services of
 * type LoadBalancer (Gitpod's proxy: `<domain>`, `*.<domain>`, `*.ws.<domain>`) into one hosted
 * zone, with ownership TXT records (docs/dns.md). It authenticates with IRSA: see
 * ExternalDnsRoute53Role for the role, whose record names follow the TXT naming set here.
 */
export class ExternalDns extends Construct {
  readonly release: Release;
  /** Namespace external-dns runs in (a reference: depending on it waits for the installation). */
  readonly namespace: string;

  constructor(scope: Construct, id: string, props: ExternalDnsProps) {
    super(scope, id);
    this.release = new Release(this, "release", {
      name: "external-dns",
      repository: props.chartRepository ?? DEFAULT_EXTERNAL_DNS_CHART_REPOSITORY,
      chart: "external-dns",
      version: props.chartVersion ?? DEFAULT_EXTERNAL_DNS_CHART_VERSION,
      namespace: props.namespace,
      createNamespace: props.createNamespace ?? true,
      // Escaped for Terraform: the TXT prefix has a `%{...}` that Helm must see as it is.
      values: [plainYaml(terraformTemplateLiterals(externalDnsValues(props)))],
      wait: true,
      atomic: true,
      timeout: props.timeoutSeconds ?? 300,
      dependsOn: props.dependsOn === undefined || props.dependsOn.length === 0 ? undefined : [...props.dependsOn],
    });
    this.namespace = this.release.namespace;
  }
}

/**
 * The chart's image values (chart 1.21: `image.repository`, `image.tag`, and no digest value: the
 * template writes `repository:tag`, so a digest rides in the tag as `tag@sha256:...`).
 */
export function externalDnsImage(reference: string): { repository: string; tag: string } {
  const [name, digest] = reference.split("@");
  const { repository, tag } = chartImage(name);
  if (tag === undefined) {
    throw new Error(`external-dns image ${reference}: needs a tag (repository:tag or repository:tag@sha256:...), as the chart always writes repository:tag`);
  }
  return { repository, tag: digest === undefined ? tag : `${tag}@${digest}` };
}

/** Chart values (chart 1.21). */
export function externalDnsValues(props: ExternalDnsProps): Record<string, unknown> {
  return {
    image: externalDnsImage(props.image ?? DEFAULT_EXTERNAL_DNS_IMAGE),
    imagePullSecrets: (props.imagePullSecrets ?? []).map((name) => ({ name })),
    serviceAccount: {
      create: true,
      name: EXTERNAL_DNS_SERVICE_ACCOUNT,
      annotations: { "eks.amazonaws.com/role-arn": props.roleArn },
    },
    ...(props.serviceNamespace === undefined ? {} : { namespaced: true, sourceNamespace: props.serviceNamespace }),
    provider: { name: "aws" },
    env: [
      { name: "AWS_REGION", value: props.region },
      { name: "AWS_DEFAULT_REGION", value: props.region },
    ],
    sources: ["service"],
    policy: props.policy ?? "upsert-only",
    interval: props.interval ?? "1m",
    registry: "txt",
    txtOwnerId: props.txtOwnerId,
    txtPrefix: EXTERNAL_DNS_TXT_PREFIX,
    domainFilters: [props.domain],
    extraArgs: {
      "zone-id-filter": props.hostedZoneId,
      // The zone may be a parent of the domain (acme.dev for gitpod.acme.dev): without this the
      // domain filter would exclude it.
      "aws-zone-match-parent": true,
      "txt-wildcard-replacement": EXTERNAL_DNS_TXT_WILDCARD_REPLACEMENT,
      // Gitpod's proxy is a LoadBalancer; NodePort would need nodes read cluster-wide.
      "service-type-filter": "LoadBalancer",
    },
  };
}
