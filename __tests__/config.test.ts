import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigError } from "../config/errors";
import { CONFIG_ENV_VAR, loadConfig, validateConfig } from "../config/load";
import { DEFAULT_CERT_MANAGER_VERSION, DEFAULT_DOMAIN, DEFAULT_GITPOD_VERSION } from "../config/schema";

function problemsOf(value: unknown): string[] {
  try {
    validateConfig(value, "test");
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error("expected the config to be rejected");
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "config-test-"));
}

describe("loading the configuration", () => {
  it("uses the built-in all-in-cluster defaults when there is no file", () => {
    const loaded = loadConfig({ env: {}, cwd: tempDir() });
    expect(loaded.usedDefaults).toBe(true);
    expect(loaded.config.domain).toBe(DEFAULT_DOMAIN);
    expect(loaded.config.name).toBe("gitpod");
    expect(loaded.config.database.type).toBe("in-cluster");
    expect(loaded.config.storage.type).toBe("in-cluster");
    expect(loaded.config.registry.type).toBe("in-cluster");
    expect(loaded.config.tls.type).toBe("self-signed");
    expect(loaded.config.backend.type).toBe("local");
    expect(loaded.config.gitpod.version).toBe(DEFAULT_GITPOD_VERSION);
    expect(loaded.config.tls.certManager).toEqual({
      install: true,
      version: DEFAULT_CERT_MANAGER_VERSION,
      namespace: "cert-manager",
      serviceAccount: "cert-manager",
      images: {},
    });
  });

  it("reads ./gitpod-cdktf.yaml when the variable is unset", () => {
    const cwd = tempDir();
    fs.writeFileSync(path.join(cwd, "gitpod-cdktf.yaml"), "domain: gitpod.acme.dev\n");
    const loaded = loadConfig({ env: {}, cwd });
    expect(loaded.usedDefaults).toBe(false);
    expect(loaded.source).toBe("./gitpod-cdktf.yaml");
    expect(loaded.config.domain).toBe("gitpod.acme.dev");
  });

  it(`prefers $${CONFIG_ENV_VAR}, resolved against the working directory`, () => {
    const cwd = tempDir();
    fs.writeFileSync(path.join(cwd, "gitpod-cdktf.yaml"), "domain: local.acme.dev\n");
    fs.mkdirSync(path.join(cwd, "envs"));
    fs.writeFileSync(path.join(cwd, "envs", "prod.yaml"), "domain: prod.acme.dev\nname: prod\n");
    const loaded = loadConfig({ env: { [CONFIG_ENV_VAR]: "envs/prod.yaml" }, cwd });
    expect(loaded.config.domain).toBe("prod.acme.dev");
    expect(loaded.config.name).toBe("prod");
    expect(loaded.source).toBe("envs/prod.yaml");
  });

  it(`fails when $${CONFIG_ENV_VAR} names a missing file, instead of falling back to defaults`, () => {
    expect(() => loadConfig({ env: { [CONFIG_ENV_VAR]: "nope.yaml" }, cwd: tempDir() })).toThrow(
      /GITPOD_CDKTF_CONFIG: the file nope.yaml does not exist/,
    );
  });

  it("reports YAML syntax errors and duplicate keys", () => {
    const cwd = tempDir();
    const problemsOfFile = (text: string) => {
      fs.writeFileSync(path.join(cwd, "gitpod-cdktf.yaml"), text);
      try {
        loadConfig({ env: {}, cwd });
      } catch (error) {
        if (error instanceof ConfigError) return [...error.problems];
        throw error;
      }
      throw new Error("expected the file to be rejected");
    };
    expect(problemsOfFile("domain: a.example.com\ndomain: b.example.com\n")).toEqual([
      "YAML syntax: duplicated mapping key at line 2, column 1",
    ]);
    expect(problemsOfFile("domain: a.example.com\ngitpod:\n  namespace: gitpod\n version: 2022.11.3\n")).toEqual([
      "YAML syntax: bad indentation of a mapping entry at line 4, column 2",
    ]);
  });

  it("reads YAML 1.2: yes/no and dates stay strings", () => {
    const cwd = tempDir();
    fs.writeFileSync(path.join(cwd, "gitpod-cdktf.yaml"), "domain: a.example.com\ngitpod:\n  dropImageRepo: yes\n");
    expect(() => loadConfig({ env: {}, cwd })).toThrow('gitpod.dropImageRepo: expected boolean, got "yes"');
  });

  it("rejects a file that is not a mapping", () => {
    const cwd = tempDir();
    fs.writeFileSync(path.join(cwd, "gitpod-cdktf.yaml"), "- domain: a.example.com\n");
    expect(() => loadConfig({ env: {}, cwd })).toThrow(/must hold a YAML mapping/);
  });

  it("requires a domain in a config file", () => {
    expect(problemsOf({})).toEqual(["domain: is required (expected string)"]);
  });
});

