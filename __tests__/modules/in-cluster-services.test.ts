import type { GitpodObjectStorage } from "../../modules/gitpod/dependencies";
import { InClusterMinioStorage } from "../../modules/in-cluster-minio/in-cluster-minio-storage";
import { InClusterMysqlDatabase, mysqlInitScript } from "../../modules/in-cluster-mysql/in-cluster-mysql-database";
import { moduleStack, onlyResource, resourcesOf, synthStack } from "../support/synth";

const placement = { namespace: "gitpod", storageSize: "20Gi", deletionProtection: true };

function mysql(overrides: Partial<ConstructorParameters<typeof InClusterMysqlDatabase>[2]> = {}) {
  const stack = moduleStack();
  const database = new InClusterMysqlDatabase(stack, "mysql", { ...placement, name: "gitpod-mysql", image: "mysql:5.7.44", ...overrides });
  return { database, json: synthStack(stack) };
}

function minio(overrides: Partial<ConstructorParameters<typeof InClusterMinioStorage>[2]> = {}) {
  const stack = moduleStack();
  const storage = new InClusterMinioStorage(stack, "minio", { ...placement, name: "gitpod-minio", image: "minio:x", ...overrides });
  return { storage, json: synthStack(stack) };
}

const container = (json: ReturnType<typeof synthStack>) => (onlyResource(json, "kubernetes_deployment_v1") as any).spec.template.spec.container[0];

describe("InClusterMysqlDatabase", () => {
  const { database, json } = mysql();

  // Reference, "Database requirements": explicit_defaults_for_timestamp must be OFF.
  it("runs MySQL with explicit_defaults_for_timestamp OFF", () => {
    expect(container(json).args).toEqual(["--explicit-defaults-for-timestamp=OFF"]);
    expect(container(json).image).toBe("mysql:5.7.44");
  });

  // Reference: the database name is fixed to `gitpod` and Gitpod's init job creates `gitpod-sessions`.
  it("creates Gitpod's databases in utf8mb4 and grants the user exactly those", () => {
    expect(mysqlInitScript("gitpod")).toBe(
      "CREATE DATABASE IF NOT EXISTS `gitpod` CHARACTER SET utf8mb4;\n" +
        "GRANT ALL PRIVILEGES ON `gitpod`.* TO 'gitpod'@'%';\n" +
        "CREATE DATABASE IF NOT EXISTS `gitpod-sessions` CHARACTER SET utf8mb4;\n" +
        "GRANT ALL PRIVILEGES ON `gitpod-sessions`.* TO 'gitpod'@'%';\n",
    );
    const init = onlyResource(json, "kubernetes_config_map_v1") as any;
    expect(init.data).toEqual({ "gitpod.sql": mysqlInitScript("gitpod") });
    expect(container(json).volume_mount).toContainEqual({ name: "config-0", mount_path: "/docker-entrypoint-initdb.d", read_only: true });
    const volumes = (onlyResource(json, "kubernetes_deployment_v1") as any).spec.template.spec.volume;
    expect(volumes).toContainEqual({ name: "config-0", config_map: { name: expect.stringContaining("kubernetes_config_map_v1.") } });
  });

  it("generates both passwords at apply time and passes them only through a secret", () => {
    const passwords = Object.values(resourcesOf(json, "random_password"));
    expect(passwords).toHaveLength(2);
    passwords.forEach((p) => expect(p).toMatchObject({ length: 32, special: false }));
    const env = container(json).env;
    expect(env).toEqual([
      { name: "MYSQL_ROOT_PASSWORD", value_from: { secret_key_ref: { name: expect.stringContaining("kubernetes_secret_v1."), key: "root-password" } } },
      { name: "MYSQL_USER", value: "gitpod" },
      { name: "MYSQL_PASSWORD", value_from: { secret_key_ref: { name: expect.stringContaining("kubernetes_secret_v1."), key: "password" } } },
    ]);
    expect(database.password).toMatch(/^\$\{TfToken\[TOKEN\.\d+\]\}$/);
  });

  it("tells Gitpod where to connect", () => {
    expect(database.port).toBe(3306);
    expect(database.username).toBe("gitpod");
    expect(database.host).toMatch(/^\$\{TfToken\[TOKEN\.\d+\]\}\.gitpod\.svc\.cluster\.local$/);
    const service = onlyResource(json, "kubernetes_service_v1") as any;
    expect(service.spec.port).toEqual([{ name: "server", port: 3306, target_port: "3306" }]);
  });
});

describe("InClusterMinioStorage", () => {
  const { storage, json } = minio();

  it("serves S3 on 9000 with generated root credentials from a secret, console off", () => {
    expect(container(json).args).toEqual(["server", "/data", "--address", ":9000"]);
    expect(container(json).env).toEqual([
      { name: "MINIO_ROOT_USER", value_from: { secret_key_ref: { name: expect.any(String), key: "root-user" } } },
      { name: "MINIO_ROOT_PASSWORD", value_from: { secret_key_ref: { name: expect.any(String), key: "root-password" } } },
      { name: "MINIO_BROWSER", value: "off" },
    ]);
    expect(onlyResource(json, "random_password")).toMatchObject({ length: 40, special: false });
  });

  // Reference: metadata.region is "local" for in-cluster MinIO; endpoint is a host, not a URL.
  it("gives Gitpod a plain-HTTP endpoint host:port in region local, without a bucket (one per user)", () => {
    expect(storage.endpoint).toMatch(/^\$\{TfToken\[TOKEN\.\d+\]\}\.gitpod\.svc\.cluster\.local:9000$/);
    expect(storage.region).toBe("local");
    expect(storage.allowInsecureConnection).toBe(true);
    expect((storage as GitpodObjectStorage).bucket).toBeUndefined();
    expect(storage.accessKeyId).toBe("gitpod");
  });
});

describe.each([
  ["MySQL", () => mysql().json, "/var/lib/mysql"],
  ["MinIO", () => minio().json, "/data"],
])("%s data volume", (_, synth, mountPath) => {
  const json = synth();

  it("is a claim of its own, protected from destroy and replacement", () => {
    const claim = onlyResource(json, "kubernetes_persistent_volume_claim_v1") as any;
    expect(claim.lifecycle).toEqual({ prevent_destroy: true });
    expect(claim.spec).toEqual({ access_modes: ["ReadWriteOnce"], resources: { requests: { storage: "20Gi" } } });
    // WaitForFirstConsumer storage classes bind only when the pod starts.
    expect(claim.wait_until_bound).toBe(false);
  });

  it("is mounted by a single Recreate replica, in a sub-directory (no lost+found in the data dir)", () => {
    const deployment = onlyResource(json, "kubernetes_deployment_v1") as any;
    expect(deployment.spec.replicas).toBe("1");
    expect(deployment.spec.strategy).toEqual({ type: "Recreate" });
    expect(container(json).volume_mount[0]).toEqual({ name: "data", mount_path: mountPath, sub_path: "data" });
    expect(deployment.spec.template.spec.volume[0]).toEqual({
      name: "data",
      persistent_volume_claim: { claim_name: expect.stringContaining("kubernetes_persistent_volume_claim_v1.") },
    });
  });
});

describe("deletion protection", () => {
  it("can be turned off, and a storage class chosen", () => {
    const claim = onlyResource(mysql({ deletionProtection: false, storageClass: "gp3" }).json, "kubernetes_persistent_volume_claim_v1") as any;
    expect(claim.lifecycle).toEqual({ prevent_destroy: false });
    expect(claim.spec.storage_class_name).toBe("gp3");
  });
});
