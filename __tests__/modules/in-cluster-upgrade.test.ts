/**
 * Upgrading an existing installation to the hardened in-cluster servers (non-root, read-only root
 * filesystem, files instead of environment variables, NetworkPolicy) must keep their volumes:
 * Terraform replaces a kubernetes_persistent_volume_claim_v1 when its address or its spec changes,
 * and the claim holds the only copy of the data. These are the claims exactly as the release
 * before the hardening synthesized them for the default configuration (everything in the
 * cluster); only the Helm releases beside them change.
 */
import { config, resourcesOf, synthApp } from "../support/synth";

const NAMESPACE = "${data.terraform_remote_state.cross-stack-reference-input-gitpod-cluster-prerequisites.outputs.cross-stack-output-kubernetes_namespace_v1gitpod-namespacemetadata0name}";

/** As synthesized before the hardening (cdktf.out of the previous release, default configuration). */
const CLAIMS_BEFORE = {
  mysql_server_data_C2A7B6DB: {
    "//": { metadata: { path: "gitpod-in-cluster-services/mysql/server/data", uniqueId: "mysql_server_data_C2A7B6DB" } },
    lifecycle: { prevent_destroy: true },
    metadata: {
      labels: { "app.kubernetes.io/component": "database", "app.kubernetes.io/instance": "gitpod-mysql", "app.kubernetes.io/name": "gitpod-mysql" },
      name: "gitpod-mysql-data",
      namespace: NAMESPACE,
    },
    spec: { access_modes: ["ReadWriteOnce"], resources: { requests: { storage: "20Gi" } } },
    wait_until_bound: false,
  },
  minio_server_data_DCF8BB80: {
    "//": { metadata: { path: "gitpod-in-cluster-services/minio/server/data", uniqueId: "minio_server_data_DCF8BB80" } },
    lifecycle: { prevent_destroy: true },
    metadata: {
      labels: { "app.kubernetes.io/component": "object-storage", "app.kubernetes.io/instance": "gitpod-minio", "app.kubernetes.io/name": "gitpod-minio" },
      name: "gitpod-minio-data",
      namespace: NAMESPACE,
    },
    spec: { access_modes: ["ReadWriteOnce"], resources: { requests: { storage: "50Gi" } } },
    wait_until_bound: false,
  },
};

describe("upgrading to the hardened in-cluster servers", () => {
  const services = synthApp(config()).stack("gitpod-in-cluster-services");

  it("keeps each volume claim at its address with the same configuration: nothing for Terraform to replace", () => {
    expect(resourcesOf(services, "kubernetes_persistent_volume_claim_v1")).toEqual(CLAIMS_BEFORE);
  });

  it("keeps the passwords, whose replacement would rotate every credential", () => {
    expect(Object.keys(resourcesOf(services, "random_password")).sort()).toEqual(["minio_root-password_0883C601", "mysql_root-password_C671C28D", "mysql_user-password_F7532F6D"]);
  });

  it("changes only the releases beside the claims, which never depend on replacing them", () => {
    const releases = resourcesOf(services, "helm_release");
    for (const [name, claim] of [
      ["gitpod-mysql", "mysql_server_data_C2A7B6DB"],
      ["gitpod-minio", "minio_server_data_DCF8BB80"],
    ]) {
      const release = Object.values(releases).find((r) => r.name === name) as Record<string, unknown>;
      expect(release.depends_on).toContain(`kubernetes_persistent_volume_claim_v1.${claim}`);
      expect(release).not.toHaveProperty("lifecycle.replace_triggered_by");
    }
    for (const claim of Object.values(resourcesOf(services, "kubernetes_persistent_volume_claim_v1"))) {
      expect(claim).not.toHaveProperty("depends_on");
      expect(claim).not.toHaveProperty("lifecycle.replace_triggered_by");
    }
  });
});
