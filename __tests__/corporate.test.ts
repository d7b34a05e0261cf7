/**
 * What a Gitpod admin in production sets beyond the dependencies (sign-ups, license, SSH gateway,
 * Open VSX, a private CA, a mirror with a login, installer config overrides), checked where Gitpod
 * reads it: the installer config with config.go's exact field names, the secrets with the keys the
 * installer expects (docs/gitpod-installer.md, "Secret formats" and "Options a Gitpod admin had").
 */
import { installerConfigProblems, unknownInstallerConfigFields } from "../config/installer-fields";
import { validateConfig } from "../config/load";
import { ConfigError } from "../config/errors";
import { CORPORATE } from "./support/config-variants";
import { chartObjectsByRelease, config, onlyResource, parseYaml, resourcesOf, secretData, synthApp, type SynthesizedApp, type TerraformJson } from "./support/synth";

const PEM = "-----BEGIN CERTIFICATE-----\nMIIBexample\n-----END CERTIFICATE-----\n";

function installerConfigOf(release: TerraformJson): Record<string, any> {
  const inputs = onlyResource(release, "kubernetes_config_map_v1") as { data: Record<string, string> };
  return parseYaml(inputs.data["gitpod.config.yaml"]) as Record<string, any>;
}

function secretsOf(stack: TerraformJson): Record<string, { namespace: string; type?: string; data: Record<string, string> }> {
  return Object.fromEntries(
    Object.values(resourcesOf(stack, "kubernetes_secret_v1")).map((s: any) => [`${s.metadata.namespace}/${s.metadata.name}`, { namespace: s.metadata.namespace, type: s.type, data: secretData(stack, s) }]),
  );
}

function applyJob(app: SynthesizedApp): Record<string, any> {
  const objects = chartObjectsByRelease(app, "gitpod-release")["gitpod-installer"] as Record<string, any>[];
  return objects.find((o) => o.kind === "Job" && o.metadata.annotations["helm.sh/hook"].includes("post-install"))!;
}

const envOf = (job: Record<string, any>) => Object.fromEntries((job.spec.template.spec.containers[0].env as { name: string; value?: string }[]).map((e) => [e.name, e.value]));

