/** Field validators shared by the sections of the configuration schema. */
import { z } from "zod";

export const DNS_LABEL = "[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?";
export const HOST = `${DNS_LABEL}(\\.${DNS_LABEL})*`;


/** A host name or IPv4 address, optionally with :port; no scheme, no path. */
export const hostAndPort = z.string().regex(new RegExp(`^(${HOST}|[0-9]{1,3}(\\.[0-9]{1,3}){3})(:[0-9]{1,5})?$`), {
  message: "must be a host name (optionally with :port), without scheme or path, e.g. s3.eu-west-1.amazonaws.com",
});

export const port = z.number().int().min(1).max(65535);

export const pemCertificate = z.string().regex(/-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/, {
  message: "must be a PEM certificate (bundle): -----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----",
});

export const accessKeyId = z.string().min(1);

export const kubernetesName = z
  .string()
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, {
    message: "must be a Kubernetes name: lower-case letters, digits and '-', starting and ending with a letter or digit",
  });

export const quantity = z.string().regex(/^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/, {
  message: "must be a Kubernetes quantity such as 20Gi",
});

export const imageReference = z.string().regex(/^[a-z0-9][a-z0-9._\-/:]*[a-z0-9]((:[\w][\w.-]{0,127})|(@sha256:[a-f0-9]{64}))$/, {
  message: "must be an image reference with a tag or digest, e.g. registry.example.com/mysql:5.7.44",
});

export const imageRepository = z.string().regex(/^[a-z0-9][a-z0-9._\-/:]*[a-z0-9]$/, {
  message: "must be an image repository without tag, e.g. registry.example.com/gitpod",
});

export const absolutePath = z.string().regex(/^\/\S*$/, { message: "must be an absolute path on the node" });

/** Seconds or a Go-style duration ("90s", "30m", "1h"), normalised to seconds. */
export const duration = z
  .string()
  .regex(/^[0-9]+(s|m|h)$/, { message: 'must be a duration such as "90s", "30m" or "1h"' })
  .transform((value) => Number(value.slice(0, -1)) * { s: 1, m: 60, h: 3600 }[value.slice(-1) as "s" | "m" | "h"]);

export const deletionProtection = z.boolean().default(true);

/** Terraform would read "${...}" and "%{...}" in these as its own template syntax. */
export const noTemplateSyntax = (what: string) =>
  z.string().refine((value) => !/[$%]\{/.test(value), {
    message: `must not contain "\${" or "%{": Terraform does not expand them here (${what})`,
  });

export const awsRegion = z.string().regex(/^[a-z]{2}(-[a-z]+)+-[0-9]$/, { message: 'must be an AWS region such as "eu-west-1"' });

export const s3BucketName = z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, {
  message: "must be an S3 bucket name (3-63 characters: a-z, 0-9, '.', '-')",
});

export const cidrBlock = z.string().regex(/^([0-9]{1,3}\.){3}[0-9]{1,3}\/([0-9]|[12][0-9]|3[0-2])$/, {
  message: 'must be an IPv4 CIDR block such as "10.0.0.0/16"',
});
