/** Field validators shared by the sections of the configuration schema. */
import * as v from "valibot";

export const DNS_LABEL = "[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?";
export const HOST = `${DNS_LABEL}(\\.${DNS_LABEL})*`;
/** A host name or IPv4 address, optionally with :port (a pattern fragment). */
export const HOST_AND_PORT = `(${HOST}|[0-9]{1,3}(\\.[0-9]{1,3}){3})(:[0-9]{1,5})?`;

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

/** A host name or IPv4 address, optionally with :port; no scheme, no path. */
export const hostAndPort = matching(
  new RegExp(`^${HOST_AND_PORT}$`),
  "must be a host name (optionally with :port), without scheme or path, e.g. s3.eu-west-1.amazonaws.com",
);

export const port = integerBetween(1, 65535);

export const pemCertificate = matching(
  /-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/,
  "must be a PEM certificate (bundle): -----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----",
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

export const quantity = matching(/^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/, "must be a Kubernetes quantity such as 20Gi");

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
  matching(/^[0-9]+(s|m|h)$/, 'must be a duration such as "90s", "30m" or "1h"'),
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

export const s3BucketName = matching(
  /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
  "must be an S3 bucket name (3-63 characters: a-z, 0-9, '.', '-')",
);

export const cidrBlock = matching(
  /^([0-9]{1,3}\.){3}[0-9]{1,3}\/([0-9]|[12][0-9]|3[0-2])$/,
  'must be an IPv4 CIDR block such as "10.0.0.0/16"',
);