describe("a corporate installation: issuer with a private CA, mirror with a login, sign-ups limited, overrides", () => {
  const app = synthApp(config(CORPORATE));
  const release = app.stack("gitpod-release");
  const cluster = app.stack("gitpod-cluster-prerequisites");
  const installerConfig = installerConfigOf(release);
  const releaseSecrets = secretsOf(release);

  it("writes a config the installer accepts: only config.go's fields, each of its type", () => {
    expect(unknownInstallerConfigFields(installerConfig)).toEqual([]);
    expect(installerConfigProblems(installerConfig, { managed: [], secretValued: [] })).toEqual([]);
  });

  it('"blockNewUsers": enabled with the passlist of e-mail domains', () => {
    expect(installerConfig.blockNewUsers).toEqual({ enabled: true, passlist: ["acme.dev"] });
  });

  it('"license": a secret with the keys license (from TF_VAR_gitpod_license) and type gitpod', () => {
    expect(installerConfig.license).toEqual({ kind: "secret", name: "gitpod-license" });
    const license = Object.entries(releaseSecrets).find(([key]) => key.endsWith("/gitpod-license"))![1];
    expect(license.data).toEqual({ license: "${var.gitpod_license}", type: "gitpod" });
    expect(release.variable?.gitpod_license).toMatchObject({ sensitive: true, type: "string" });
    // Only the release, which writes the secret, has the variable.
    for (const id of app.stackIds.filter((id) => id !== "gitpod-release")) expect(app.stack(id).variable?.gitpod_license).toBeUndefined();
  });

  it('"sshGatewayHostKey": a secret the release script makes in the cluster, never a Terraform resource', () => {
    expect(installerConfig.sshGatewayHostKey).toEqual({ kind: "secret", name: "gitpod-ssh-gateway-host-key" });
    expect(envOf(applyJob(app)).SSH_GATEWAY_HOST_KEY_SECRET).toBe("gitpod-ssh-gateway-host-key");
    // A new key (the secret deleted to rotate it) restarts ws-proxy, which reads it at start.
    expect(envOf(applyJob(app)).WATCHED_SECRETS?.split(" ")).toContain("gitpod-ssh-gateway-host-key");
    expect(Object.keys(releaseSecrets).filter((key) => key.includes("ssh"))).toEqual([]);
    // No key material anywhere (the release script names the PEM header only to check what it made).
    for (const text of Object.values(app.files())) expect(text).not.toMatch(/PRIVATE KEY-----(\\n|\n)[A-Za-z0-9+/]{20}|tls_private_key/);
  });

  it('"openVSX.url" and "customCACert": the Open VSX URL, and the private CA in a ca.crt secret', () => {
    expect(installerConfig.openVSX).toEqual({ url: "https://open-vsx.acme.dev" });
    expect(installerConfig.customCACert).toEqual({ kind: "secret", name: "gitpod-custom-ca" });
    const ca = Object.entries(releaseSecrets).find(([key]) => key.endsWith("/gitpod-custom-ca"))![1];
    expect(ca.data).toEqual({ "ca.crt": PEM });
    // A changed CA rolls the pods that read it.
    expect(envOf(applyJob(app)).WATCHED_SECRETS?.split(" ")).toEqual(expect.arrayContaining(["gitpod-custom-ca", "gitpod-license"]));
    expect(envOf(applyJob(app)).CUSTOM_CA_BUNDLE_SECRET).toBeUndefined();
  });

  it("the overrides are merged: workspace lifetime, timeout and resources, the private base image allow list; the generated fields stay", () => {
    expect(installerConfig.workspace).toEqual({
      runtime: { fsShiftMethod: "fuse", containerdRuntimeDir: "/var/lib/containerd/io.containerd.runtime.v2.task/k8s.io", containerdSocket: "/run/containerd/containerd.sock" },
      maxLifetime: "12h",
      timeoutDefault: "60m",
      resources: { requests: { cpu: "2", memory: "4Gi" } },
    });
    expect(installerConfig.containerRegistry).toEqual({ inCluster: true, privateBaseImageAllowList: ["harbor.acme.dev"] });
  });

  it('"imagePullSecrets": Gitpod and its installer pull with the mirror\'s login; Gitpod\'s images come from the mirror', () => {
    expect(installerConfig.imagePullSecrets).toEqual([{ kind: "secret", name: "gitpod-mirror-pull" }]);
    expect(installerConfig.repository).toBe("harbor.acme.dev/mirror/gitpod-core-dev/build");
    const job = applyJob(app);
    expect(job.spec.template.spec.imagePullSecrets).toEqual([{ name: "gitpod-mirror-pull" }]);
    expect(job.spec.template.spec.containers[0].image).toBe("harbor.acme.dev/mirror/gitpod-core-dev/build/installer:release-2022.11.3");
  });

  it("the mirror's pull secret: one per namespace that pulls, written write-only from TF_VAR_mirror_password in the cluster prerequisites only", () => {
    const pullSecrets = Object.values(resourcesOf(cluster, "kubernetes_secret_v1")) as any[];
    expect(pullSecrets.map((s) => s.metadata.namespace).sort()).toEqual([
      "${kubernetes_namespace_v1.cert-manager-namespace.metadata[0].name}",
      "${kubernetes_namespace_v1.gitpod-namespace.metadata[0].name}",
      "${kubernetes_namespace_v1.installer-namespace.metadata[0].name}",
    ]);
    for (const secret of pullSecrets) {
      expect(secret).toMatchObject({ type: "kubernetes.io/dockerconfigjson", metadata: { name: "gitpod-mirror-pull" } });
      expect(secret.data).toBeUndefined();
      expect(secretData(cluster, secret)[".dockerconfigjson"]).toContain('"harbor.acme.dev" = {"username" = "robot$gitpod", "password" = var.mirror_password');
    }
    expect(cluster.variable?.mirror_password).toMatchObject({ sensitive: true });
    expect(release.variable?.mirror_password).toBeUndefined();
  });

  it("cert-manager: its namespace and pull secret first, then the chart from the mirror's repository with every image from the mirror", () => {
    const [certManager] = Object.values(resourcesOf(cluster, "helm_release")) as any[];
    expect(certManager).toMatchObject({ repository: "https://harbor.acme.dev/chartrepo/mirror", create_namespace: false });
    expect(certManager.depends_on).toEqual([expect.stringMatching(/^kubernetes_secret_v1\.mirror-pull-secret_cert-manager_/)]);
    const values = parseYaml(certManager.values[0]) as Record<string, any>;
    expect(values.global).toEqual({ imagePullSecrets: [{ name: "gitpod-mirror-pull" }] });
    const repositories = [values.image, values.webhook.image, values.cainjector.image, values.acmesolver.image, values.startupapicheck.image].map((image) => image.repository);
    expect(repositories).toEqual(["controller", "webhook", "cainjector", "acmesolver", "startupapicheck"].map((c) => `harbor.acme.dev/mirror/jetstack/cert-manager-${c}`));
  });
});

