/**
 * Input that is wrong in ways a schema check can miss: values that parse but cannot work. Each
 * class of problem is refused with the field named and the value shown only when it is safe.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ConfigError } from "../config/errors";
import { loadConfig, validateConfig } from "../config/load";
import { s3BucketNameProblem } from "../config/primitives";
import { defaultBucketName } from "../modules/aws-s3/s3-bucket-with-key";
import { scratchDir } from "./support/synth";

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
      database: { type: "rds", allowedCidrBlocks, allowInsecureTransport: true },
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

/** Loads a config file as the app does, in a folder of its own; returns the problems or the config. */
function load(files: Record<string, string | Buffer>, setup?: (dir: string) => void): { problems: string[]; message: string } {
  const dir = scratchDir("hostile-");
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
  setup?.(dir);
  try {
    loadConfig({ env: {}, cwd: dir });
    return { problems: [], message: "" };
  } catch (error) {
    if (error instanceof ConfigError) return { problems: [...error.problems], message: error.message };
    throw error;
  }
}

const CONFIG = "gitpod-cdktf.yaml";
const withCaFile = (reference: string) => `domain: gitpod.acme.dev\ndatabase:\n  type: external\n  host: mysql.acme.dev\n  username: gitpod\n  caCertificateFile: ${reference}\n`;

describe("files the config names, and the config itself", () => {
  it("refuses anything that is not a small readable UTF-8 file, in one line naming the file and the field", () => {
    const cases: Array<[string, ReturnType<typeof load>, RegExp]> = [
      ["a directory as the config", load({}, (dir) => fs.mkdirSync(path.join(dir, CONFIG))), /^the config file \.\/gitpod-cdktf\.yaml: is a folder, not a file$/],
      ["a FIFO as the config (no writer: must not hang)", load({}, (dir) => execFileSync("mkfifo", [path.join(dir, CONFIG)])), /^the config file \.\/gitpod-cdktf\.yaml: is a named pipe \(FIFO\), not a file$/],
      ["a dangling link as the config", load({}, (dir) => fs.symlinkSync(path.join(dir, "nowhere.yaml"), path.join(dir, CONFIG))), /^the config file \.\/gitpod-cdktf\.yaml: does not exist$/],
      ["a config that is not UTF-8", load({ [CONFIG]: Buffer.from([0x64, 0x6f, 0x6d, 0x61, 0x69, 0x6e, 0x3a, 0x20, 0xff, 0xfe, 0x0a]) }), /^the config file \.\/gitpod-cdktf\.yaml: is not UTF-8 text$/],
      ["a config of 2 MB", load({ [CONFIG]: `domain: gitpod.acme.dev\n${"#".repeat(2 * 1024 * 1024)}\n` }), /^the config file \.\/gitpod-cdktf\.yaml: is larger than 1 MiB$/],
      ["a CA file that is a directory", load({ [CONFIG]: withCaFile("certs") }, (dir) => fs.mkdirSync(path.join(dir, "certs"))), /^database\.caCertificateFile \(certs, relative to the config file\): is a folder, not a file$/],
      ["a CA file that is missing", load({ [CONFIG]: withCaFile("ca.pem") }), /^database\.caCertificateFile \(ca\.pem, relative to the config file\): does not exist$/],
      ["a CA file that is a device", load({ [CONFIG]: withCaFile("/dev/zero") }), /^database\.caCertificateFile \(\/dev\/zero, relative to the config file\): is a device, not a file$/],
      ["a CA file holding a private key", load({ [CONFIG]: withCaFile("key.pem"), "key.pem": KEY }), /^database\.caCertificateFile \(key\.pem\): holds a private key/],
      ["a CA file in a mode without CA", load({ [CONFIG]: "domain: gitpod.acme.dev\ndatabase:\n  type: in-cluster\n  caCertificateFile: ca.pem\n", "ca.pem": CA }), /^database\.caCertificateFile \(ca\.pem\): unknown field; valid here: type, image, storageSize/],
    ];
    for (const [what, result, expected] of cases) {
      expect([what, result.problems]).toEqual([what, [expect.stringMatching(expected)]]);
      expect(result.message).not.toContain("secretmaterial");
    }
  });

  it("accepts odd but valid files: a byte order mark, CRLF line ends, JSON syntax, anchors", () => {
    expect(load({ [CONFIG]: "\uFEFFdomain: gitpod.acme.dev\r\ngitpod:\r\n  namespace: gitpod\r\n" }).problems).toEqual([]);
    expect(load({ [CONFIG]: '{"domain": "gitpod.acme.dev", "tls": {"type": "self-signed"}}' }).problems).toEqual([]);
    expect(load({ [CONFIG]: "domain: gitpod.acme.dev\ngitpod:\n  proxy:\n    serviceAnnotations: &a {x: y}\nkubernetes:\n  configPath: ~/.kube/config\n" }).problems).toEqual([]);
  });
});

