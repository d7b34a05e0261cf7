import * as fs from "fs";
import * as path from "path";
import { App, TerraformStack, TerraformVariable } from "cdktf";
import { GitpodInstallation, RELEASE_SCRIPT_PATH, type GitpodInstallationProps } from "../../modules/gitpod/gitpod-installation";
import { installerConfigYaml } from "../../modules/gitpod/installer-config";
import { selfSignedCertificate } from "../../modules/tls/gitpod-certificate";
import { validateAgainstSchema } from "../support/kubernetes-schemas";
import {
  onlyResource,
  parseYaml,
  readTree,
  resourcesOf,
  scratchDir,
  secretData,
  unescapeTerraformTemplate,
  type TerraformJson,
} from "../support/synth";

interface Built {
  json: TerraformJson;
  installation: GitpodInstallation;
  chart: Record<string, string>;
}

function build(overrides: (scope: TerraformStack) => Partial<GitpodInstallationProps> = () => ({})): Built {
  const outdir = path.join(scratchDir(), "out");
  // Providers belong to stacks; this module is tested on its own.
  const app = new App({ outdir, skipValidation: true });
  const stack = new TerraformStack(app, "gitpod");
  const secret = (name: string) => new TerraformVariable(stack, name, { type: "string", sensitive: true }).stringValue;
  const tls = selfSignedCertificate({ domain: "gitpod.acme.dev", namePrefix: "acme" });
  const installation = new GitpodInstallation(stack, "gitpod", {
    namespace: "gitpod",
    namespaceName: "gitpod",
    installerNamespace: "gitpod-installer",
    installerNamespaceName: "gitpod-installer",
    namePrefix: "acme",
    domain: "gitpod.acme.dev",
    version: "2022.11.3",
    repository: "mirror.acme.dev/gitpod",
    installerImage: "mirror.acme.dev/gitpod/installer:release-2022.11.3",
    dropImageRepo: false,
    proxyServiceType: "LoadBalancer",
    proxyServiceAnnotations: {},
    installTimeoutSeconds: 1800,
    workspaceRuntime: { fsShiftMethod: "fuse", containerdRuntimeDir: "/run/containerd/io.containerd.runtime.v2.task/k8s.io", containerdSocket: "/run/containerd/containerd.sock" },
    database: { host: "mysql.gitpod.svc.cluster.local", port: 3306, username: "gitpod", password: secret("db_password") },
    encryptionKeys: secret("encryption_keys"),
    objectStorage: {
      endpoint: "minio.gitpod.svc.cluster.local:9000",
      region: "local",
      accessKeyId: "gitpod",
      secretAccessKey: secret("storage_secret"),
      allowInsecureConnection: true,
    },
    containerRegistry: { kind: "in-cluster", keepVolumeOnUninstall: true },
    certificate: tls,
    manifests: tls.manifests,
    ...overrides(stack),
  });
  app.synth();
  const json: TerraformJson = JSON.parse(fs.readFileSync(path.join(outdir, "stacks/gitpod/cdk.tf.json"), "utf8"));
  return { json, installation, chart: readTree(path.join(outdir, "stacks/gitpod", installation.chart.chartPath)) };
}

/** The local value a `${local.<name>}` reference names. */
const localName = (reference: string) => /^\$\{local\.([\w-]+)\}$/.exec(reference)![1];

const secretsByName = (json: TerraformJson) =>
  Object.fromEntries(
    // Written write-only: `data` here is what data_wo writes to the cluster.
    Object.values(resourcesOf(json, "kubernetes_secret_v1")).map((s: any) => [s.metadata.name, { data: secretData(json, s), type: s.type }]),
  ) as Record<string, { data: Record<string, string>; type?: string }>;

