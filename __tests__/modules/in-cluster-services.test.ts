import type { GitpodObjectStorage } from "../../modules/gitpod/dependencies";
import { InClusterMinioStorage } from "../../modules/in-cluster-minio/in-cluster-minio-storage";
import { InClusterMysqlDatabase, mysqlInitScript, mysqlPasswordsScript } from "../../modules/in-cluster-mysql/in-cluster-mysql-database";
import type { PersistentServer } from "../../modules/persistent-server/persistent-server";
import { helmLintStrict, helmTemplate, writeChart } from "../support/helm-chart";
import { validateAgainstSchema } from "../support/kubernetes-schemas";
import { moduleStack, onlyResource, resourcesOf, synthStack } from "../support/synth";
import { describeWithTools, helmTool } from "../support/tools";

const placement = { namespace: "gitpod", storageSize: "20Gi", deletionProtection: true };

function mysql(overrides: Partial<ConstructorParameters<typeof InClusterMysqlDatabase>[2]> = {}) {
  const stack = moduleStack();
  const database = new InClusterMysqlDatabase(stack, "mysql", { ...placement, name: "gitpod-mysql", image: "mysql:5.7.44", ...overrides });
  return { database, server: database.server, json: synthStack(stack) };
}

function minio(overrides: Partial<ConstructorParameters<typeof InClusterMinioStorage>[2]> = {}) {
  const stack = moduleStack();
  const storage = new InClusterMinioStorage(stack, "minio", { ...placement, name: "gitpod-minio", image: "minio:x", ...overrides });
  return { storage, server: storage.server, json: synthStack(stack) };
}

const deploymentOf = (server: PersistentServer) => server.manifests[0] as any;
const containerOf = (server: PersistentServer) => deploymentOf(server).spec.template.spec.containers[0];

describe("InClusterMysqlDatabase", () => {
  const { database, server, json } = mysql();

  // docs/gitpod-installer.md, "Database": explicit_defaults_for_timestamp must be OFF.
  it("runs MySQL with explicit_defaults_for_timestamp OFF", () => {
    expect(containerOf(server).args).toContain("--explicit-defaults-for-timestamp=OFF");
    expect(containerOf(server).image).toBe("mysql:5.7.44");
  });

  // docs/gitpod-installer.md: the database name is fixed to `gitpod` and Gitpod's init job creates `gitpod-sessions`.
  it("creates Gitpod's databases in utf8mb4 and grants the user exactly those", () => {
    expect(mysqlInitScript("gitpod")).toBe(
      "CREATE DATABASE IF NOT EXISTS `gitpod` CHARACTER SET utf8mb4;\n" +
        "GRANT ALL PRIVILEGES ON `gitpod`.* TO 'gitpod'@'%';\n" +
        "CREATE DATABASE IF NOT EXISTS `gitpod-sessions` CHARACTER SET utf8mb4;\n" +
        "GRANT ALL PRIVILEGES ON `gitpod-sessions`.* TO 'gitpod'@'%';\n",
    );
    const init = onlyResource(json, "kubernetes_config_map_v1") as any;
    expect(init.metadata.name).toBe("gitpod-mysql-init");
    expect(init.data).toEqual({ "gitpod.sql": mysqlInitScript("gitpod") });
    expect(containerOf(server).volumeMounts).toContainEqual({ name: "config-0", mountPath: "/docker-entrypoint-initdb.d", readOnly: true });
    expect(deploymentOf(server).spec.template.spec.volumes).toContainEqual({ name: "config-0", configMap: { name: "gitpod-mysql-init" } });
  });

  it("generates both passwords at apply time and passes them only through a secret", () => {
    const passwords = Object.values(resourcesOf(json, "random_password"));
    expect(passwords).toHaveLength(2);
    passwords.forEach((p) => expect(p).toMatchObject({ length: 32, special: false }));
    const secret = onlyResource(json, "kubernetes_secret_v1") as any;
    expect(secret.metadata.name).toBe("gitpod-mysql-credentials");
    expect(Object.keys(secret.data).sort()).toEqual(["password", "passwords.sql", "root-password"]);
    expect(containerOf(server).env).toEqual([
      { name: "MYSQL_ROOT_PASSWORD", valueFrom: { secretKeyRef: { name: "gitpod-mysql-credentials", key: "root-password" } } },
      { name: "MYSQL_USER", value: "gitpod" },
      { name: "MYSQL_PASSWORD", valueFrom: { secretKeyRef: { name: "gitpod-mysql-credentials", key: "password" } } },
    ]);
    expect(database.password).toMatch(/^\$\{TfToken\[TOKEN\.\d+\]\}$/);
  });

  // The image reads MYSQL_ROOT_PASSWORD/MYSQL_PASSWORD only when it initialises an empty data
  // directory; a restart alone would leave an existing database on the old passwords.
  it("sets the passwords from the secret at every start (--init-file), so new ones reach an existing database", () => {
    const secret = onlyResource(json, "kubernetes_secret_v1") as any;
    const passwords = Object.keys(resourcesOf(json, "random_password"));
    const [root, user] = ["root-password", "user-password"].map((id) => passwords.find((name) => name.includes(id)));
    expect(secret.data["passwords.sql"]).toBe(mysqlPasswordsScript("gitpod", `\${random_password.${root}.result}`, `\${random_password.${user}.result}`));
    expect(mysqlPasswordsScript("gitpod", "Root1", "User2")).toBe(
      "ALTER USER IF EXISTS 'root'@'%' IDENTIFIED BY 'Root1';\nALTER USER IF EXISTS 'gitpod'@'%' IDENTIFIED BY 'User2';\n",
    );
    expect(containerOf(server).args).toEqual(["--explicit-defaults-for-timestamp=OFF", "--init-file=/etc/gitpod-cdktf/mysql/passwords.sql"]);
    expect(containerOf(server).volumeMounts).toContainEqual({ name: "credentials", mountPath: "/etc/gitpod-cdktf/mysql", readOnly: true });
    // Readable by the mysql user the image switches to; only that one key.
    expect(deploymentOf(server).spec.template.spec.volumes).toContainEqual({
      name: "credentials",
      secret: { secretName: "gitpod-mysql-credentials", items: [{ key: "passwords.sql", path: "passwords.sql" }], defaultMode: 0o444 },
    });
  });

  it("tells Gitpod where to connect", () => {
    expect(database.port).toBe(3306);
    expect(database.username).toBe("gitpod");
    expect(database.host).toBe("gitpod-mysql.gitpod.svc.cluster.local");
    expect((server.manifests[1] as any).spec.ports).toEqual([{ name: "server", port: 3306, targetPort: "server" }]);
  });

  it("installs the server only once its secret and init scripts exist", () => {
    const release = onlyResource(json, "helm_release") as any;
    expect(release.depends_on).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^kubernetes_persistent_volume_claim_v1\./),
        expect.stringMatching(/^kubernetes_secret_v1\./),
        expect.stringMatching(/^kubernetes_config_map_v1\./),
      ]),
    );
  });
});