describe("derived settings", () => {
  it("derives the installer image from repository and version", () => {
    const config = validateConfig(
      { domain: "gitpod.acme.dev", gitpod: { repository: "mirror.acme.dev/gitpod", version: "2022.11.2" } },
      "test",
    );
    expect(config.gitpod.installerImage).toBe("mirror.acme.dev/gitpod/installer:release-2022.11.2");
  });

  it("picks the containerd runtime dir from the node OS, unless given", () => {
    const runtimeDir = (workspaceRuntime: object) =>
      validateConfig({ domain: "gitpod.acme.dev", gitpod: { workspaceRuntime } }, "t").gitpod.workspaceRuntime.containerdRuntimeDir;
    // Paths from docs/gitpod-installer.md, "The config file" (workspace.runtime.containerdRuntimeDir).
    expect(runtimeDir({})).toBe("/var/lib/containerd/io.containerd.runtime.v2.task/k8s.io");
    expect(runtimeDir({ nodeOs: "amazon-linux" })).toBe("/run/containerd/io.containerd.runtime.v2.task/k8s.io");
    expect(runtimeDir({ nodeOs: "amazon-linux", containerdRuntimeDir: "/custom/k8s.io" })).toBe("/custom/k8s.io");
  });

  it("fills in SCM hosts and the variable that carries each client secret", () => {
    const config = validateConfig(
      {
        domain: "gitpod.acme.dev",
        scm: {
          providers: [
            { id: "Public-GitHub", type: "GitHub", clientId: "abc" },
            { id: "corp-bitbucket", type: "BitbucketServer", host: "bitbucket.acme.dev", clientId: "def" },
          ],
        },
      },
      "t",
    );
    expect(config.scm.providers).toEqual([
      { id: "Public-GitHub", type: "GitHub", host: "github.com", clientId: "abc", clientSecretVariable: "scm_public_github_client_secret" },
      {
        id: "corp-bitbucket",
        type: "BitbucketServer",
        host: "bitbucket.acme.dev",
        clientId: "def",
        clientSecretVariable: "scm_corp_bitbucket_client_secret",
      },
    ]);
  });

  it("converts the install timeout to seconds", () => {
    expect(validateConfig({ domain: "a.example.com", gitpod: { installTimeout: "45m" } }, "t").gitpod.installTimeout).toBe(2700);
    expect(validateConfig({ domain: "a.example.com" }, "t").gitpod.installTimeout).toBe(1800);
  });
});

