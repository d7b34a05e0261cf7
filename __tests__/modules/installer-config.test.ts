import {
  buildInstallerConfig,
  installerConfigYaml,
  needsExperimentalConfig,
  type InstallerConfigInput,
} from "../../modules/gitpod/installer-config";
import type { GitpodContainerRegistry } from "../../modules/gitpod/dependencies";
import { unknownInstallerConfigFields } from "../../config/installer-fields";
import { parseYaml } from "../support/synth";

const base: InstallerConfigInput = {
  domain: "gitpod.acme.dev",
  repository: "eu.gcr.io/gitpod-core-dev/build",
  dropImageRepo: false,
  workspaceRuntime: {
    fsShiftMethod: "fuse",
    containerdRuntimeDir: "/var/lib/containerd/io.containerd.runtime.v2.task/k8s.io",
    containerdSocket: "/run/containerd/containerd.sock",
  },
  proxyServiceType: "LoadBalancer",
  proxyServiceAnnotations: {},
  objectStorage: { endpoint: "minio.gitpod.svc.cluster.local:9000", region: "local", allowInsecureConnection: true },
  containerRegistry: { kind: "in-cluster", keepVolumeOnUninstall: true },
  certificateSecret: "https-certificates",
  secrets: { database: "gitpod-database", objectStorage: "gitpod-object-storage", authProviders: [] },
};

const registries: Record<string, { registry: GitpodContainerRegistry; secret?: string }> = {
  "in-cluster": { registry: { kind: "in-cluster", keepVolumeOnUninstall: true } },
  "in-cluster-s3": {
    registry: { kind: "in-cluster-s3", bucket: "b", region: "eu-west-1", endpoint: "s3.eu-west-1.amazonaws.com", accessKeyId: "a", secretAccessKey: "s" },
    secret: "gitpod-registry-s3",
  },
  external: {
    registry: { kind: "external", url: "registry.acme.dev/gitpod", auth: { server: "registry.acme.dev", username: "u", password: "p" } },
    secret: "gitpod-registry-auth",
  },
};