describe("InClusterMinioStorage", () => {
  const { storage, server, json } = minio();

  it("serves S3 on 9000 with generated root credentials from a secret, console off", () => {
    expect(containerOf(server).args).toEqual(["server", "/data", "--address", ":9000"]);
    expect(containerOf(server).env).toEqual([
      { name: "MINIO_ROOT_USER", valueFrom: { secretKeyRef: { name: "gitpod-minio-credentials", key: "root-user" } } },
      { name: "MINIO_ROOT_PASSWORD", valueFrom: { secretKeyRef: { name: "gitpod-minio-credentials", key: "root-password" } } },
      { name: "MINIO_BROWSER", value: "off" },
    ]);
    expect(containerOf(server).readinessProbe).toMatchObject({ httpGet: { path: "/minio/health/ready", port: 9000 } });
    expect(onlyResource(json, "random_password")).toMatchObject({ length: 40, special: false });
  });

  // docs/gitpod-installer.md: metadata.region is "local" for in-cluster MinIO; endpoint is a host, not a URL.
  it("gives Gitpod a plain-HTTP endpoint host:port in region local, without a bucket (one per user)", () => {
    expect(storage.endpoint).toBe("gitpod-minio.gitpod.svc.cluster.local:9000");
    expect(storage.region).toBe("local");
    expect(storage.allowInsecureConnection).toBe(true);
    expect((storage as GitpodObjectStorage).bucket).toBeUndefined();
    expect(storage.accessKeyId).toBe("gitpod");
  });
});

