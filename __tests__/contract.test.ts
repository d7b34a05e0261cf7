/**
 * The contract with Gitpod's installer (docs/gitpod-installer.md), checked on the
 * synthesized app end to end. Each test names the fact it checks.
 */
import { unknownInstallerConfigFields } from "../config/installer-fields";
import { chartObjectsByRelease, config, onlyResource, parseYaml, resourcesOf, secretData, synthApp } from "./support/synth";

const RELEASE = "gitpod-release";
const app = synthApp(
  config({
    scm: { providers: [{ id: "Public-GitHub", type: "GitHub", clientId: "abc" }] },
    gitpod: { workspaceRuntime: { nodeOs: "amazon-linux" }, proxy: { serviceType: "ClusterIP" } },
  }),
);
const release = app.stack(RELEASE);
// Secrets are written write-only: `data` below is what their data_wo writes to the cluster.
const secrets = Object.fromEntries(
  Object.values(resourcesOf(release, "kubernetes_secret_v1")).map((s: any) => [s.metadata.name, { ...s, data: secretData(release, s) }]),
) as Record<string, { data: Record<string, string>; type?: string }>;
const inputs = onlyResource(release, "kubernetes_config_map_v1") as { data: Record<string, string> };
const installerConfig = parseYaml(inputs.data["gitpod.config.yaml"]) as Record<string, any>;
const chartObjects = chartObjectsByRelease(app, RELEASE)["gitpod-installer"] as Record<string, any>[];

