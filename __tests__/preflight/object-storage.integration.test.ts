/**
 * The object storage checks against Swift's S3 API: credentials, region, bucket and the probe
 * object's round trip, each failure provoked for real. Swift takes seconds to start: once per file.
 */
import { CreateBucketCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import type { CheckResult } from "../../preflight/checks";
import { checkObjectStorage, PROBE_PREFIX, s3Client, type ObjectStorageProbe } from "../../preflight/object-storage";
import { freePort } from "../support/servers/processes";
import { startSwift, SWIFT_ACCESS_KEY_ID, SWIFT_REGION, SWIFT_SECRET_ACCESS_KEY, SWIFT_TOOLS, type SwiftServer } from "../support/servers/swift";
import { scratchDir } from "../support/synth";
import { describeWithTools } from "../support/tools";

const statuses = (results: CheckResult[]) => results.map((result) => `${result.check}: ${result.status}`);
const result = (results: CheckResult[], check: string) => results.find((r) => r.check === check)!;

describeWithTools("object storage checks against Swift's S3 API", SWIFT_TOOLS, () => {
  let swift: SwiftServer;
  const BUCKET = "gitpod-preflight";

  const probe = (overrides: Partial<ObjectStorageProbe> = {}): ObjectStorageProbe => ({
    endpoint: swift.endpoint,
    bucket: BUCKET,
    region: SWIFT_REGION,
    accessKeyId: SWIFT_ACCESS_KEY_ID,
    secretAccessKey: SWIFT_SECRET_ACCESS_KEY,
    secretAccessKeySource: "TF_VAR_storage_secret_access_key",
    insecure: true,
    timeoutMs: 5000,
    ...overrides,
  });
  const run = (input: ObjectStorageProbe) => checkObjectStorage(input, () => undefined);

  const keysInBucket = async () => {
    const client = s3Client(probe());
    try {
      const listed = await client.send(new ListObjectsV2Command({ Bucket: BUCKET }));
      return (listed.Contents ?? []).map((object) => object.Key);
    } finally {
      client.destroy();
    }
  };

  beforeAll(async () => {
    swift = await startSwift(scratchDir("swift-"));
    const client = s3Client(probe());
    await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
    client.destroy();
  });

  afterAll(() => swift?.stop());

  it("passes with the right credentials, and leaves the bucket as it was", async () => {
    const before = await keysInBucket();
    const results = await run(probe());
    expect(statuses(results)).toEqual(["credentials: pass", "bucket: pass", "write: pass", "read: pass", "delete: pass"]);
    expect(result(results, "write").detail).toMatch(new RegExp(`^wrote ${PROBE_PREFIX}[0-9a-f-]{36}$`));
    expect(await keysInBucket()).toEqual(before);
  });

  it("fails on a wrong secret key with SignatureDoesNotMatch, naming the variable, and checks nothing else", async () => {
    const results = await run(probe({ secretAccessKey: "not-the-secret" }));
    expect(statuses(results)).toEqual(["credentials: fail", "bucket: skip", "write: skip", "read: skip", "delete: skip"]);
    expect(result(results, "credentials").detail).toContain("SignatureDoesNotMatch");
    expect(result(results, "credentials").hint).toContain("TF_VAR_storage_secret_access_key is not the secret of test:tester");
    expect(JSON.stringify(results)).not.toContain("not-the-secret");
  });

  it("fails on an access key the server does not know", async () => {
    const results = await run(probe({ accessKeyId: "nobody:none" }));
    expect(result(results, "credentials").status).toBe("fail");
    expect(result(results, "credentials").detail).toContain("access key nobody:none");
    expect(result(results, "credentials").hint).toContain("check storage.accessKeyId");
  });

  it("fails on a wrong region and says so", async () => {
    const results = await run(probe({ region: "eu-west-1" }));
    expect(result(results, "credentials")).toMatchObject({ status: "fail", hint: "set storage.region to the bucket's region" });
    expect(result(results, "credentials").detail).toContain("AuthorizationHeaderMalformed: requests are signed for region eu-west-1");
  });

  it("fails on a missing bucket, and writes nothing", async () => {
    const results = await run(probe({ bucket: "no-such-bucket" }));
    expect(statuses(results)).toEqual(["credentials: pass", "bucket: fail", "write: skip", "read: skip", "delete: skip"]);
    expect(result(results, "bucket").detail).toBe("HeadBucket no-such-bucket: bucket no-such-bucket does not exist");
    expect(result(results, "bucket").hint).toContain("create the bucket no-such-bucket");
  });

  it("fails when the secret's variable is not set", async () => {
    const results = await run(probe({ secretAccessKey: undefined }));
    expect(result(results, "credentials")).toMatchObject({ status: "fail", detail: "no secret access key: TF_VAR_storage_secret_access_key is not set" });
  });

  it("fails when nothing listens at the endpoint", async () => {
    const results = await run(probe({ endpoint: `127.0.0.1:${await freePort()}` }));
    expect(result(results, "credentials").status).toBe("fail");
    expect(result(results, "credentials").detail).toContain("refused the connection");
  });

  it("fails HTTPS to a plain-HTTP endpoint, pointing at allowInsecureConnection", async () => {
    const results = await run(probe({ insecure: false }));
    expect(result(results, "credentials").status).toBe("fail");
    expect(result(results, "credentials").detail).toContain("does not speak TLS");
    expect(result(results, "credentials").hint).toContain("allowInsecureConnection: true");
  });
});
