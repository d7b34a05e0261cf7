/**
 * Props of a GitpodInstallation with literal values only (no references, no providers), for tests
 * that run what it generates through real engines (Terraform, the release script).
 */
import type { GitpodInstallationProps } from "../../modules/gitpod/gitpod-installation";

export function literalInstallationProps(overrides: Partial<GitpodInstallationProps> = {}): GitpodInstallationProps {
  return {
    namespace: "gitpod",
    namespaceName: "gitpod",
    installerNamespace: "gitpod-installer",
    installerNamespaceName: "gitpod-installer",
    namePrefix: "gitpod",
    domain: "gitpod.acme.dev",
    version: "2022.11.3",
    repository: "eu.gcr.io/gitpod-core-dev/build",
    installerImage: "eu.gcr.io/gitpod-core-dev/build/installer:release-2022.11.3",
    dropImageRepo: false,
    workspaceRuntime: { fsShiftMethod: "fuse", containerdRuntimeDir: "/run/k8s.io", containerdSocket: "/run/containerd.sock" },
    proxyServiceType: "LoadBalancer",
    proxyServiceAnnotations: {},
    database: { host: "db", port: 3306, username: "gitpod", password: "literal" },
    encryptionKeys: "[]",
    objectStorage: { endpoint: "minio:9000", region: "local", accessKeyId: "a", secretAccessKey: "b", allowInsecureConnection: true },
    containerRegistry: { kind: "in-cluster", keepVolumeOnUninstall: true },
    certificate: { secretName: "https-certificates" },
    installTimeoutSeconds: 1800,
    ...overrides,
  };
}
