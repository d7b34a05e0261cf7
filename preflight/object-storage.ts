/**
 * The external S3-compatible bucket, as Gitpod will use it: the credentials sign requests the
 * server accepts (secret key and region), the bucket exists, and an object can be written, read
 * back and deleted.
 */
import { randomUUID } from "crypto";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { describeNetworkError, describeTlsError, errorMessage, fail, pass, runSteps, type CheckResult, type Outcome, type Progress, type Step } from "./checks";

export interface ObjectStorageProbe {
  /** host[:port], no scheme. */
  readonly endpoint: string;
  readonly bucket: string;
  readonly region: string;
  readonly accessKeyId: string;
  /** Undefined when its variable is not set. */
  readonly secretAccessKey: string | undefined;
  /** e.g. "TF_VAR_storage_secret_access_key", for hints. */
  readonly secretAccessKeySource: string;
  /** Plain HTTP instead of HTTPS (`allowInsecureConnection`). */
  readonly insecure: boolean;
  readonly timeoutMs: number;
}

export const OBJECT_STORAGE = "object storage";

/** Where the probe object goes: a name that says who wrote it, unique per run. */
export const PROBE_PREFIX = "gitpod-cdktf-preflight/";

const PROBE_BODY = "written by gitpod-cdktf preflight; deleted right after it is read back\n";

interface Context {
  readonly probe: ObjectStorageProbe;
  readonly client: S3Client;
  readonly key: string;
  written: boolean;
}

export function s3Client(probe: ObjectStorageProbe): S3Client {
  return new S3Client({
    endpoint: `${probe.insecure ? "http" : "https"}://${probe.endpoint}`,
    region: probe.region,
    credentials: { accessKeyId: probe.accessKeyId, secretAccessKey: probe.secretAccessKey ?? "" },
    // Path-style addressing and no default checksums: what S3-compatible servers without the
    // newest AWS features (MinIO, Ceph, Swift) accept. Gitpod's own client behaves the same.
    forcePathStyle: true,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    // One attempt: a preflight reports what happens, it does not paper over it.
    maxAttempts: 1,
    requestHandler: { connectionTimeout: probe.timeoutMs, requestTimeout: probe.timeoutMs },
  });
}

const url = (probe: ObjectStorageProbe) => `${probe.insecure ? "http" : "https"}://${probe.endpoint}`;

/** The error of a call, explained, with what to do. */
function explain(error: unknown, probe: ObjectStorageProbe, operation: string): Outcome {
  if (error instanceof S3ServiceException) {
    const code = error.name;
    const status = error.$metadata.httpStatusCode;
    switch (code) {
      case "SignatureDoesNotMatch":
        return fail(
          `${operation}: SignatureDoesNotMatch: the server rejects the signature made with access key ${probe.accessKeyId}`,
          `${probe.secretAccessKeySource} is not the secret of ${probe.accessKeyId} (some servers, such as Swift, also answer this for an unknown access key: check storage.accessKeyId)`,
        );
      case "InvalidAccessKeyId":
        return fail(`${operation}: InvalidAccessKeyId: the server does not know access key ${probe.accessKeyId}`, "check storage.accessKeyId");
      case "AuthorizationHeaderMalformed":
      case "PermanentRedirect":
      case "IllegalLocationConstraintException":
        return fail(`${operation}: ${code}: requests are signed for region ${probe.region}, which the server does not expect (${errorMessage(error)})`, "set storage.region to the bucket's region");
      case "NoSuchBucket":
      case "NotFound":
        return fail(`${operation}: bucket ${probe.bucket} does not exist`, `create the bucket ${probe.bucket} (Gitpod keeps everything in it and does not create it)`);
      case "AccessDenied":
      case "Forbidden":
        return fail(`${operation}: access denied to ${probe.accessKeyId}`, `allow ${probe.accessKeyId} to read, write, list and delete objects in ${probe.bucket}`);
      default:
        if (status === 301) return fail(`${operation}: the bucket is in another region than ${probe.region}`, "set storage.region to the bucket's region");
        if (status === 400 && operation.startsWith("HeadBucket")) {
          // HEAD answers carry no error code; on S3-compatible servers a 400 there is the region.
          return fail(`${operation}: HTTP 400 (no error code): most likely requests signed for the wrong region (${probe.region})`, "set storage.region to the bucket's region");
        }
        return fail(`${operation}: ${code} (HTTP ${status ?? "?"}): ${errorMessage(error)}`);
    }
  }
  const network = describeNetworkError(error, url(probe));
  if (network) return fail(`${operation}: ${network}`, "check storage.endpoint, and that this machine may reach it");
  const tls = describeTlsError(error);
  if (tls) {
    return fail(
      `${operation}: ${tls}`,
      probe.insecure ? undefined : "for a plain-HTTP endpoint set storage.allowInsecureConnection: true; for a private CA, run with NODE_EXTRA_CA_CERTS=<ca.pem>",
    );
  }
  return fail(`${operation}: ${errorMessage(error)}`);
}