describe("contract with Gitpod's installer", () => {
  it('"Installer config": only field names of config.go, apiVersion v1, kind Full, every required field', () => {
    expect(unknownInstallerConfigFields(installerConfig)).toEqual([]);
    expect(installerConfig).toMatchObject({ apiVersion: "v1", kind: "Full", domain: "gitpod.acme.dev", repository: "eu.gcr.io/gitpod-core-dev/build" });
    for (const field of ["metadata", "database", "objectStorage", "containerRegistry", "certificate", "workspace"]) {
      expect(installerConfig).toHaveProperty(field);
    }
  });

  it('"database": external use sets inCluster: false explicitly and names the secret', () => {
    expect(installerConfig.database).toEqual({ inCluster: false, external: { certificate: { kind: "secret", name: "gitpod-database" } } });
  });

  it('"objectStorage": inCluster: false, endpoint a host (not a URL), metadata.region "local" for in-cluster MinIO', () => {
    expect(installerConfig.objectStorage.inCluster).toBe(false);
    expect(installerConfig.objectStorage.s3.endpoint).not.toMatch(/^https?:\/\//);
    expect(installerConfig.objectStorage.s3.endpoint).toMatch(/\.svc\.cluster\.local:9000$/);
    expect(installerConfig.objectStorage.s3.credentials).toEqual({ kind: "secret", name: "gitpod-object-storage" });
    expect(installerConfig.metadata.region).toBe("local");
  });

  it('"containerRegistry": the in-cluster registry is Gitpod\'s own (inCluster: true)', () => {
    expect(installerConfig.containerRegistry).toEqual({ inCluster: true, privateBaseImageAllowList: [] });
  });

  it('"certificate": {kind: secret, name: https-certificates}', () => {
    expect(installerConfig.certificate).toEqual({ kind: "secret", name: "https-certificates" });
  });

  it('"workspace.runtime": the containerd runtime dir of the node OS', () => {
    expect(installerConfig.workspace.runtime).toEqual({
      fsShiftMethod: "fuse",
      containerdRuntimeDir: "/run/containerd/io.containerd.runtime.v2.task/k8s.io",
      containerdSocket: "/run/containerd/containerd.sock",
    });
  });

  it('"Proxy service type": components.proxy.service.serviceType', () => {
    expect(installerConfig.components).toEqual({ proxy: { service: { serviceType: "ClusterIP" } } });
  });

  it('"Secret formats": the database secret has host, port, username, password, encryptionKeys', () => {
    expect(Object.keys(secrets["gitpod-database"].data).sort()).toEqual(["encryptionKeys", "host", "password", "port", "username"]);
  });

  it('"Secret formats": the S3 secret has accessKeyId and secretAccessKey', () => {
    expect(Object.keys(secrets["gitpod-object-storage"].data).sort()).toEqual(["accessKeyId", "secretAccessKey"]);
  });

  it('"encryptionKeys": generated (never the value printed in Gitpod\'s docs) in Gitpod\'s JSON shape', () => {
    const value = secrets["gitpod-database"].data.encryptionKeys;
    expect(value).toMatch(/^\$\{jsonencode\(\[\{"name" = "general", "version" = 1, "primary" = true, "material" = data\.terraform_remote_state\./);
    for (const text of Object.values(app.files())) expect(text).not.toContain("4uGh1q8y2DYryJwrVMHs0kWXJlqvHWWt/KJuNi04edI=");
  });

  it('"SCM auth provider secret": one secret per provider with a `provider` document and the callback URL', () => {
    expect(installerConfig.authProviders).toEqual([{ kind: "secret", name: "gitpod-auth-public-github" }]);
    const provider = secrets["gitpod-auth-public-github"].data.provider;
    expect(Object.keys(secrets["gitpod-auth-public-github"].data)).toEqual(["provider"]);
    for (const field of ['"id" = "Public-GitHub"', '"host" = "github.com"', '"type" = "GitHub"', '"clientId" = "abc"', '"clientSecret" = var.scm_public_github_client_secret']) {
      expect(provider).toContain(field);
    }
    expect(provider).toContain('"callBackUrl" = "https://gitpod.acme.dev/auth/github.com/callback"');
  });

  it('"TLS and cert-manager": the certificate covers <domain>, *.<domain> and *.ws.<domain>', () => {
    const certificate = chartObjects.find((o) => o.kind === "Certificate" && o.metadata.name === "https-certificates")!;
    expect(certificate.spec.secretName).toBe("https-certificates");
    expect(certificate.spec.dnsNames).toEqual(["gitpod.acme.dev", "*.gitpod.acme.dev", "*.ws.gitpod.acme.dev"]);
  });

  it('"TLS and cert-manager": cert-manager objects come in a later stack than the chart that installs the CRDs', () => {
    expect(Object.values(resourcesOf(release, "helm_release"))).toHaveLength(1);
    expect(resourcesOf(app.stack("gitpod-cluster-prerequisites"), "helm_release")).not.toEqual({});
    expect(app.manifest.stacks[RELEASE].dependencies).toContain("gitpod-cluster-prerequisites");
  });

  it('"Database requirements": MySQL 5.7 with explicit_defaults_for_timestamp OFF', () => {
    const mysql = chartObjectsByRelease(app, "gitpod-in-cluster-services")["gitpod-mysql"].find((o) => o.kind === "Deployment") as any;
    const container = mysql.spec.template.spec.containers[0];
    expect(container.image).toMatch(/mysql:5\.7\.\d+$/);
    expect(container.args).toContain("--explicit-defaults-for-timestamp=OFF");
  });

  it('"How the release was installed": the installer image of the release, render with a stable seed', () => {
    const job = chartObjects.find((o) => o.kind === "Job" && o.metadata.annotations["helm.sh/hook"].includes("post-install"))!;
    expect(job.spec.template.spec.containers[0].image).toBe("eu.gcr.io/gitpod-core-dev/build/installer:release-2022.11.3");
    expect(job.spec.template.spec.containers[0].env).toContainEqual({
      name: "RENDER_SEED",
      valueFrom: { secretKeyRef: { name: "gitpod-installer-seed", key: "seed" } },
    });
  });
});

describe("contract with Gitpod's installer: bring-your-own endpoints", () => {
  const pem = "-----BEGIN CERTIFICATE-----\nMIIBexample\n-----END CERTIFICATE-----\n";
  const external = synthApp(
    config({
      database: { type: "external", host: "mysql.acme.dev", port: 3307, username: "gitpod", caCertificate: pem },
      storage: { type: "external", endpoint: "minio.acme.dev:9000", bucket: "gitpod-data", region: "eu-central-1", accessKeyId: "gitpod-key" },
      registry: { type: "external", url: "registry.acme.dev/gitpod", username: "robot" },
    }),
  );
  const stack = external.stack(RELEASE);
  const byName = Object.fromEntries(Object.values(resourcesOf(stack, "kubernetes_secret_v1")).map((s: any) => [s.metadata.name, { ...s, data: secretData(stack, s) }])) as Record<
    string,
    { data: Record<string, string>; type?: string }
  >;
  const cfg = parseYaml((onlyResource(stack, "kubernetes_config_map_v1") as any).data["gitpod.config.yaml"]) as Record<string, any>;

  it("creates no in-cluster services stack and waits only for the stacks it reads", () => {
    expect(external.stackIds.sort()).toEqual(["gitpod-cluster-prerequisites", "gitpod-installation-secrets", RELEASE]);
    expect(external.manifest.stacks[RELEASE].dependencies.sort()).toEqual(["gitpod-cluster-prerequisites", "gitpod-installation-secrets"]);
  });

  it("only field names of config.go", () => {
    expect(unknownInstallerConfigFields(cfg)).toEqual([]);
  });

  it('"database": inCluster: false, the external secret, and ssl.caCert with key ca.crt for the CA', () => {
    expect(cfg.database).toEqual({
      inCluster: false,
      external: { certificate: { kind: "secret", name: "gitpod-database" } },
      ssl: { caCert: { kind: "secret", name: "gitpod-database-ca" } },
    });
    expect(byName["gitpod-database"].data).toMatchObject({ host: "mysql.acme.dev", port: "3307", username: "gitpod", password: "${var.database_password}" });
    expect(byName["gitpod-database-ca"].data).toEqual({ "ca.crt": pem });
  });

  it('"objectStorage": inCluster: false, single-bucket mode, TLS on, metadata.region = the bucket region', () => {
    expect(cfg.objectStorage).toEqual({
      inCluster: false,
      s3: { endpoint: "minio.acme.dev:9000", bucket: "gitpod-data", credentials: { kind: "secret", name: "gitpod-object-storage" }, allowInsecureConnection: false },
    });
    expect(cfg.metadata.region).toBe("eu-central-1");
    expect(byName["gitpod-object-storage"].data).toEqual({ accessKeyId: "gitpod-key", secretAccessKey: "${var.storage_secret_access_key}" });
  });

  it('"containerRegistry": inCluster: false, external.url, and a .dockerconfigjson secret with auths for the host', () => {
    expect(cfg.containerRegistry).toEqual({
      inCluster: false,
      external: { url: "registry.acme.dev/gitpod", certificate: { kind: "secret", name: "gitpod-registry-auth" } },
      privateBaseImageAllowList: [],
    });
    expect(byName["gitpod-registry-auth"].type).toBe("kubernetes.io/dockerconfigjson");
    expect(byName["gitpod-registry-auth"].data[".dockerconfigjson"]).toBe(
      '${jsonencode({"auths" = {"registry.acme.dev" = {"username" = "robot", "password" = var.registry_password, "auth" = base64encode(join(":", ["robot", var.registry_password]))}}})}',
    );
  });

  it("passes every password only as a sensitive variable", () => {
    expect(stack.variable).toEqual({
      database_password: expect.objectContaining({ type: "string", sensitive: true, nullable: false }),
      storage_secret_access_key: expect.objectContaining({ type: "string", sensitive: true, nullable: false }),
      registry_password: expect.objectContaining({ type: "string", sensitive: true, nullable: false }),
    });
  });
});

describe("contract with Gitpod's installer: AWS managed services", () => {
  const OIDC = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC";
  const aws = { region: "eu-west-1", vpcId: "vpc-0123456789abcdef0", subnetIds: ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"], eksOidcProviderArn: OIDC };
  const pem = "-----BEGIN CERTIFICATE-----\nMIIBexample\n-----END CERTIFICATE-----\n";
  const view = (overrides: Record<string, unknown>) => {
    const stack = synthApp(config({ aws, ...overrides })).stack(RELEASE);
    const secretsByName = Object.fromEntries(Object.values(resourcesOf(stack, "kubernetes_secret_v1")).map((s: any) => [s.metadata.name, { ...s, data: secretData(stack, s) }])) as Record<string, any>;
    const inputs = Object.values(resourcesOf(stack, "kubernetes_config_map_v1")).find((c: any) => "gitpod.config.yaml" in c.data) as any;
    return { secrets: secretsByName, cfg: parseYaml(inputs.data["gitpod.config.yaml"]) as Record<string, any> };
  };
  const fromStack = (stack: string) => expect.stringMatching(new RegExp(`^\\$\\{data\\.terraform_remote_state\\.cross-stack-reference-input-${stack}\\.outputs\\.`));

  it('"database" on RDS: the external secret gets the instance address, port, and Gitpod\'s own user (not the master user) with its generated password; TLS with the RDS CA', () => {
    const { secrets, cfg } = view({ database: { type: "rds", allowedSecurityGroupIds: ["sg-0123456789abcdef0"], caCertificate: pem } });
    expect(unknownInstallerConfigFields(cfg)).toEqual([]);
    expect(cfg.database).toEqual({
      inCluster: false,
      external: { certificate: { kind: "secret", name: "gitpod-database" } },
      ssl: { caCert: { kind: "secret", name: "gitpod-database-ca" } },
    });
    expect(secrets["gitpod-database"].data).toEqual({
      host: fromStack("gitpod-aws-services"),
      port: fromStack("gitpod-aws-services"),
      username: "gitpod_app",
      password: expect.stringMatching(/^\$\{random_password\.rds-gitpod-user_password_\w+\.result\}$/),
      encryptionKeys: expect.stringContaining("jsonencode"),
    });
    expect(secrets["gitpod-database-ca"].data).toEqual({ "ca.crt": pem });
    // The user is made in the cluster with the master user's credentials: only that Job's Secret has them.
    expect(secrets["gitpod-mysql-user-setup"].data).toEqual({
      host: fromStack("gitpod-aws-services"),
      port: fromStack("gitpod-aws-services"),
      "admin-username": "gitpod",
      "admin-password": fromStack("gitpod-aws-services"),
      password: secrets["gitpod-database"].data.password,
      "ca.crt": pem,
    });
  });

  it('"database" on RDS with allowInsecureTransport and no CA: no database.ssl, and the user may connect without TLS', () => {
    const app = synthApp(config({ aws, database: { type: "rds", allowedSecurityGroupIds: ["sg-0123456789abcdef0"], allowInsecureTransport: true } }));
    const { secrets, cfg } = view({ database: { type: "rds", allowedSecurityGroupIds: ["sg-0123456789abcdef0"], allowInsecureTransport: true } });
    expect(cfg.database).toEqual({ inCluster: false, external: { certificate: { kind: "secret", name: "gitpod-database" } } });
    expect(secrets["gitpod-database"].data.username).toBe("gitpod_app");
    expect(Object.keys(secrets["gitpod-mysql-user-setup"].data).sort()).toEqual(["admin-password", "admin-username", "host", "password", "port"]);
    const job = chartObjectsByRelease(app, RELEASE)["gitpod-mysql-user-setup"].find((o: any) => o.kind === "Job") as any;
    expect(job.spec.template.spec.containers[0].env).toContainEqual({ name: "REQUIRE_TLS", value: "false" });
  });

  it('"objectStorage" on S3: endpoint s3.<region>.amazonaws.com (a host), the bucket, metadata.region = the bucket region, keys from the AWS stack', () => {
    const { secrets, cfg } = view({ storage: { type: "s3" } });
    expect(unknownInstallerConfigFields(cfg)).toEqual([]);
    expect(cfg.objectStorage).toEqual({
      inCluster: false,
      s3: { endpoint: "s3.eu-west-1.amazonaws.com", bucket: "gitpod-acme-dev-storage", credentials: { kind: "secret", name: "gitpod-object-storage" }, allowInsecureConnection: false },
    });
    expect(cfg.metadata).toEqual({ region: "eu-west-1" });
    expect(secrets["gitpod-object-storage"].data).toEqual({ accessKeyId: fromStack("gitpod-aws-services"), secretAccessKey: fromStack("gitpod-aws-services") });
  });

  it('"containerRegistry" on S3: Gitpod\'s registry (inCluster: true) with all four s3storage fields, keys as s3AccessKey/s3SecretKey', () => {
    const { secrets, cfg } = view({ registry: { type: "s3" } });
    expect(unknownInstallerConfigFields(cfg)).toEqual([]);
    expect(cfg.containerRegistry).toEqual({
      inCluster: true,
      s3storage: { bucket: "gitpod-acme-dev-registry", region: "eu-west-1", endpoint: "s3.eu-west-1.amazonaws.com", certificate: { kind: "secret", name: "gitpod-registry-s3" } },
      privateBaseImageAllowList: [],
    });
    expect(Object.keys(secrets["gitpod-registry-s3"].data).sort()).toEqual(["s3AccessKey", "s3SecretKey"]);
  });

  it('"Registry on AWS, and ECR": external url <account>.dkr.ecr.<region>.amazonaws.com/<prefix>, a .dockerconfigjson secret kept fresh', () => {
    const { secrets, cfg } = view({ registry: { type: "ecr", repositoryPrefix: "acme/gitpod" } });
    expect(unknownInstallerConfigFields(cfg)).toEqual([]);
    expect(cfg.containerRegistry).toEqual({
      inCluster: false,
      external: { url: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme/gitpod", certificate: { kind: "secret", name: "gitpod-ecr-auth" } },
      privateBaseImageAllowList: [],
    });
    expect(secrets["gitpod-ecr-auth"].type).toBe("kubernetes.io/dockerconfigjson");
  });
});