describe("configuration errors name the field, the problem and the accepted values", () => {
  it("reports every problem at once", () => {
    const problems = problemsOf({
      domain: "https://gitpod.acme.dev",
      name: "Gitpod",
      gitpod: { proxy: { serviceType: "Ingress" } },
      database: { type: "postgres" },
    });
    expect(problems).toHaveLength(4);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^domain: must be a fully-qualified lower-case domain name .*\(got "https:\/\/gitpod.acme.dev"\)$/),
        expect.stringMatching(/^name: must be 1-20 characters.*\(got "Gitpod"\)$/),
        'gitpod.proxy.serviceType: "Ingress" is not accepted; accepted values: "LoadBalancer", "ClusterIP", "NodePort"',
        'database.type: "postgres" is not a valid database type; accepted values: "in-cluster", "external", "rds"',
      ]),
    );
  });

  it("checks the backend's settings", () => {
    expect(problemsOf({ domain: "a.example.com", backend: { type: "consul" } })).toEqual([
      'backend.type: "consul" is not a valid backend type; accepted values: "local", "s3", "cloud"',
    ]);
    expect(problemsOf({ domain: "a.example.com", backend: { type: "s3", bucket: "state", region: "eu-west-1", keyPrefix: "/abs/" } })).toEqual([
      expect.stringMatching(/^backend.keyPrefix: must be an S3 key prefix without leading or trailing "\/"/),
    ]);
    expect(problemsOf({ domain: "a.example.com", backend: { type: "cloud", organization: "acme", bootstrap: { executionMode: "agent" } } })).toEqual([
      "backend.bootstrap.agentPoolId: is required when executionMode is agent",
    ]);
    expect(problemsOf({ domain: "a.example.com", backend: { type: "cloud", organization: "acme", bootstrap: { environmentVariables: ["kube-token"] } } })).toEqual([
      expect.stringMatching(/^backend.bootstrap.environmentVariables\[0\]: must be an environment variable name/),
    ]);
  });

  it("takes the Terraform Cloud bootstrap's provider variables per provider, and dynamic credentials instead of static ones", () => {
    const bootstrap = (settings: Record<string, unknown>, kubernetes: Record<string, unknown> = { configPath: "" }) => {
      const cfg = { domain: "a.example.com", kubernetes, aws: { region: "eu-west-1" }, storage: { type: "s3" }, backend: { type: "cloud", organization: "acme", bootstrap: settings } };
      try {
        validateConfig(cfg, "test");
        return [];
      } catch {
        return problemsOf(cfg);
      }
    };
    expect(bootstrap({ environmentVariables: ["KUBE_HOST", "HELM_DEBUG", "AWS_REGION"] })).toEqual([]);
    expect(bootstrap({ environmentVariables: ["KUBE_HOST", "TF_LOG"] })).toEqual([
      "backend.bootstrap.environmentVariables[1]: must be a variable of the kubernetes and helm providers (KUBE_*, HELM_*) or of the aws provider (AWS_*): each goes only to the workspaces whose stacks use that provider; set others in Terraform Cloud yourself",
    ]);
    const role = "arn:aws:iam::123456789012:role/gitpod-terraform";
    expect(bootstrap({ environmentVariables: ["KUBE_HOST"], dynamicCredentials: { aws: { roleArn: role }, kubernetes: { audience: "kubernetes" } } })).toEqual([]);
    expect(bootstrap({ environmentVariables: ["KUBE_HOST", "KUBE_TOKEN", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"], dynamicCredentials: { aws: { roleArn: role }, kubernetes: { audience: "kubernetes" } } })).toEqual([
      "backend.bootstrap.environmentVariables[1]: KUBE_TOKEN would override the kubernetes dynamic credentials (dynamicCredentials.kubernetes): remove it",
      "backend.bootstrap.environmentVariables[2]: AWS_SECRET_ACCESS_KEY would override the aws dynamic credentials (dynamicCredentials.aws): remove it",
    ]);
    expect(bootstrap({ dynamicCredentials: { kubernetes: { audience: "kubernetes" } } })).toEqual([
      "backend.bootstrap.environmentVariables: needs KUBE_HOST (and KUBE_CLUSTER_CA_CERT_DATA) with dynamicCredentials.kubernetes: Terraform Cloud supplies only the token",
    ]);
    expect(bootstrap({ environmentVariables: ["KUBE_HOST"], dynamicCredentials: { kubernetes: { audience: "kubernetes" } } }, {})).toEqual([
      'kubernetes.configPath: must be "" with backend.bootstrap.dynamicCredentials.kubernetes: the providers then read KUBE_HOST and the token Terraform Cloud sets',
    ]);
    expect(bootstrap({ dynamicCredentials: { aws: { roleArn: "gitpod-terraform" } } })).toEqual([
      expect.stringMatching(/^backend.bootstrap.dynamicCredentials.aws.roleArn: must be an IAM role ARN/),
    ]);
    expect(bootstrap({ dynamicCredentials: { kubernetes: {} } })).toEqual([expect.stringMatching(/^backend.bootstrap.dynamicCredentials.kubernetes.audience: is required/)]);
    // AWS credentials with no AWS mode would reach no workspace.
    const noAwsMode = { domain: "a.example.com", backend: { type: "cloud", organization: "acme", bootstrap: { environmentVariables: ["KUBE_TOKEN", "AWS_REGION"], dynamicCredentials: { aws: { roleArn: role } } } } };
    expect(problemsOf(noAwsMode)).toEqual([
      "backend.bootstrap.environmentVariables[1]: AWS_REGION: no stack uses the aws provider (no AWS mode in this config), so no workspace would get it: remove it",
      "backend.bootstrap.dynamicCredentials.aws: no stack uses the aws provider (no AWS mode in this config), so no workspace would get it: remove it",
    ]);
  });

  it("asks for a missing mode", () => {
    expect(problemsOf({ domain: "a.example.com", tls: { secretName: "x" } })).toEqual([
      'tls.type: is required; accepted values: "self-signed", "issuer", "secret", "acme-route53"',
    ]);
  });

  it("rejects unknown fields, with their path", () => {
    expect(problemsOf({ domain: "a.example.com", gitpod: { namespcae: "x" }, databse: {} })).toEqual([
      "gitpod.namespcae: unknown field (did you mean namespace?); valid here: version, namespace, repository, installerImage, dropImageRepo, workspaceRuntime, proxy, installTimeout, blockNewUsers, license, sshGateway, openVsx, installerConfig; fields are case-sensitive",
      "databse: unknown field (did you mean database?); valid here: name, domain, gitpod, kubernetes, aws, tls, database, storage, registry, dns, scm, backend, mirror; fields are case-sensitive",
    ]);
  });

  it("names every unknown field of a section at once", () => {
    expect(problemsOf({ domain: "a.example.com", gitpod: { namespcae: "x", verison: "y", version: "2022.11.3" } })).toEqual([
      expect.stringMatching(/^gitpod\.namespcae: unknown field \(did you mean namespace\?\); valid here: /),
      expect.stringMatching(/^gitpod\.verison: unknown field \(did you mean version\?\); valid here: /),
    ]);
  });

  it("rejects a list where a mapping belongs, even an empty one", () => {
    expect(
      problemsOf({ domain: "a.example.com", gitpod: [], database: [{ type: "in-cluster" }], aws: { region: "eu-west-1", tags: ["team"] } }),
    ).toEqual([
      "gitpod: must be a mapping (key: value), not a list",
      "aws.tags: must be a mapping (key: value), not a list",
      "database: must be a mapping (key: value), not a list",
    ]);
  });

  it("lists the accepted values of a missing choice", () => {
    expect(problemsOf({ domain: "a.example.com", scm: { providers: [{ id: "gh", clientId: "abc" }] } })).toEqual([
      'scm.providers[0].type: is required; accepted values: "GitHub", "GitLab", "Bitbucket", "BitbucketServer"',
    ]);
  });

  it("refuses secrets in the file and names the variable to use instead", () => {
    expect(
      problemsOf({
        domain: "a.example.com",
        scm: { providers: [{ id: "Public-GitHub", type: "GitHub", clientId: "abc", clientSecret: "s3cr3t" }] },
      }),
    ).toEqual([
      "scm.providers[0].clientSecret: secrets are never read from the config file; remove it and pass the sensitive Terraform variable scm_public_github_client_secret (e.g. export TF_VAR_scm_public_github_client_secret=...)",
    ]);
    expect(problemsOf({ domain: "a.example.com", database: { type: "external", host: "db", username: "u", password: "hunter2" } })).toEqual([
      "database.password: secrets are never read from the config file; remove it and pass the sensitive Terraform variable database_password (e.g. export TF_VAR_database_password=...)",
    ]);
    expect(
      problemsOf({ domain: "a.example.com", storage: { type: "external", endpoint: "s3", bucket: "bkt", accessKeyId: "a", secretAccessKey: "s" } }),
    ).toEqual([expect.stringContaining("pass the sensitive Terraform variable storage_secret_access_key")]);
    expect(problemsOf({ domain: "a.example.com", registry: { type: "external", url: "r.acme.dev", username: "u", password: "p" } })).toEqual([
      expect.stringContaining("pass the sensitive Terraform variable registry_password"),
    ]);
  });

  it("never echoes a secret value back", () => {
    const message = problemsOf({
      domain: "a.example.com",
      scm: { providers: [{ id: "x", type: "GitHub", clientId: "abc", clientSecret: "s3cr3t-value" }] },
    }).join("\n");
    expect(message).not.toContain("s3cr3t-value");
  });

  it("requires a host for Bitbucket Server and distinct provider ids", () => {
    expect(
      problemsOf({
        domain: "a.example.com",
        scm: {
          providers: [
            { id: "bb", type: "BitbucketServer", clientId: "a" },
            { id: "gh", type: "GitHub", clientId: "b" },
            { id: "GH", type: "GitHub", clientId: "c" },
          ],
        },
      }),
    ).toEqual([
      "scm.providers[0].host: is required for type BitbucketServer",
    ]);
    expect(
      problemsOf({
        domain: "a.example.com",
        scm: { providers: [{ id: "gh", type: "GitHub", clientId: "b" }, { id: "GH", type: "GitLab", host: "gitlab.acme.dev", clientId: "c" }] },
      }),
    ).toEqual([
      'scm.providers[1].id: "GH" clashes with providers[0] (both use the variable scm_gh_client_secret); give each provider a distinct id',
    ]);
  });

  it("checks types, Kubernetes names, quantities and image references", () => {
    expect(
      problemsOf({
        domain: "a.example.com",
        gitpod: { namespace: "Gitpod_NS", dropImageRepo: "yes", installTimeout: "10 minutes" },
        database: { type: "in-cluster", storageSize: "20 GB", image: "mysql" },
      }),
    ).toEqual([
      expect.stringMatching(/^gitpod.namespace: must be a Kubernetes name.*\(got "Gitpod_NS"\)$/),
      'gitpod.dropImageRepo: expected boolean, got "yes"',
      expect.stringMatching(/^gitpod.installTimeout: must be a duration above zero such as "90s", "30m" or "1h" \(got "10 minutes"\)$/),
      expect.stringMatching(/^database.image: must be an image reference with a tag or digest.*\(got "mysql"\)$/),
      expect.stringMatching(/^database.storageSize: must be a Kubernetes quantity such as 20Gi \(got "20 GB"\)$/),
    ]);
  });

  it("takes chart repositories over https or oci only", () => {
    const certManager = (chartRepository: string) => ({ domain: "a.example.com", tls: { type: "self-signed", certManager: { chartRepository } } });
    expect(problemsOf(certManager("http://charts.acme.dev/jetstack"))).toEqual([
      'tls.certManager.chartRepository: must be an https URL such as https://charts.jetstack.io, or an oci:// registry path: over http the chart could be swapped in transit (got "http://charts.acme.dev/jetstack")',
    ]);
    expect(problemsOf({ domain: "a.example.com", mirror: { registry: "registry.acme.dev", chartRepository: "http://charts.acme.dev" } })).toEqual([
      expect.stringMatching(/^mirror.chartRepository: must be an https URL of a Helm repository or an oci:\/\/ registry path/),
    ]);
    for (const url of ["https://charts.acme.dev/jetstack", "oci://registry.acme.dev/charts"]) {
      expect(validateConfig(certManager(url), "test").tls.certManager.chartRepository).toBe(url);
    }
  });

  it("refuses Terraform template syntax where Terraform would not expand it", () => {
    expect(problemsOf({ domain: "a.example.com", kubernetes: { configPath: "${HOME}/.kube/config" } })).toEqual([
      'kubernetes.configPath: must not contain "${" or "%{": Terraform does not expand them here (use ~ for the home directory)',
    ]);
  });

  it("the error message lists the problems and says nothing was synthesized", () => {
    const error = (() => {
      try {
        validateConfig({ domain: "x" }, "./gitpod-cdktf.yaml");
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error("expected an error");
    })();
    expect(error.message).toMatch(/^invalid configuration \(\.\/gitpod-cdktf\.yaml\): 1 problem\n  - domain: /);
    expect(error.message).toMatch(/Nothing was synthesized; fix the fields above and run again\.$/);
  });
});

describe("bring-your-own endpoints", () => {
  it("accepts an external database, storage and registry, with defaults", () => {
    const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    const cfg = validateConfig(
      {
        domain: "gitpod.acme.dev",
        database: { type: "external", host: "mysql.acme.dev", username: "gitpod", caCertificate: pem },
        storage: { type: "external", endpoint: "minio.acme.dev:9000", bucket: "gitpod-data", accessKeyId: "gitpod", allowInsecureConnection: true },
        registry: { type: "external", url: "registry.acme.dev:5000/gitpod/images", username: "robot" },
      },
      "t",
    );
    expect(cfg.database).toEqual({ type: "external", host: "mysql.acme.dev", port: 3306, username: "gitpod", caCertificate: pem, deletionProtection: true });
    expect(cfg.storage).toEqual({
      type: "external",
      endpoint: "minio.acme.dev:9000",
      bucket: "gitpod-data",
      region: "us-east-1",
      accessKeyId: "gitpod",
      allowInsecureConnection: true,
    });
    expect(cfg.registry).toEqual({ type: "external", url: "registry.acme.dev:5000/gitpod/images", username: "robot" });
  });

  it("names what is wrong with an endpoint", () => {
    expect(
      problemsOf({
        domain: "a.example.com",
        database: { type: "external", host: "mysql://db.acme.dev", port: 70000, username: "gitpod", caCertificate: "not a pem" },
        storage: { type: "external", endpoint: "https://s3.amazonaws.com", bucket: "Gitpod_Data", accessKeyId: "a" },
        registry: { type: "external", url: "https://registry.acme.dev/gitpod", username: "u" },
      }),
    ).toEqual([
      expect.stringMatching(/^database.host: must be a host name or IPv4 address without port, scheme or path/),
      expect.stringMatching(/^database.port: .*65535/),
      expect.stringMatching(/^database.caCertificate: must be a PEM certificate/),
      expect.stringMatching(/^storage.endpoint: must be a host name/),
      expect.stringMatching(/^storage.bucket: must be an S3 bucket name/),
      expect.stringMatching(/^registry.url: must be a registry host with an optional path, without scheme/),
    ]);
  });

  it("requires the fields Gitpod cannot do without", () => {
    expect(problemsOf({ domain: "a.example.com", storage: { type: "external", endpoint: "s3.amazonaws.com" } })).toEqual([
      "storage.bucket: is required (expected string)",
      "storage.accessKeyId: is required (expected string)",
    ]);
  });
});

describe("AWS modes", () => {
  const OIDC = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC";
  const aws = { region: "eu-west-1", vpcId: "vpc-0123456789abcdef0", subnetIds: ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"], eksOidcProviderArn: OIDC };
  const RDS_CA = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

  it("accepts every AWS mode with its defaults", () => {
    const cfg = validateConfig(
      {
        domain: "gitpod.acme.dev",
        aws,
        database: { type: "rds", allowedSecurityGroupIds: ["sg-0123456789abcdef0"], caCertificate: RDS_CA },
        storage: { type: "s3" },
        registry: { type: "ecr" },
        tls: { type: "acme-route53", email: "ops@acme.dev", hostedZoneId: "Z0123456789ABCDEFGHIJ" },
      },
      "t",
    );
    expect(cfg.database).toMatchObject({
      type: "rds",
      engineVersion: "8.4",
      instanceClass: "db.t4g.medium",
      allocatedStorageGb: 20,
      backupRetentionDays: 7,
      deletionProtection: true,
      finalSnapshot: true,
      multiAz: false,
      allowInsecureTransport: false,
    });
    expect(cfg.storage).toEqual({ type: "s3", noncurrentVersionExpirationDays: 30, deletionProtection: true });
    expect(cfg.registry).toMatchObject({ type: "ecr", refreshIntervalHours: 4, untaggedImageExpiryDays: 7 });
    expect(cfg.tls).toMatchObject({ type: "acme-route53", server: "production" });
    expect(cfg.aws).toMatchObject({ region: "eu-west-1", offline: false, tags: {} });
  });

  it("asks for the aws section the modes need, naming the mode that needs each field", () => {
    expect(problemsOf({ domain: "a.example.com", storage: { type: "s3" } })).toEqual([
      "aws: is required by the AWS modes in this config: give at least aws.region",
    ]);
    expect(
      problemsOf({
        domain: "a.example.com",
        aws: { region: "eu-west-1", subnetIds: ["subnet-0123456789abcdef0"] },
        database: { type: "rds", allowedCidrBlocks: ["10.0.0.0/16"], caCertificate: RDS_CA },
        registry: { type: "ecr" },
        tls: { type: "acme-route53", email: "ops@acme.dev", hostedZoneId: "Z0123456789ABCDEFGHIJ" },
      }),
    ).toEqual([
      "aws.subnetIds: needs two or more subnets in different availability zones (an RDS requirement)",
      "aws.vpcId: is required when database.type is rds: the VPC to create the database in",
      "aws.eksOidcProviderArn: is required when registry.type is ecr: the EKS OIDC provider, for the token refresher's IAM role",
      "aws.eksOidcProviderArn: is required when tls.type is acme-route53: the EKS OIDC provider, for cert-manager's IAM role",
    ]);
  });

  it("checks what the modes need in the same round as every other problem", () => {
    expect(problemsOf({ domain: "https://a.example.com", storage: { type: "s3" } })).toEqual([
      expect.stringMatching(/^domain: must be a fully-qualified/),
      "aws: is required by the AWS modes in this config: give at least aws.region",
    ]);
    // Judged on the input as written, so it comes in the same round as the type problem.
    expect(problemsOf({ domain: "a.example.com", storage: { type: "s3" }, gitpod: { dropImageRepo: "yes" } })).toEqual([
      'gitpod.dropImageRepo: expected boolean, got "yes"',
      "aws: is required by the AWS modes in this config: give at least aws.region",
    ]);
  });

  it("checks RDS settings", () => {
    expect(problemsOf({ domain: "a.example.com", aws, database: { type: "rds", engineVersion: "9.0", backupRetentionDays: 0 } })).toEqual([
      'database.engineVersion: "9.0" is not accepted; accepted values: "5.7", "8.0", "8.4"',
      expect.stringMatching(/^database.backupRetentionDays: .*>=1/),
    ]);
    expect(problemsOf({ domain: "a.example.com", aws, database: { type: "rds", maxAllocatedStorageGb: 20, caCertificate: RDS_CA } })).toEqual([
      "database.allowedSecurityGroupIds: give at least one source for port 3306: allowedSecurityGroupIds (e.g. the EKS cluster security group) or allowedCidrBlocks",
      "database.maxAllocatedStorageGb: must be greater than allocatedStorageGb",
    ]);
  });

  it("requires TLS to RDS: the CA bundle, or allowInsecureTransport set on purpose", () => {
    const rds = { type: "rds", allowedSecurityGroupIds: ["sg-0123456789abcdef0"] };
    expect(problemsOf({ domain: "a.example.com", aws, database: rds })).toEqual([
      "database.caCertificate: is required: RDS requires TLS by default. Download AWS's CA bundle (https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem) next to the config and set caCertificateFile: global-bundle.pem, or set allowInsecureTransport: true to connect without TLS",
    ]);
    expect(problemsOf({ domain: "a.example.com", aws, database: { ...rds, allowInsecureTransport: false } })).toHaveLength(1);
    expect(validateConfig({ domain: "a.example.com", aws, database: { ...rds, allowInsecureTransport: true } }, "t").database).toMatchObject({ allowInsecureTransport: true });
    // A CA with TLS not enforced: Gitpod still verifies the server, the server lets others in without TLS.
    expect(validateConfig({ domain: "a.example.com", aws, database: { ...rds, caCertificate: RDS_CA, allowInsecureTransport: true } }, "t").database).toMatchObject({
      allowInsecureTransport: true,
      caCertificate: RDS_CA,
    });
  });

  it("reads a CA bundle from a file next to the config", () => {
    const cwd = tempDir();
    const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    fs.mkdirSync(path.join(cwd, "certs"));
    fs.writeFileSync(path.join(cwd, "certs", "rds.pem"), pem);
    fs.writeFileSync(
      path.join(cwd, "gitpod-cdktf.yaml"),
      "domain: gitpod.acme.dev\ndatabase:\n  type: external\n  host: db.acme.dev\n  username: gitpod\n  caCertificateFile: certs/rds.pem\n",
    );
    const loaded = loadConfig({ env: {}, cwd });
    expect(loaded.config.database).toMatchObject({ type: "external", caCertificate: pem });
    fs.writeFileSync(
      path.join(cwd, "gitpod-cdktf.yaml"),
      "domain: gitpod.acme.dev\ndatabase:\n  type: external\n  host: db.acme.dev\n  username: gitpod\n  caCertificateFile: certs/missing.pem\n",
    );
    expect(() => loadConfig({ env: {}, cwd })).toThrow("database.caCertificateFile (certs/missing.pem, relative to the config file): does not exist");
  });
});