async function attempt(probe: ObjectStorageProbe, operation: string, call: () => Promise<Outcome>): Promise<Outcome> {
  try {
    return await call();
  } catch (error) {
    return explain(error, probe, operation);
  }
}

const steps: ReadonlyArray<Step<Context>> = [
  {
    check: "credentials",
    doing: "signing a request with the access key (ListBuckets)",
    laterStepsNeedIt: true,
    async run({ probe, client }) {
      if (probe.secretAccessKey === undefined) {
        return fail(`no secret access key: ${probe.secretAccessKeySource} is not set`, `export ${probe.secretAccessKeySource}=... (the secret of ${probe.accessKeyId})`);
      }
      try {
        await client.send(new ListBucketsCommand({}));
        return pass(`${probe.accessKeyId} signs for region ${probe.region} at ${url(probe)}`);
      } catch (error) {
        // Listing every bucket is a right Gitpod does not need; being refused it proves the
        // signature was accepted.
        if (error instanceof S3ServiceException && error.name === "AccessDenied") {
          return pass(`${probe.accessKeyId} signs for region ${probe.region} (listing all buckets is not allowed, which Gitpod does not need)`);
        }
        return explain(error, probe, "ListBuckets");
      }
    },
  },
  {
    check: "bucket",
    doing: "looking up the bucket (HeadBucket)",
    laterStepsNeedIt: true,
    run: ({ probe, client }) =>
      attempt(probe, `HeadBucket ${probe.bucket}`, async () => {
        await client.send(new HeadBucketCommand({ Bucket: probe.bucket }));
        return pass(`${probe.bucket} exists and ${probe.accessKeyId} may access it`);
      }),
  },
  {
    check: "write",
    doing: "writing a probe object",
    laterStepsNeedIt: true,
    run: (context) =>
      attempt(context.probe, `PutObject ${context.key}`, async () => {
        await context.client.send(new PutObjectCommand({ Bucket: context.probe.bucket, Key: context.key, Body: PROBE_BODY, ContentType: "text/plain" }));
        context.written = true;
        return pass(`wrote ${context.key}`);
      }),
  },
  {
    check: "read",
    doing: "reading the probe object back",
    laterStepsNeedIt: false,
    run: ({ probe, client, key }) =>
      attempt(probe, `GetObject ${key}`, async () => {
        const object = await client.send(new GetObjectCommand({ Bucket: probe.bucket, Key: key }));
        const body = (await object.Body?.transformToString()) ?? "";
        if (body !== PROBE_BODY) return fail(`read ${key} back, but its content differs from what was written (${body.length} bytes)`);
        return pass(`read ${key} back, unchanged`);
      }),
  },
  {
    check: "delete",
    doing: "deleting the probe object (one DeleteObject)",
    laterStepsNeedIt: false,
    run: (context) =>
      attempt(context.probe, `DeleteObject ${context.key}`, async () => {
        const { probe, client, key } = context;
        await client.send(new DeleteObjectCommand({ Bucket: probe.bucket, Key: key }));
        try {
          await client.send(new HeadObjectCommand({ Bucket: probe.bucket, Key: key }));
        } catch (error) {
          if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404) {
            context.written = false;
            return pass(`deleted ${key}`);
          }
          throw error;
        }
        return fail(`DeleteObject ${key} succeeded, but the object is still there`, `delete ${key} by hand; check the bucket's object lock or retention settings`);
      }),
  },
];

export async function checkObjectStorage(probe: ObjectStorageProbe, progress: Progress): Promise<CheckResult[]> {
  const client = s3Client(probe);
  const context: Context = { probe, client, key: `${PROBE_PREFIX}${randomUUID()}`, written: false };
  try {
    return await runSteps(OBJECT_STORAGE, steps, context, progress);
  } finally {
    // A read that failed after a successful write still leaves nothing behind.
    if (context.written) await client.send(new DeleteObjectCommand({ Bucket: probe.bucket, Key: context.key })).catch(() => undefined);
    client.destroy();
  }
}