describe("GitpodInstallation", () => {
  const defaults = build();

  // docs/gitpod-installer.md, "Secret keys": exact keys of each secret Gitpod reads.
  it("writes the database secret with host, port, username, password and encryptionKeys", () => {
    expect(secretsByName(defaults.json)["acme-database"].data).toEqual({
      host: "mysql.gitpod.svc.cluster.local",
      port: "3306",
      username: "gitpod",
      password: "${var.db_password}",
      encryptionKeys: "${var.encryption_keys}",
    });
  });

  it("writes the object storage secret with accessKeyId and secretAccessKey", () => {
    expect(secretsByName(defaults.json)["acme-object-storage"].data).toEqual({ accessKeyId: "gitpod", secretAccessKey: "${var.storage_secret}" });
  });

  it("writes a CA secret (ca.crt) and database.ssl.caCert only when the database has a CA", () => {
    expect(secretsByName(defaults.json)).not.toHaveProperty("acme-database-ca");
    const withCa = build((stack) => ({
      database: {
        host: "db.acme.dev",
        port: 3306,
        username: "gitpod",
        password: new TerraformVariable(stack, "external_db_password", { sensitive: true }).stringValue,
        caCertificate: "-----BEGIN CERTIFICATE-----",
      },
    }));
    expect(secretsByName(withCa.json)["acme-database-ca"].data).toEqual({ "ca.crt": "-----BEGIN CERTIFICATE-----" });
    expect(withCa.installation.installerConfig.database.ssl).toEqual({ caCert: { kind: "secret", name: "acme-database-ca" } });
  });

  it("writes the in-cluster registry's S3 credentials as s3AccessKey and s3SecretKey", () => {
    const { json } = build((stack) => ({
      containerRegistry: {
        kind: "in-cluster-s3",
        bucket: "registry",
        region: "eu-west-1",
        endpoint: "s3.eu-west-1.amazonaws.com",
        accessKeyId: "AKIA",
        secretAccessKey: new TerraformVariable(stack, "registry_secret", { sensitive: true }).stringValue,
      },
    }));
    expect(secretsByName(json)["acme-registry-s3"].data).toEqual({ s3AccessKey: "AKIA", s3SecretKey: "${var.registry_secret}" });
  });

  it("writes an external registry's credentials as a kubernetes.io/dockerconfigjson secret", () => {
    const { json, installation } = build((stack) => ({
      containerRegistry: {
        kind: "external",
        url: "registry.acme.dev/gitpod",
        auth: { server: "registry.acme.dev", username: "robot", password: new TerraformVariable(stack, "registry_password", { sensitive: true }).stringValue },
      },
    }));
    const secret = secretsByName(json)["acme-registry-auth"];
    expect(secret.type).toBe("kubernetes.io/dockerconfigjson");
    expect(secret.data[".dockerconfigjson"]).toBe(
      '${jsonencode({"auths" = {"registry.acme.dev" = {"username" = "robot", "password" = var.registry_password, "auth" = base64encode(join(":", ["robot", var.registry_password]))}}})}',
    );
    expect(installation.installerConfig.containerRegistry).toEqual({
      inCluster: false,
      external: { url: "registry.acme.dev/gitpod", certificate: { kind: "secret", name: "acme-registry-auth" } },
      privateBaseImageAllowList: [],
    });
  });

  it("uses an externally managed registry secret without creating one", () => {
    const { json, installation } = build(() => ({
      containerRegistry: { kind: "external", url: "1234.dkr.ecr.eu-west-1.amazonaws.com/gitpod", auth: { existingSecretName: "ecr-auth" } },
    }));
    expect(Object.keys(secretsByName(json))).not.toContain("acme-registry-auth");
    expect(installation.installerConfig.containerRegistry).toMatchObject({ external: { certificate: { kind: "secret", name: "ecr-auth" } } });
  });

  // docs/gitpod-installer.md, "Secret keys": one secret per provider, key `provider`, a YAML document.
  it("writes one secret per SCM provider with the provider document and the callback URL", () => {
    const { json, installation } = build((stack) => ({
      authProviders: [
        { id: "Public-GitHub", type: "GitHub", host: "github.com", clientId: "gh-id", clientSecret: new TerraformVariable(stack, "gh", { sensitive: true }).stringValue },
        { id: "corp.gitlab", type: "GitLab", host: "gitlab.acme.dev", clientId: "gl-id", clientSecret: new TerraformVariable(stack, "gl", { sensitive: true }).stringValue },
      ],
    }));
    const secrets = secretsByName(json);
    expect(secrets["acme-auth-public-github"].data).toEqual({
      provider:
        '${yamlencode({"id" = "Public-GitHub", "host" = "github.com", "type" = "GitHub", "oauth" = {"clientId" = "gh-id", "clientSecret" = var.gh, "callBackUrl" = "https://gitpod.acme.dev/auth/github.com/callback"}})}',
    });
    expect(Object.keys(secrets["acme-auth-corp-gitlab"].data)).toEqual(["provider"]);
    expect(installation.installerConfig.authProviders).toEqual([
      { kind: "secret", name: "acme-auth-public-github" },
      { kind: "secret", name: "acme-auth-corp-gitlab" },
    ]);
  });

  it("ships the installer config and the release script in one ConfigMap, verbatim", () => {
    const inputs = onlyResource(defaults.json, "kubernetes_config_map_v1") as { metadata: { name: string }; data: Record<string, string> };
    expect(inputs.metadata.name).toBe("acme-installer");
    expect(inputs.data["gitpod.config.yaml"]).toBe(installerConfigYaml(defaults.installation.installerConfig));
    // Terraform reads "${" as interpolation: the script must survive the escaping unchanged.
    const script = fs.readFileSync(RELEASE_SCRIPT_PATH, "utf8");
    expect(script).toContain("${RELEASE_NAME:-gitpod}");
    expect(inputs.data["gitpod-release.sh"]).toContain("$${RELEASE_NAME:-gitpod}");
    expect(inputs.data["gitpod-release.sh"]).not.toMatch(/(^|[^$])\$\{/);
    expect(unescapeTerraformTemplate(inputs.data["gitpod-release.sh"])).toBe(script);
  });

  it("generates the render seed once, as a secret non-zero integer", () => {
    const seed = onlyResource(defaults.json, "random_password");
    expect(seed).toMatchObject({ length: 18, numeric: true, special: false, upper: false, lower: false });
    expect(seed).not.toHaveProperty("keepers");
    expect(secretsByName(defaults.json)["acme-installer-seed"].data).toEqual({ seed: expect.stringMatching(/^1\$\{random_password\.[\w-]+\.result\}$/) });
  });

  // The installer's namespace and rights: installer-rights.test.ts.

  describe("the release chart", () => {
    const objects = Object.entries(defaults.chart)
      .filter(([name]) => name.startsWith("templates/"))
      .map(([, text]) => parseYaml(text) as Record<string, any>);
    const job = (action: string) => objects.find((o) => o.kind === "Job" && o.metadata.name === `acme-installer-${action}`)!;

    it("holds the TLS objects, then the apply and uninstall hook Jobs, all valid against their schemas", () => {
      expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
        "Issuer/acme-self-signed-root",
        "Certificate/acme-self-signed-ca",
        "Issuer/acme-self-signed-ca",
        "Certificate/https-certificates",
        "Job/acme-installer-apply",
        "Job/acme-installer-uninstall",
      ]);
      objects.forEach(validateAgainstSchema);
      expect(parseYaml(defaults.chart["Chart.yaml"])).toMatchObject({ apiVersion: "v2", name: "acme-installer", appVersion: "2022.11.3" });
    });

    it("runs install/upgrade after the release's objects exist, and uninstall before they go", () => {
      expect(job("apply").metadata.annotations).toEqual({
        "helm.sh/hook": "post-install,post-upgrade",
        "helm.sh/hook-delete-policy": "before-hook-creation",
      });
      expect(job("uninstall").metadata.annotations["helm.sh/hook"]).toBe("pre-delete");
    });

    it("runs the script in the installer image with the config, seed and settings it needs", () => {
      const spec = job("apply").spec;
      const container = spec.template.spec.containers[0];
      expect(container.image).toBe("mirror.acme.dev/gitpod/installer:release-2022.11.3");
      expect(container.command).toEqual(["/bin/sh", "/gitpod-release/gitpod-release.sh", "apply"]);
      expect(spec.template.spec.serviceAccountName).toBe("acme-installer");
      expect(spec.template.spec.restartPolicy).toBe("Never");
      expect(spec.backoffLimit).toBe(0);
      const env = Object.fromEntries(container.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
      expect(env).toEqual({
        HOME: "/tmp",
        // Gitpod's namespace, not the Job's own (the installer's).
        NAMESPACE: "gitpod",
        RENDER_SEED: { secretKeyRef: { name: "acme-installer-seed", key: "seed" } },
        RELEASE_NAME: "gitpod",
        GITPOD_VERSION: "2022.11.3",
        CONFIG_FILE: "/gitpod-release/gitpod.config.yaml",
        TLS_SECRET: "https-certificates",
        TIMEOUT_SECONDS: "1800",
        WORKSPACE_STOP_SECONDS: "900",
        WATCHED_SECRETS: "acme-database acme-object-storage acme-self-signed-ca",
        KEEP_VOLUMES: "true",
        USE_EXPERIMENTAL_CONFIG: "false",
      });
      expect(spec.template.spec.volumes).toEqual([
        { name: "inputs", configMap: { name: "acme-installer" } },
        { name: "scratch", emptyDir: {} },
      ]);
    });

    it("gives each Job a deadline beyond its worst case, and Helm a wait beyond both", () => {
      // apply: TLS wait, recovery, upgrade and its atomic rollback (each up to the timeout), plus
      // stopping workspaces; uninstall: stopping workspaces, then the uninstall.
      expect(job("apply").spec.activeDeadlineSeconds).toBeGreaterThan(4 * 1800 + 900);
      expect(job("uninstall").spec.activeDeadlineSeconds).toBeGreaterThan(900 + 1800);
      const release = onlyResource(defaults.json, "helm_release") as any;
      expect(release.timeout).toBeGreaterThan(job("apply").spec.activeDeadlineSeconds);
      expect(release.timeout).toBeGreaterThan(job("uninstall").spec.activeDeadlineSeconds);
    });

    it("watches every secret it writes for Gitpod, but not a registry login something else refreshes", () => {
      const watched = (overrides: (scope: TerraformStack) => Partial<GitpodInstallationProps>) => {
        const { chart } = build(overrides);
        const apply = parseYaml(Object.entries(chart).find(([n]) => n.endsWith("job-acme-installer-apply.yaml"))![1]) as any;
        return apply.spec.template.spec.containers[0].env.find((e: any) => e.name === "WATCHED_SECRETS").value.split(" ");
      };
      const auth = { server: "registry.acme.dev", username: "u", password: "p" };
      expect(
        watched(() => ({
          containerRegistry: { kind: "external", url: "registry.acme.dev/gitpod", auth },
          database: { host: "db", port: 3306, username: "gitpod", password: "p", caCertificate: "PEM" },
          authProviders: [{ id: "Public-GitHub", type: "GitHub", host: "github.com", clientId: "id", clientSecret: "s" }],
        })),
      ).toEqual(["acme-database", "acme-database-ca", "acme-object-storage", "acme-auth-public-github", "acme-self-signed-ca", "acme-registry-auth"]);
      const refreshed = watched(() => ({ containerRegistry: { kind: "external", url: "1.dkr.ecr.eu-west-1.amazonaws.com/gitpod", auth: { existingSecretName: "acme-ecr-auth" } } }));
      expect(refreshed).not.toContain("acme-ecr-auth");
    });

    it("passes the experimental flag, the volume policy and the timeout through", () => {
      const { chart } = build(() => ({ proxyServiceAnnotations: { a: "b" }, containerRegistry: { kind: "in-cluster", keepVolumeOnUninstall: false }, installTimeoutSeconds: 600 }));
      const apply = parseYaml(Object.entries(chart).find(([n]) => n.endsWith("job-acme-installer-apply.yaml"))![1]) as any;
      const env = Object.fromEntries(apply.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
      expect(env).toMatchObject({ USE_EXPERIMENTAL_CONFIG: "true", KEEP_VOLUMES: "false", TIMEOUT_SECONDS: "600" });
    });
  });

  describe("the Helm release", () => {
    const release = onlyResource(defaults.json, "helm_release") as any;

    it("installs the generated chart atomically into Gitpod's namespace", () => {
      expect(release).toMatchObject({ name: "acme-installer", chart: defaults.installation.chart.chartPath, namespace: "gitpod", atomic: true, wait: true });
      // After every Secret it writes (the Jobs read them; the checksum no longer refers to them).
      const secrets = Object.keys(resourcesOf(defaults.json, "kubernetes_secret_v1")).map((name) => `kubernetes_secret_v1.${name}`);
      expect(release.depends_on).toEqual([
        ...secrets,
        expect.stringMatching(/^kubernetes_service_account_v1\./),
        expect.stringMatching(/^kubernetes_role_v1\./),
        expect.stringMatching(/^kubernetes_role_binding_v1\./),
        expect.stringMatching(/^kubernetes_cluster_role_v1\./),
        expect.stringMatching(/^kubernetes_cluster_role_binding_v1\./),
      ]);
    });

    it("upgrades when the installer inputs or any secret's data change (checksums as values)", () => {
      expect(release.values).toEqual([
        expect.stringMatching(/^\$\{yamlencode\(\{"checksums" = \{"inputs" = sha256\(jsonencode\(kubernetes_config_map_v1\.[\w-]+\.data\)\)\}\}\)\}$/),
      ]);
      const [checksum] = release.set_sensitive;
      expect(checksum.name).toBe("checksums.secrets");
      // Hashed from the values written, since the Secrets' data is not in the state to read back:
      // the local value each Secret writes, in order.
      const written = (Object.values(resourcesOf(defaults.json, "kubernetes_secret_v1")) as any[]).map((s) => localName(s.data_wo));
      expect(checksum.value).toBe(`\${sha256(jsonencode([${written.map((name) => `local.${name}`).join(", ")}]))}`);
    });

    it("writes every Secret's data write-only, with a revision that changes exactly when the data does", () => {
      const secrets = Object.values(resourcesOf(defaults.json, "kubernetes_secret_v1")) as any[];
      expect(secrets.length).toBeGreaterThan(0);
      for (const secret of secrets) {
        expect(secret.data).toBeUndefined();
        const local = localName(secret.data_wo);
        expect(secret.data_wo_revision).toBe(`\${(parseint(substr(sha256(jsonencode(local.${local})), 0, 12), 16) + 1)}`);
      }
    });
  });

  it("never writes a sensitive value into the synthesized JSON", () => {
    const text = JSON.stringify(defaults.json);
    for (const variable of ["db_password", "encryption_keys", "storage_secret"]) {
      expect(defaults.json.variable?.[variable]?.sensitive).toBe(true);
      expect(text).toContain(`var.${variable}`);
    }
  });
});