describe.each([
  ["MySQL", () => mysql(), "/var/lib/mysql"],
  ["MinIO", () => minio(), "/data"],
])("%s", (_, build, mountPath) => {
  const { server, json } = build();

  it("keeps its data on a claim of its own, protected from destroy and replacement", () => {
    const claim = onlyResource(json, "kubernetes_persistent_volume_claim_v1") as any;
    expect(claim.lifecycle).toEqual({ prevent_destroy: true });
    expect(claim.spec).toEqual({ access_modes: ["ReadWriteOnce"], resources: { requests: { storage: "20Gi" } } });
    // WaitForFirstConsumer storage classes bind only when the pod starts.
    expect(claim.wait_until_bound).toBe(false);
  });

  it("runs as a single Recreate replica mounting the claim in a sub-directory (no lost+found in the data dir)", () => {
    const deployment = deploymentOf(server);
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy).toEqual({ type: "Recreate" });
    expect(containerOf(server).volumeMounts[0]).toEqual({ name: "data", mountPath, subPath: "data" });
    expect(deployment.spec.template.spec.volumes[0]).toEqual({ name: "data", persistentVolumeClaim: { claimName: expect.stringMatching(/-data$/) } });
    expect(deployment.spec.template.spec.nodeSelector).toBeUndefined();
  });

  it("writes a Deployment and a Service that are valid against their schemas", () => {
    expect(server.manifests.map((m) => m.kind)).toEqual(["Deployment", "Service"]);
    server.manifests.forEach((manifest) => validateAgainstSchema(manifest as unknown as Record<string, unknown>));
  });

  it("installs them as a Helm release that waits until the server is ready, outside the volume's lifecycle", () => {
    const release = onlyResource(json, "helm_release") as any;
    expect(release).toMatchObject({ namespace: "gitpod", wait: true, atomic: true, chart: server.workload.chart.chartPath });
    expect(server.workload.chart.files["Chart.yaml"]).toContain(`name: ${deploymentOf(server).metadata.name}`);
  });

  it("feeds the release a sensitive checksum of its credentials Secret's data, and waits for the Secret", () => {
    const release = onlyResource(json, "helm_release") as any;
    const secret = Object.keys(resourcesOf(json, "kubernetes_secret_v1"));
    expect(secret).toHaveLength(1);
    expect(release.set_sensitive).toEqual([
      { name: "checksums.credentials", value: `\${sha256(jsonencode(kubernetes_secret_v1.${secret[0]}.data))}`, type: "string" },
    ]);
    expect(release.values).toBeUndefined();
    expect(release.depends_on).toContain(`kubernetes_secret_v1.${secret[0]}`);
  });

  it("templates only that checksum, into the Deployment's pod template", () => {
    const files = server.workload.chart.files;
    expect(Object.keys(files).sort()).toEqual(["Chart.yaml", expect.stringMatching(/^templates\/00-deployment-/), expect.stringMatching(/^templates\/01-service-/), "values.yaml"]);
    const templated = Object.entries(files).filter(([, text]) => text.includes("{{"));
    expect(templated.map(([name]) => name)).toEqual([expect.stringMatching(/^templates\/00-deployment-/)]);
    expect(templated[0][1].match(/\{\{.*\}\}/g)).toEqual(["{{ .Values.checksums.credentials | quote }}"]);
  });
});

describeWithTools("the in-cluster servers' charts, rendered by real Helm", [helmTool()], () => {
  describe.each([
    ["MySQL", () => mysql()],
    ["MinIO", () => minio()],
  ])("%s", (_, build) => {
    const { server } = build();
    const dir = writeChart(server.workload.chart.files);

    it("passes helm lint --strict", () => {
      expect(helmLintStrict(dir)).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
    });

    it("rolls the Deployment when the credentials checksum changes, and changes nothing else", () => {
      // As the helm provider passes set_sensitive values of type "string".
      const before = helmTemplate(dir, { "checksums.credentials": "1f0e".repeat(16) });
      const after = helmTemplate(dir, { "checksums.credentials": "9a8b".repeat(16) });
      const podAnnotations = (objects: Record<string, any>[]) => objects.find((o) => o.kind === "Deployment")!.spec.template.metadata.annotations;
      expect(podAnnotations(before)).toEqual({ "checksum/credentials": "1f0e".repeat(16) });
      expect(podAnnotations(after)).toEqual({ "checksum/credentials": "9a8b".repeat(16) });
      const withoutAnnotations = (objects: Record<string, any>[]) =>
        objects.map((o) => (o.kind === "Deployment" ? { ...o, spec: { ...o.spec, template: { ...o.spec.template, metadata: { labels: o.spec.template.metadata.labels } } } } : o));
      expect(withoutAnnotations(before)).toEqual(withoutAnnotations(after));
      // Apart from the annotation, helm installs exactly the manifests.
      const byKind = (objects: unknown[]) => [...objects].sort((a: any, b: any) => a.kind.localeCompare(b.kind));
      expect(byKind(withoutAnnotations(before))).toEqual(byKind(JSON.parse(JSON.stringify(server.manifests))));
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
