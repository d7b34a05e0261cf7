/**
 * Input that is wrong in ways a schema check can miss: values that parse but cannot work. Each
 * class of problem is refused with the field named and the value shown only when it is safe.
 */
import { s3BucketNameProblem } from "../config/primitives";
import { defaultBucketName } from "../modules/aws-s3/s3-bucket-with-key";
import { ConfigError } from "../config/errors";
import { validateConfig } from "../config/load";

function problemsOf(value: Record<string, unknown>): string[] {
  try {
    validateConfig({ domain: "gitpod.acme.dev", ...value }, "test");
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
}

const CA = "-----BEGIN CERTIFICATE-----\nMIIBexample\n-----END CERTIFICATE-----\n";
const KEY = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7secretmaterial\n-----END PRIVATE KEY-----\n";

describe("values that parse but cannot work", () => {
  it("refuses an IP address as the domain: Gitpod needs DNS names and wildcards below it", () => {
    expect(problemsOf({ domain: "10.20.30.40" })).toEqual([expect.stringMatching(/^domain: must be a DNS name, not an IP address/)]);
    expect(problemsOf({ domain: "gitpod.10.0.0.1" })).toEqual([expect.stringMatching(/^domain: must be a DNS name/)]);
    expect(problemsOf({ domain: "gitpod.acme.dev" })).toEqual([]);
  });

  it("keeps ports out of host fields that have a port field, and within 1-65535 where a host may carry one", () => {
    const external = { type: "external", endpoint: "minio.acme.dev:9000", bucket: "gitpod", accessKeyId: "AK" };
    expect(problemsOf({ database: { type: "external", host: "mysql.acme.dev:3307", port: 3306, username: "gitpod" } })).toEqual([
      expect.stringMatching(/^database\.host: must be a host name or IPv4 address without port.*the port has its own field/),
    ]);
    for (const endpoint of ["minio.acme.dev:0", "minio.acme.dev:70000", "minio.acme.dev:"]) {
      expect(problemsOf({ storage: { ...external, endpoint } })).toEqual([expect.stringMatching(/^storage\.endpoint: .*:port \(1-65535\)/)]);
    }
    expect(problemsOf({ storage: external })).toEqual([]);
    expect(problemsOf({ registry: { type: "external", url: "registry.acme.dev:99999/gitpod", username: "robot" } })).toEqual([expect.stringMatching(/^registry\.url: /)]);
    expect(problemsOf({ scm: { providers: [{ id: "gl", type: "GitLab", host: "gitlab.acme.dev:99999", clientId: "c" }] } })).toEqual([
      expect.stringMatching(/^scm\.providers\[0\]\.host: .*:port \(1-65535\)/),
    ]);
  });

  it("takes only real IPv4 addresses and CIDR blocks", () => {
    const rds = (allowedCidrBlocks: string[]) => ({
      aws: { region: "eu-west-1", vpcId: "vpc-0123456789abcdef0", subnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"] },
      database: { type: "rds", allowedCidrBlocks },
    });
    expect(problemsOf(rds(["10.0.0.0/16"]))).toEqual([]);
    expect(problemsOf(rds(["10.999.0.0/16"]))).toEqual([expect.stringMatching(/^database\.allowedCidrBlocks\[0\]: must be an IPv4 CIDR block/)]);
    expect(problemsOf(rds(["10.0.0.0/33"]))).toEqual([expect.stringMatching(/^database\.allowedCidrBlocks\[0\]: must be an IPv4 CIDR block/)]);
    expect(problemsOf({ storage: { type: "external", endpoint: "300.1.1.1:9000", bucket: "gitpod", accessKeyId: "AK" } })).toEqual([
      expect.stringMatching(/^storage\.endpoint: /),
    ]);
  });

  it("follows S3's bucket naming rules, which S3 itself enforces only at creation", () => {
    const bucket = (name: string) => problemsOf({ storage: { type: "external", endpoint: "s3.eu-west-1.amazonaws.com", bucket: name, accessKeyId: "AK" } });
    expect(bucket("gitpod-storage")).toEqual([]);
    expect(bucket("192.168.10.20")).toEqual(["storage.bucket: is not a valid S3 bucket name: must not be formatted as an IP address"]);
    expect(bucket("gitpod..storage")).toEqual(["storage.bucket: is not a valid S3 bucket name: must not contain two adjacent periods"]);
    expect(bucket("xn--gitpod")).toEqual([expect.stringMatching(/reserved by S3/)]);
    expect(bucket("gitpod-s3alias")).toEqual([expect.stringMatching(/reserved by S3/)]);
    expect(bucket("Gitpod")).toEqual([expect.stringMatching(/^storage\.bucket: must be an S3 bucket name/)]);
  });

  it("derives default bucket names that S3 accepts, for every domain the config accepts", () => {
    // Generated domains: labels of every length, digits, hyphens, punycode, many levels.
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789-";
    const label = () => {
      const length = 1 + next(next(2) === 0 ? 63 : 8);
      let text = "";
      for (let i = 0; i < length; i++) text += alphabet[next(alphabet.length)];
      return text.replace(/^-+|-+$/g, "") || "a";
    };
    const domains = ["xn--bcher-kva.example", "sthree-x.acme.dev", "a.b", `${"a".repeat(63)}.${"b".repeat(63)}.dev`];
    for (let i = 0; i < 500; i++) domains.push([...Array.from({ length: 1 + next(4) }, label), ["dev", "io", "example"][next(3)]].join("."));
    const accepted = domains.filter((domain) => problemsOf({ domain }).length === 0);
    expect(accepted.length).toBeGreaterThan(400);
    for (const domain of accepted) {
      for (const purpose of ["storage", "registry"]) {
        const name = defaultBucketName(domain, purpose);
        expect([domain, name, s3BucketNameProblem(name)]).toEqual([domain, name, undefined]);
      }
    }
  });

  it("refuses zero durations and sizes", () => {
    expect(problemsOf({ gitpod: { installTimeout: "0s" } })).toEqual([expect.stringMatching(/^gitpod\.installTimeout: must be a duration above zero/)]);
    expect(problemsOf({ database: { type: "in-cluster", storageSize: "0Gi" } })).toEqual(['database.storageSize: must be more than zero, e.g. 20Gi']);
    expect(problemsOf({ database: { type: "in-cluster", storageSize: "0.5Gi" } })).toEqual([]);
  });

  it("takes only certificates in PEM fields: a private key is refused and never shown", () => {
    const database = (caCertificate: string) => ({ database: { type: "external", host: "mysql.acme.dev", username: "gitpod", caCertificate } });
    expect(problemsOf(database(CA))).toEqual([]);
    expect(problemsOf(database(`# the corporate root\n${CA}${CA}`))).toEqual([]);
    for (const withKey of [CA + KEY, KEY, KEY.replace("PRIVATE KEY", "RSA PRIVATE KEY").replace("PRIVATE KEY", "RSA PRIVATE KEY")]) {
      const problems = problemsOf(database(withKey));
      expect(problems).toEqual(["database.caCertificate: holds a private key: give only the CA's certificates, and keep the key out of the config"]);
      expect(problems.join("\n")).not.toContain("secretmaterial");
    }
    expect(problemsOf(database("-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----"))).toEqual([
      "database.caCertificate: holds a CERTIFICATE REQUEST block: give only certificates (-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----)",
    ]);
    expect(problemsOf(database("just text"))).toEqual([expect.stringMatching(/^database\.caCertificate: must be a PEM certificate/)]);
  });

  it("refuses two SCM providers on one host: their callback URLs would collide", () => {
    expect(
      problemsOf({
        scm: {
          providers: [
            { id: "gl-a", type: "GitLab", host: "gitlab.acme.dev", clientId: "a" },
            { id: "gl-b", type: "GitLab", host: "gitlab.acme.dev", clientId: "b" },
          ],
        },
      }),
    ).toEqual([
      "scm.providers[1].host: gitlab.acme.dev is already the host of providers[0]: both would get the callback URL /auth/gitlab.acme.dev/callback; keep one provider per host",
    ]);
  });
});
