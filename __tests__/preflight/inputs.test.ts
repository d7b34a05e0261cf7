/**
 * From the configuration and the environment to the checks' inputs: which dependencies are
 * checked, with which secrets (from the variables Terraform reads), and what the cluster needs.
 */
import * as path from "path";
import { preflightInputs } from "../../preflight/inputs";
import { config } from "../support/synth";

const CA = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";

const external = config({
  database: { type: "external", host: "mysql.acme.dev", username: "gitpod", caCertificate: CA },
  storage: { type: "external", endpoint: "minio.acme.dev:9000", bucket: "gitpod", accessKeyId: "AKIAGITPOD", allowInsecureConnection: true },
  registry: { type: "external", url: "registry.acme.dev/gitpod", username: "robot" },
  scm: { providers: [{ id: "corp-gitlab", type: "GitLab", host: "gitlab.acme.dev", clientId: "abc" }] },
  kubernetes: { configPath: "~/.kube/prod", context: "prod" },
  tls: { type: "self-signed", certManager: { install: false } },
});

const ENV = {
  TF_VAR_database_password: "db-pass",
  TF_VAR_storage_secret_access_key: "s3-secret",
  TF_VAR_registry_password: "registry-pass",
  TF_VAR_scm_corp_gitlab_client_secret: "oauth-secret",
};

const options = (env: Record<string, string>) => ({ env, homeDir: "/home/ops", cwd: "/work/infra", timeoutMs: 7000 });

describe("preflightInputs", () => {
  it("checks every external dependency with the secrets of the TF_VAR_ variables", () => {
    const inputs = preflightInputs(external, options(ENV));
    expect(inputs.database).toEqual({
      host: "mysql.acme.dev",
      port: 3306,
      username: "gitpod",
      password: "db-pass",
      passwordSource: "TF_VAR_database_password",
      caCertificate: CA,
      timeoutMs: 7000,
    });
    expect(inputs.objectStorage).toMatchObject({ endpoint: "minio.acme.dev:9000", bucket: "gitpod", region: "us-east-1", accessKeyId: "AKIAGITPOD", secretAccessKey: "s3-secret", insecure: true });
    expect(inputs.registry).toMatchObject({ url: "registry.acme.dev/gitpod", username: "robot", password: "registry-pass", passwordSource: "TF_VAR_registry_password" });
    expect(inputs.registry?.caCertificate).toBeUndefined();
    expect(inputs.scm).toEqual([
      {
        id: "corp-gitlab",
        host: "gitlab.acme.dev",
        domain: "gitpod.acme.dev",
        // The same URL the release stack writes into the provider secret (see contract.test.ts).
        callbackUrl: "https://gitpod.acme.dev/auth/gitlab.acme.dev/callback",
        clientSecretSet: true,
        clientSecretSource: "TF_VAR_scm_corp_gitlab_client_secret",
        timeoutMs: 7000,
      },
    ]);
    expect(inputs.notChecked).toEqual([]);
    expect([...inputs.secrets].sort()).toEqual(["db-pass", "oauth-secret", "registry-pass", "s3-secret"]);
  });

  it("leaves unset secrets undefined, for the checks to report", () => {
    const inputs = preflightInputs(external, options({}));
    expect(inputs.database?.password).toBeUndefined();
    expect(inputs.objectStorage?.secretAccessKey).toBeUndefined();
    expect(inputs.registry?.password).toBeUndefined();
    expect(inputs.scm[0].clientSecretSet).toBe(false);
    expect(inputs.secrets).toEqual([]);
  });

  it("expands ~ in the kubeconfig path, keeps the context, and knows cert-manager is not installed by the prerequisites", () => {
    expect(preflightInputs(external, options(ENV)).cluster).toEqual({
      kubeconfigPath: "/home/ops/.kube/prod",
      context: "prod",
      namedStorageClasses: [],
      defaultStorageClassNeededBy: [],
      certManagerInstalledByPrerequisites: false,
      timeoutMs: 7000,
    });
  });

  it("checks nothing of in-cluster dependencies but what the cluster needs for them", () => {
    const inputs = preflightInputs(
      config({ database: { type: "in-cluster", storageClass: "gp3" }, storage: { type: "in-cluster" }, kubernetes: { configPath: "kube/config" } }),
      options(ENV),
    );
    expect(inputs.database).toBeUndefined();
    expect(inputs.objectStorage).toBeUndefined();
    expect(inputs.registry).toBeUndefined();
    expect(inputs.notChecked.map((row) => row.dependency)).toEqual(["database", "object storage", "registry"]);
    expect(inputs.cluster).toMatchObject({
      kubeconfigPath: path.join("/work/infra", "kube/config"),
      namedStorageClasses: [{ name: "gp3", usedBy: "database.storageClass" }],
      defaultStorageClassNeededBy: ["the in-cluster MinIO volume", "Gitpod's in-cluster registry volume"],
      certManagerInstalledByPrerequisites: true,
    });
    // Secrets of unused dependencies are not even read.
    expect(inputs.secrets).toEqual([]);
  });

  it("says which stack creates each dependency it does not check", () => {
    const label = (cfg: Parameters<typeof config>[0]) => Object.fromEntries(preflightInputs(config(cfg), options({})).notChecked.map((row) => [row.dependency, row.detail]));
    expect(label({})).toEqual({
      database: expect.stringMatching(/^in-cluster: MySQL 5\.7 in the cluster.*; created by the in-cluster-services stack, nothing to prove before apply$/),
      "object storage": expect.stringMatching(/^in-cluster: MinIO .*; created by the in-cluster-services stack/),
      registry: expect.stringMatching(/^in-cluster: Gitpod's own registry.*; created by the release stack/),
    });
    const aws = label({
      aws: { region: "eu-west-1", vpcId: "vpc-0123456789abcdef0", subnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"], eksOidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/AB" },
      database: { type: "rds", allowedCidrBlocks: ["10.0.0.0/16"], allowInsecureTransport: true },
      storage: { type: "s3" },
      registry: { type: "ecr" },
    });
    expect(aws.database).toMatch(/^rds: Amazon RDS for MySQL.*; created by the aws-services and release stacks/);
    expect(aws["object storage"]).toMatch(/^s3: .*; created by the aws-services stack/);
    expect(aws.registry).toMatch(/^ecr: Amazon ECR.*; created by the aws-services and release stacks/);
  });

  it("does not look for a kubeconfig when the providers use KUBE_* variables", () => {
    expect(preflightInputs(config({ kubernetes: { configPath: "" } }), options({})).cluster.kubeconfigPath).toBeUndefined();
  });
});