describe("the self-signed CA with a private CA too", () => {
  const app = synthApp(config({ tls: { type: "self-signed", caCertificate: PEM } }));
  const installerConfig = installerConfigOf(app.stack("gitpod-release"));

  it("Gitpod trusts a bundle of both, which the release script assembles once the self-signed CA exists", () => {
    expect(installerConfig.customCACert).toEqual({ kind: "secret", name: "gitpod-ca-bundle" });
    const env = envOf(applyJob(app));
    expect(env.CUSTOM_CA_BUNDLE_SECRET).toBe("gitpod-ca-bundle");
    expect(env.CUSTOM_CA_BUNDLE_SOURCES).toBe("gitpod-self-signed-ca gitpod-custom-ca");
    expect(env.WATCHED_SECRETS?.split(" ")).toContain("gitpod-ca-bundle");
  });

  it("without a private CA, the self-signed CA alone, as before", () => {
    const plain = synthApp(config());
    expect(installerConfigOf(plain.stack("gitpod-release")).customCACert).toEqual({ kind: "secret", name: "gitpod-self-signed-ca" });
    expect(envOf(applyJob(plain)).CUSTOM_CA_BUNDLE_SECRET).toBeUndefined();
  });
});

describe("an override of the experimental config", () => {
  it("renders with --use-experimental-config, as the installer needs for it", () => {
    const app = synthApp(config({ gitpod: { installerConfig: { experimental: { webapp: { proxy: { staticIP: "203.0.113.7" } } } } } }));
    expect(installerConfigOf(app.stack("gitpod-release")).experimental).toEqual({ webapp: { proxy: { staticIP: "203.0.113.7" } } });
    expect(envOf(applyJob(app)).USE_EXPERIMENTAL_CONFIG).toBe("true");
    expect(envOf(applyJob(synthApp(config()))).USE_EXPERIMENTAL_CONFIG).toBe("false");
  });
});

describe("settings left at their defaults change nothing in Gitpod's config", () => {
  it("writes no blockNewUsers, license, sshGatewayHostKey, openVSX, imagePullSecrets or customCACert of its own", () => {
    const installerConfig = installerConfigOf(synthApp(config({ tls: { type: "issuer", issuerRef: { name: "letsencrypt" } } })).stack("gitpod-release"));
    for (const field of ["blockNewUsers", "license", "sshGatewayHostKey", "openVSX", "imagePullSecrets", "customCACert"]) expect(installerConfig).not.toHaveProperty(field);
  });
});

describe("gitpod.installerConfig refuses what the installer or this project would not take", () => {
  const problems = (installerConfig: unknown, gitpod: Record<string, unknown> = {}) => {
    try {
      validateConfig({ domain: "gitpod.acme.dev", gitpod: { ...gitpod, installerConfig } }, "test config");
      return [];
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
  };

  it("a misspelt key, naming it and the field meant", () => {
    expect(problems({ workspace: { maxLifetme: "12h" } })).toEqual([expect.stringMatching(/^gitpod\.installerConfig\.workspace\.maxLifetme: is not a field of Gitpod's installer config .*"maxLifetime"/)]);
  });

  it("a field this project sets, naming the setting to use", () => {
    expect(problems({ database: { inCluster: true } })).toEqual([expect.stringMatching(/^gitpod\.installerConfig\.database: is set by this project from database; set that instead/)]);
    expect(problems({ blockNewUsers: { enabled: false } })).toEqual([expect.stringMatching(/^gitpod\.installerConfig\.blockNewUsers: .*gitpod\.blockNewUsers/)]);
    expect(problems({ openVSX: { url: "https://x.acme.dev" } })).toEqual([expect.stringMatching(/^gitpod\.installerConfig\.openVSX\.url: .*gitpod\.openVsx\.url/)]);
    expect(problems({ customCACert: { kind: "secret", name: "x" } })).toEqual([expect.stringMatching(/tls\.caCertificateFile/)]);
  });

  it("a value of the wrong type, without echoing it", () => {
    const [problem] = problems({ workspace: { maxLifetime: 36 } });
    expect(problem).toMatch(/^gitpod\.installerConfig\.workspace\.maxLifetime: .*duration/);
    expect(problems({ experimental: { webapp: { server: { session: { secret: "hunter2-very-secret" } } } } }).join("\n")).not.toContain("hunter2");
  });

  it("gitpod.blockNewUsers: enabled needs a passlist of domains", () => {
    expect(problems({}, { blockNewUsers: { enabled: true } })).toEqual([expect.stringMatching(/^gitpod\.blockNewUsers\.passlist: needs at least one e-mail domain/)]);
    expect(problems({}, { blockNewUsers: { enabled: true, passlist: ["user@acme.dev"] } })).toEqual([expect.stringMatching(/^gitpod\.blockNewUsers\.passlist\[0\]: must be an e-mail domain/)]);
  });
});