describe("YAML features that hurt", () => {
  it("refuses an alias bomb quickly, naming the field", () => {
    // Nine levels of ten aliases each: a billion values in 250 bytes, in `domain`.
    const levels = ["&a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 9; i++) levels.push(`&${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(", ")}]`);
    const started = Date.now();
    const result = load({ [CONFIG]: `domain:\n${levels.map((line) => `  - ${line}`).join("\n")}\n` });
    expect(result.problems).toEqual([expect.stringMatching(/^domain\[\d\]: YAML aliases \(\*name\) expand to more than 100000 values here/)]);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("refuses merge keys, saying so, instead of a confusing 'required' message", () => {
    const result = load({ [CONFIG]: "base: &base\n  type: in-cluster\ndomain: gitpod.acme.dev\nstorage:\n  <<: *base\n  storageSize: 20Gi\n" });
    expect(result.problems).toEqual(["storage.<<: YAML merge keys (<<) are not supported; write the fields out (an anchor may still stand for a whole value)"]);
  });

  it("keeps refusing duplicate keys", () => {
    expect(load({ [CONFIG]: "domain: a.acme.dev\ndomain: b.acme.dev\n" }).problems).toEqual([expect.stringMatching(/^YAML syntax: duplicated mapping key at line 2/)]);
  });
});

describe("messages", () => {
  it("name the field, say what to do, and stay small whatever the input's size", () => {
    const huge = "x".repeat(3 * 1024 * 1024);
    const manyKeys = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`key${i}${"y".repeat(200)}`, i]));
    for (const value of [{ domain: huge }, { domain: "gitpod.acme.dev", gitpod: manyKeys }, { domain: "gitpod.acme.dev", [huge]: 1 }]) {
      let message = "";
      try {
        validateConfig(value, "test");
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/^invalid configuration \(test\)/);
      expect(message.length).toBeLessThan(12_000);
    }
  });

  it("suggest quotes for numbers where text is expected", () => {
    expect(problemsOf({ database: { type: "rds", engineVersion: 8.0, allowedCidrBlocks: ["10.0.0.0/8"] }, aws: { region: "eu-west-1", vpcId: "vpc-0123456789abcdef0", subnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"] } })).toEqual([
      'database.engineVersion: 8 is not accepted; accepted values: "5.7", "8.0", "8.4" (put the value in quotes: YAML reads 8.0 as the number 8)',
    ]);
    expect(problemsOf({ gitpod: { version: 2022.11 } })).toEqual(['gitpod.version: expected string, got 2022.11 (put it in quotes, e.g. "2022.11": YAML read it as a number)']);
  });
});

describe("generated garbage", () => {
  it("is refused cleanly every time: a ConfigError, bounded, no secret echoed", () => {
    let seed = 42;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const atoms = ["domain", "database", "type", "rds", "external", "aws", "<<", "&a", "*a", "-", ":", "{", "}", "[", "]", '"', "'", "\n", "  ", "\t", "#", "!!binary", "8.0", "null", "~", "yes", "0x1F", KEY, "\u0000", "é", "\uFEFF"];
    for (let i = 0; i < 300; i++) {
      const text = Array.from({ length: 1 + next(40) }, () => atoms[next(atoms.length)]).join(next(2) === 0 ? " " : "");
      const result = load({ [CONFIG]: text });
      expect(result.message.length).toBeLessThan(12_000);
      expect(result.message).not.toContain("secretmaterial");
    }
  });
});