describe("installer config (contract with config.go, tag 2022.11.3)", () => {
  const variants: [string, InstallerConfigInput][] = [
    ["minimal", base],
    [
      "everything set",
      {
        ...base,
        dropImageRepo: true,
        proxyServiceType: "ClusterIP",
        proxyServiceAnnotations: { "service.beta.kubernetes.io/aws-load-balancer-type": "nlb" },
        objectStorage: { endpoint: "s3.eu-west-1.amazonaws.com", region: "eu-west-1", bucket: "gitpod-data", allowInsecureConnection: false },
        containerRegistry: registries.external.registry,
        customCaSecret: "ca",
        secrets: { ...base.secrets, databaseCa: "gitpod-database-ca", containerRegistry: "gitpod-registry-auth", authProviders: ["a", "b"] },
      },
    ],
    ...Object.entries(registries).map(([kind, { registry, secret }]): [string, InstallerConfigInput] => [
      `registry ${kind}`,
      { ...base, containerRegistry: registry, secrets: { ...base.secrets, containerRegistry: secret } },
    ]),
  ];

  it.each(variants)("%s: uses only field names the installer knows", (_, input) => {
    const written = parseYaml(installerConfigYaml(buildInstallerConfig(input)));
    expect(unknownInstallerConfigFields(written)).toEqual([]);
  });

  it("the field check fails on a misspelt field (it can fail)", () => {
    expect(unknownInstallerConfigFields({ database: { inCluster: false, exernal: {} }, objectStorage: { cloud: {} } })).toEqual([
      "database.exernal",
      "objectStorage.cloud",
    ]);
  });

  it.each(variants)("%s: has every required top-level field", (_, input) => {
    const written = parseYaml(installerConfigYaml(buildInstallerConfig(input))) as Record<string, unknown>;
    // docs/gitpod-installer.md, "The config file": required top level.
    for (const field of ["apiVersion", "kind", "domain", "metadata", "repository", "database", "objectStorage", "containerRegistry", "certificate", "workspace"]) {
      expect(written).toHaveProperty(field);
    }
    expect(written).toMatchObject({ apiVersion: "v1", kind: "Full", metadata: { region: expect.any(String) } });
  });

  // docs/gitpod-installer.md: inCluster defaults to true and is checked first, so external use must say false.
  it("always sets inCluster: false for the database and object storage Gitpod is given", () => {
    const config = buildInstallerConfig(base);
    expect(config.database).toEqual({ inCluster: false, external: { certificate: { kind: "secret", name: "gitpod-database" } } });
    expect(config.objectStorage).toEqual({
      inCluster: false,
      s3: {
        endpoint: "minio.gitpod.svc.cluster.local:9000",
        credentials: { kind: "secret", name: "gitpod-object-storage" },
        allowInsecureConnection: true,
      },
    });
    expect(installerConfigYaml(config)).toContain("inCluster: false");
  });

  it("takes metadata.region from the object storage (the S3 region Gitpod signs for)", () => {
    expect(buildInstallerConfig(base).metadata).toEqual({ region: "local" });
    expect(buildInstallerConfig({ ...base, objectStorage: { ...base.objectStorage, region: "eu-west-1" } }).metadata).toEqual({ region: "eu-west-1" });
  });

  it("writes the bucket only for single-bucket mode", () => {
    expect(buildInstallerConfig(base).objectStorage.s3).not.toHaveProperty("bucket");
    expect(buildInstallerConfig({ ...base, objectStorage: { ...base.objectStorage, bucket: "gitpod" } }).objectStorage.s3.bucket).toBe("gitpod");
  });

  it("maps each registry kind to the installer's containerRegistry shape", () => {
    const registryOf = (name: string) =>
      buildInstallerConfig({ ...base, containerRegistry: registries[name].registry, secrets: { ...base.secrets, containerRegistry: registries[name].secret } })
        .containerRegistry;
    expect(registryOf("in-cluster")).toEqual({ inCluster: true, privateBaseImageAllowList: [] });
    // docs/gitpod-installer.md: s3storage needs all four fields.
    expect(registryOf("in-cluster-s3")).toEqual({
      inCluster: true,
      s3storage: { bucket: "b", region: "eu-west-1", endpoint: "s3.eu-west-1.amazonaws.com", certificate: { kind: "secret", name: "gitpod-registry-s3" } },
      privateBaseImageAllowList: [],
    });
    expect(registryOf("external")).toEqual({
      inCluster: false,
      external: { url: "registry.acme.dev/gitpod", certificate: { kind: "secret", name: "gitpod-registry-auth" } },
      privateBaseImageAllowList: [],
    });
    expect(() => buildInstallerConfig({ ...base, containerRegistry: registries.external.registry })).toThrow(/needs a credentials secret/);
  });

  it("sets the proxy service type and puts annotations in the experimental section only when given", () => {
    const plain = buildInstallerConfig({ ...base, proxyServiceType: "NodePort" });
    expect(plain.components).toEqual({ proxy: { service: { serviceType: "NodePort" } } });
    expect(plain).not.toHaveProperty("experimental");
    expect(needsExperimentalConfig(plain)).toBe(false);

    const annotated = buildInstallerConfig({ ...base, proxyServiceAnnotations: { a: "b" } });
    expect(annotated.experimental).toEqual({ webapp: { proxy: { serviceAnnotations: { a: "b" } } } });
    expect(needsExperimentalConfig(annotated)).toBe(true);
  });

  it("refers to the certificate, the custom CA, the database CA and each auth provider by secret", () => {
    const config = buildInstallerConfig({
      ...base,
      customCaSecret: "ca",
      secrets: { ...base.secrets, databaseCa: "db-ca", authProviders: ["gh", "gl"] },
    });
    expect(config.certificate).toEqual({ kind: "secret", name: "https-certificates" });
    expect(config.customCACert).toEqual({ kind: "secret", name: "ca" });
    expect(config.database.ssl).toEqual({ caCert: { kind: "secret", name: "db-ca" } });
    expect(config.authProviders).toEqual([
      { kind: "secret", name: "gh" },
      { kind: "secret", name: "gl" },
    ]);
  });
});
