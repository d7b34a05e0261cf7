/** Field validators shared by the sections of the configuration schema. */
import * as v from "valibot";

export const DNS_LABEL = "[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?";
export const HOST = `${DNS_LABEL}(\\.${DNS_LABEL})*`;
/** An IPv4 address: four numbers from 0 to 255 (a pattern fragment). */
export const IPV4 = "((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])";
/** A TCP port, 1-65535 (a pattern fragment). */
export const PORT = "([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])";
/** A host name, or else a valid IPv4 address: digits and dots alone are an address. */
const HOST_OR_IPV4 = `(${IPV4}|(?![0-9.]+(:|/|$))${HOST})`;
/** A host name or IPv4 address, optionally with :port (a pattern fragment). */
export const HOST_AND_PORT = `${HOST_OR_IPV4}(:${PORT})?`;

/** valibot's objects, records and variants take arrays (by design); no part of the config is one. */
export const mapping = v.pipe(v.unknown(), v.check((value) => !Array.isArray(value), "must be a mapping (key: value), not a list"));

/** A part of the config with these fields and no others (variant options use valibot's strictObject). */
export const section = <const TEntries extends v.ObjectEntries>(entries: TEntries) => v.pipe(mapping, v.strictObject(entries));

/** Free-form string keys and values, e.g. annotations or tags. */
export const stringMap = v.pipe(mapping, v.record(v.string(), v.string()));

/** A string matching `pattern`; `message` says what is expected (the value is appended to it). */
export const matching = (pattern: RegExp, message: string) => v.pipe(v.string(), v.regex(pattern, message));

export const integerBetween = (min: number, max: number) => v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max));

export const nonEmptyString = v.pipe(v.string(), v.minLength(1));

/** An absolute URL with one of `schemes` (e.g. ["http", "https"]) and a host. */
export const urlWithScheme = (schemes: readonly string[], message: string) =>
  matching(new RegExp(`^(${schemes.join("|")})://[^\\s/?#]+[^\\s]*$`, "i"), message);

/** A host name or IPv4 address, optionally with :port (1-65535); no scheme, no path. */
export const hostAndPort = matching(
  new RegExp(`^${HOST_AND_PORT}$`),
  "must be a host name or IPv4 address, optionally with :port (1-65535), without scheme or path, e.g. s3.eu-west-1.amazonaws.com",
);

/** A host name or IPv4 address alone: the port has a field of its own. */
export const hostOnly = matching(
  new RegExp(`^${HOST_OR_IPV4}$`),
  "must be a host name or IPv4 address without port, scheme or path (the port has its own field), e.g. mysql.acme.dev",
);

export const port = integerBetween(1, 65535);

/**
 * One or more PEM certificates, and no other PEM block: a private key above all would be written
 * into Kubernetes secrets and Terraform state. Text around the blocks (a bundle's comments) is
 * fine. The messages never show the value.
 */
export const pemCertificate = v.pipe(
  v.string(),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const blocks = [...dataset.value.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----/g)].map((match) => match[1]);
    const other = blocks.find((kind) => kind !== "CERTIFICATE");
    if (other !== undefined && /PRIVATE KEY/.test(other)) {
      addIssue({ message: "holds a private key: give only the CA's certificates, and keep the key out of the config" });
    } else if (other !== undefined) {
      addIssue({ message: `holds a ${other} block: give only certificates (-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----)` });
    } else if (!/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.test(dataset.value)) {
      addIssue({ message: "must be a PEM certificate (bundle): -----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----" });
    }
  }),
);

export const accessKeyId = nonEmptyString;

export const kubernetesName = v.pipe(
  v.string(),
  v.maxLength(63),
  v.regex(
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
    "must be a Kubernetes name: lower-case letters, digits and '-', starting and ending with a letter or digit",
  ),
);

export const quantity = v.pipe(
  matching(/^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/, "must be a Kubernetes quantity such as 20Gi"),
  v.check((value) => /[1-9]/.test(value.replace(/[A-Za-z]+$/, "")), "must be more than zero, e.g. 20Gi"),
);

export const imageReference = matching(
  /^[a-z0-9][a-z0-9._\-/:]*[a-z0-9]((:[\w][\w.-]{0,127})|(@sha256:[a-f0-9]{64}))$/,
  "must be an image reference with a tag or digest, e.g. registry.example.com/mysql:5.7.44",
);

export const imageRepository = matching(
  /^[a-z0-9][a-z0-9._\-/:]*[a-z0-9]$/,
  "must be an image repository without tag, e.g. registry.example.com/gitpod",
);

export const absolutePath = matching(/^\/\S*$/, "must be an absolute path on the node");

const SECONDS_PER_UNIT = { s: 1, m: 60, h: 3600 } as const;

/** A Go-style duration ("90s", "30m", "1h"), normalised to seconds. */
export const duration = v.pipe(
  matching(/^0*[1-9][0-9]{0,5}(s|m|h)$/, 'must be a duration above zero such as "90s", "30m" or "1h"'),
  v.transform((value) => Number(value.slice(0, -1)) * SECONDS_PER_UNIT[value.slice(-1) as keyof typeof SECONDS_PER_UNIT]),
);

export const deletionProtection = v.optional(v.boolean(), true);

/** Terraform would read "${...}" and "%{...}" in these as its own template syntax. */
export const noTemplateSyntax = (what: string) =>
  v.pipe(
    v.string(),
    v.check((value) => !/[$%]\{/.test(value), `must not contain "\${" or "%{": Terraform does not expand them here (${what})`),
  );

export const awsRegion = matching(/^[a-z]{2}(-[a-z]+)+-[0-9]$/, 'must be an AWS region such as "eu-west-1"');

const S3_BUCKET_FORMAT = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** S3's naming rules for general purpose buckets, which S3 enforces only when the bucket is created. */
export function s3BucketNameProblem(name: string): string | undefined {
  if (!S3_BUCKET_FORMAT.test(name)) return "must be 3-63 characters of a-z, 0-9, '.' and '-', starting and ending with a letter or digit";
  if (name.includes("..")) return "must not contain two adjacent periods";
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return "must not be formatted as an IP address";
  if (/^(xn--|sthree-|amzn-s3-demo-)/.test(name)) return "must not start with xn--, sthree- or amzn-s3-demo- (reserved by S3)";
  if (/(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(name)) return "must not end with -s3alias, --ol-s3, .mrap, --x-s3 or --table-s3 (reserved by S3)";
  return undefined;
}

export const s3BucketName = v.pipe(
  matching(S3_BUCKET_FORMAT, "must be an S3 bucket name (3-63 characters: a-z, 0-9, '.', '-', starting and ending with a letter or digit)"),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed || !S3_BUCKET_FORMAT.test(dataset.value)) return;
    const problem = s3BucketNameProblem(dataset.value);
    if (problem !== undefined) addIssue({ message: `is not a valid S3 bucket name: ${problem}` });
  }),
);

export const cidrBlock = matching(new RegExp(`^${IPV4}/([0-9]|[12][0-9]|3[0-2])$`), 'must be an IPv4 CIDR block such as "10.0.0.0/16"');
