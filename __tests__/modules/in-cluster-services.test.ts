import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import type { GitpodObjectStorage } from "../../modules/gitpod/dependencies";
import { InClusterMinioStorage } from "../../modules/in-cluster-minio/in-cluster-minio-storage";
import { InClusterMysqlDatabase, mysqlInitScript, mysqlPasswordsScript } from "../../modules/in-cluster-mysql/in-cluster-mysql-database";
import { PersistentServer } from "../../modules/persistent-server/persistent-server";
import { helmLintStrict, helmTemplate, writeChart } from "../support/helm-chart";
import { validateAgainstSchema } from "../support/kubernetes-schemas";
import { restrictedViolations } from "../support/pod-security";
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
const podOf = (server: PersistentServer) => deploymentOf(server).spec.template.spec;
const containerOf = (server: PersistentServer) => podOf(server).containers[0];
const networkPolicyOf = (server: PersistentServer) => server.manifests[2] as any;
/** The files a container reads through `<VAR>_FILE` variables, as `mountPath/key` of its mounted Secret. */
function mountedCredentialFiles(server: PersistentServer): string[] {
  const mount = containerOf(server).volumeMounts.find((m: any) => m.name === "credentials");
  const volume = podOf(server).volumes.find((v: any) => v.name === "credentials");
  return volume.secret.items.map((item: any) => `${mount.mountPath}/${item.path}`);
}

/** Gitpod 2022.11.3's pods (app: gitpod, component: <name>), as the installer labels them. */
const gitpodPod = (component: string) => ({ app: "gitpod", component });
/** Whether a NetworkPolicy peer's podSelector (matchLabels and In expressions) selects these labels. */
function selects(peer: any, labels: Record<string, string>): boolean {
  const { matchLabels = {}, matchExpressions = [] } = peer.podSelector ?? {};
  if (peer.namespaceSelector || peer.ipBlock) throw new Error("only same-namespace podSelector peers are modelled");
  return (
    Object.entries(matchLabels).every(([key, value]) => labels[key] === value) &&
    matchExpressions.every((e: any) => e.operator === "In" && e.values.includes(labels[e.key]))
  );
}
const admits = (server: PersistentServer, labels: Record<string, string>) =>
  networkPolicyOf(server).spec.ingress.some((rule: any) => rule.from.some((peer: any) => selects(peer, labels)));

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

  it("generates both passwords at apply time and gives them to the server only as files of its Secret", () => {
    const passwords = Object.values(resourcesOf(json, "random_password"));
    expect(passwords).toHaveLength(2);
    passwords.forEach((p) => expect(p).toMatchObject({ length: 32, special: false }));
    const secret = onlyResource(json, "kubernetes_secret_v1") as any;
    expect(secret.metadata.name).toBe("gitpod-mysql-credentials");
    expect(Object.keys(secret.data).sort()).toEqual(["password", "passwords.sql", "root-password"]);
    // The image's entrypoint reads <VAR>_FILE (docker-library/mysql, file_env).
    expect(containerOf(server).env).toEqual([
      { name: "MYSQL_ROOT_PASSWORD_FILE", value: "/etc/gitpod-cdktf/mysql/root-password" },
      { name: "MYSQL_USER", value: "gitpod" },
      { name: "MYSQL_PASSWORD_FILE", value: "/etc/gitpod-cdktf/mysql/password" },
      { name: "MYSQL_ROOT_HOST", value: "localhost" },
    ]);
    const files = containerOf(server).env.filter((e: any) => e.name.endsWith("_FILE")).map((e: any) => e.value);
    expect(mountedCredentialFiles(server)).toEqual(expect.arrayContaining(files));
    expect(database.password).toMatch(/^\$\{TfToken\[TOKEN\.\d+\]\}$/);
  });

  // docker-library/mysql 5.7 docker-entrypoint.sh: `file_env 'MYSQL_ROOT_HOST' '%'`, and root@'<host>'
  // is created unless MYSQL_ROOT_HOST is localhost.
  it("keeps root at localhost: no root@'%' on new installations, and drops the one older ones have", () => {
    expect(containerOf(server).env).toContainEqual({ name: "MYSQL_ROOT_HOST", value: "localhost" });
    expect(mysqlPasswordsScript("gitpod", "Root1", "User2").split("\n")[0]).toBe("DROP USER IF EXISTS 'root'@'%';");
  });

  // The image reads the passwords only when it initialises an empty data directory; a restart
  // alone would leave an existing database on the old passwords.
  it("sets the passwords from the secret at every start (--init-file), so new ones reach an existing database", () => {
    const secret = onlyResource(json, "kubernetes_secret_v1") as any;
    const passwords = Object.keys(resourcesOf(json, "random_password"));
    const [root, user] = ["root-password", "user-password"].map((id) => passwords.find((name) => name.includes(id)));
    expect(secret.data["passwords.sql"]).toBe(mysqlPasswordsScript("gitpod", `\${random_password.${root}.result}`, `\${random_password.${user}.result}`));
    expect(mysqlPasswordsScript("gitpod", "Root1", "User2")).toBe(
      "DROP USER IF EXISTS 'root'@'%';\n" +
        "ALTER USER IF EXISTS 'gitpod'@'%' IDENTIFIED BY 'User2';\n" +
        "SET @gitpod_cdktf_root = IF((SELECT COUNT(*) FROM mysql.user WHERE User = 'root' AND Host = 'localhost' AND authentication_string <> '') > 0, " +
        "'ALTER USER ''root''@''localhost'' IDENTIFIED BY ''Root1''', 'DO 0');\n" +
        "PREPARE gitpod_cdktf_root FROM @gitpod_cdktf_root;\n" +
        "EXECUTE gitpod_cdktf_root;\n" +
        "DEALLOCATE PREPARE gitpod_cdktf_root;\n" +
        "SET @gitpod_cdktf_root = NULL;\n",
    );
    expect(containerOf(server).args).toEqual(["--explicit-defaults-for-timestamp=OFF", "--init-file=/etc/gitpod-cdktf/mysql/passwords.sql"]);
    expect(containerOf(server).volumeMounts).toContainEqual({ name: "credentials", mountPath: "/etc/gitpod-cdktf/mysql", readOnly: true });
    expect(mountedCredentialFiles(server)).toContain("/etc/gitpod-cdktf/mysql/passwords.sql");
    // Readable by root and the mysql group (the pod's fsGroup) only.
    expect(podOf(server).volumes).toContainEqual({
      name: "credentials",
      secret: {
        secretName: "gitpod-mysql-credentials",
        items: ["root-password", "password", "passwords.sql"].map((key) => ({ key, path: key })),
        defaultMode: 0o440,
      },
    });
  });

  // docker-library/mysql 5.7/Dockerfile.oracle: mysql is uid 999, gid 999; the socket and pid file
  // are in /var/run/mysqld; the entrypoint's here-documents need /tmp.
  it("runs as the image's mysql user, with writable scratch directories for its socket and temporary files", () => {
    expect(podOf(server).securityContext).toMatchObject({ runAsUser: 999, runAsGroup: 999, fsGroup: 999, fsGroupChangePolicy: "OnRootMismatch" });
    expect(containerOf(server).volumeMounts).toEqual(
      expect.arrayContaining([
        { name: "scratch-0", mountPath: "/var/run/mysqld" },
        { name: "scratch-1", mountPath: "/tmp" },
      ]),
    );
    expect(podOf(server).volumes).toEqual(expect.arrayContaining([{ name: "scratch-0", emptyDir: {} }, { name: "scratch-1", emptyDir: {} }]));
  });

  it("probes the server with mysqladmin ping, allowing 10 minutes for a first start", () => {
    const ping = { exec: { command: ["mysqladmin", "ping", "--host=127.0.0.1", "--silent"] } };
    expect(containerOf(server).readinessProbe).toMatchObject(ping);
    expect(containerOf(server).livenessProbe).toMatchObject(ping);
    expect(containerOf(server).startupProbe).toEqual({ ...ping, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 60 });
  });

  // The installer's source at tag 2022.11.3: common.DatabaseEnv and DatabaseWaiterContainer go to
  // these components' pods (see GITPOD_DATABASE_CLIENTS).
  it("admits only the Gitpod components that use the database, not workspaces", () => {
    for (const component of ["server", "ws-manager-bridge", "usage", "public-api-server", "migrations", "dbinit", "gitpod"]) {
      expect({ component, admitted: admits(server, gitpodPod(component)) }).toEqual({ component, admitted: true });
    }
    for (const component of ["workspace", "proxy", "dashboard", "content-service", "ws-daemon", "image-builder-mk3"]) {
      expect({ component, admitted: admits(server, gitpodPod(component)) }).toEqual({ component, admitted: false });
    }
    expect(admits(server, { component: "server" })).toBe(false);
    expect(networkPolicyOf(server).spec.ingress.flatMap((rule: any) => rule.ports)).toEqual([{ protocol: "TCP", port: 3306 }]);
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

  it("serves S3 on 9000 with generated root credentials read from files of its secret, console off", () => {
    expect(containerOf(server).args).toEqual(["server", "/data", "--address", ":9000"]);
    // MinIO's cmd/common-main.go, loadEnvVarsFromFiles: MINIO_ROOT_USER_FILE, MINIO_ROOT_PASSWORD_FILE.
    expect(containerOf(server).env).toEqual([
      { name: "MINIO_ROOT_USER_FILE", value: "/etc/gitpod-cdktf/minio/root-user" },
      { name: "MINIO_ROOT_PASSWORD_FILE", value: "/etc/gitpod-cdktf/minio/root-password" },
      { name: "MINIO_BROWSER", value: "off" },
    ]);
    // MinIO ignores a missing file (it would run on its default credentials): both are mounted.
    expect(mountedCredentialFiles(server).sort()).toEqual(["/etc/gitpod-cdktf/minio/root-password", "/etc/gitpod-cdktf/minio/root-user"]);
    expect(podOf(server).volumes).toContainEqual({
      name: "credentials",
      secret: { secretName: "gitpod-minio-credentials", items: ["root-user", "root-password"].map((key) => ({ key, path: key })), defaultMode: 0o440 },
    });
    expect(Object.keys((onlyResource(json, "kubernetes_secret_v1") as any).data).sort()).toEqual(["root-password", "root-user"]);
    expect(onlyResource(json, "random_password")).toMatchObject({ length: 40, special: false });
  });

  it("probes readiness and liveness on MinIO's own health endpoints", () => {
    expect(containerOf(server).readinessProbe).toMatchObject({ httpGet: { path: "/minio/health/ready", port: 9000 } });
    expect(containerOf(server).livenessProbe).toMatchObject({ httpGet: { path: "/minio/health/live", port: 9000 } });
    expect(containerOf(server).startupProbe).toEqual({ httpGet: { path: "/minio/health/live", port: 9000 }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 30 });
  });

  // MinIO's image has no USER (root by default); what it wrote as root becomes the fsGroup's
  // through the kubelet's ownership change, applied once (OnRootMismatch).
  it("runs as 1000:1000, its fsGroup taking over what MinIO wrote as root", () => {
    expect(podOf(server).securityContext).toMatchObject({ runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, fsGroupChangePolicy: "OnRootMismatch" });
    expect(containerOf(server).volumeMounts).toContainEqual({ name: "scratch-0", mountPath: "/tmp" });
  });

  it("admits only the Gitpod components that use the object storage, not workspaces", () => {
    for (const component of ["content-service", "ws-daemon", "ws-manager"]) {
      expect({ component, admitted: admits(server, gitpodPod(component)) }).toEqual({ component, admitted: true });
    }
    for (const component of ["workspace", "server", "proxy", "image-builder-mk3", "registry-facade"]) {
      expect({ component, admitted: admits(server, gitpodPod(component)) }).toEqual({ component, admitted: false });
    }
    expect(networkPolicyOf(server).spec.ingress.flatMap((rule: any) => rule.ports)).toEqual([{ protocol: "TCP", port: 9000 }]);
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

  it("writes a Deployment, a Service and a NetworkPolicy that are valid against their schemas", () => {
    expect(server.manifests.map((m) => m.kind)).toEqual(["Deployment", "Service", "NetworkPolicy"]);
    validateAgainstSchema(server.manifests[0] as unknown as Record<string, unknown>);
    validateAgainstSchema(server.manifests[1] as unknown as Record<string, unknown>);
    new NetworkPolicy(server.manifests[2]).validate();
  });

  it("meets the restricted Pod Security Standard, with a read-only root filesystem", () => {
    expect(restrictedViolations(podOf(server))).toEqual([]);
    expect(podOf(server).securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    expect(containerOf(server).securityContext).toEqual({
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    });
  });

  it("mounts no service-account token, gets no service links, and writes only to its volume and scratch directories", () => {
    expect(podOf(server).automountServiceAccountToken).toBe(false);
    expect(podOf(server).enableServiceLinks).toBe(false);
    const writable = containerOf(server).volumeMounts.filter((m: any) => !m.readOnly).map((m: any) => m.name);
    expect(writable).toEqual(["data", ...writable.filter((name: string) => name.startsWith("scratch-"))]);
    const scratch = podOf(server).volumes.filter((v: any) => v.name.startsWith("scratch-"));
    scratch.forEach((volume: any) => expect(volume).toEqual({ name: volume.name, emptyDir: {} }));
    // The volume and the credentials files are accessible to the server's group.
    expect(podOf(server).securityContext.fsGroup).toBe(podOf(server).securityContext.runAsGroup);
  });

  it("takes no secret from the environment", () => {
    for (const env of containerOf(server).env) expect(Object.keys(env).sort()).toEqual(["name", "value"]);
    expect(containerOf(server).envFrom).toBeUndefined();
  });

  it("has CPU and memory limits, and split startup, readiness and liveness probes", () => {
    const container = containerOf(server);
    expect(Object.keys(container.resources.limits).sort()).toEqual(["cpu", "memory"]);
    expect(Object.keys(container.resources.requests).sort()).toEqual(["cpu", "memory"]);
    expect(container.readinessProbe).toMatchObject({ periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 });
    expect(container.livenessProbe).toMatchObject({ periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 6 });
    expect(container.startupProbe.failureThreshold * container.startupProbe.periodSeconds).toBeGreaterThanOrEqual(300);
    // The startup probe holds liveness back, instead of a fixed delay.
    expect(container.livenessProbe.initialDelaySeconds).toBeUndefined();
  });

  it("admits ingress to its port only, from listed pods of its own namespace, and nothing else", () => {
    const policy = networkPolicyOf(server);
    expect(policy.metadata.namespace).toBeUndefined(); // the release's namespace
    expect(policy.spec.podSelector).toEqual({ matchLabels: deploymentOf(server).spec.selector.matchLabels });
    expect(policy.spec.policyTypes).toEqual(["Ingress"]);
    expect(policy.spec.ingress).toHaveLength(1);
    const [rule] = policy.spec.ingress;
    expect(rule.ports).toEqual([{ protocol: "TCP", port: containerOf(server).ports[0].containerPort }]);
    // A podSelector alone: same namespace, no namespaceSelector or ipBlock.
    expect(rule.from).toEqual([{ podSelector: { matchExpressions: [{ key: "app", operator: "In", values: ["gitpod"] }, { key: "component", operator: "In", values: expect.any(Array) }] } }]);
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
    expect(Object.keys(files).sort()).toEqual([
      "Chart.yaml",
      expect.stringMatching(/^templates\/00-deployment-/),
      expect.stringMatching(/^templates\/01-service-/),
      expect.stringMatching(/^templates\/02-networkpolicy-/),
      "values.yaml",
    ]);
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

describe("PersistentServer's guards", () => {
  const base = {
    ...placement,
    name: "guarded",
    image: "x:1",
    port: 1234,
    dataMountPath: "/data",
    runAs: { user: 1000, group: 1000 },
    health: { ready: { httpPath: "/" }, startupSeconds: 60 },
    resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } },
    clients: { app: ["x"] },
  };

  it("refuses a selector that would admit every pod", () => {
    expect(() => new PersistentServer(moduleStack(), "s", { ...base, clients: {} })).toThrow(/would admit every pod/);
    expect(() => new PersistentServer(moduleStack(), "s", { ...base, clients: { app: [] } })).toThrow(/would admit every pod/);
  });

  it("refuses to run the server as root", () => {
    expect(() => new PersistentServer(moduleStack(), "s", { ...base, runAs: { user: 0, group: 1000 } })).toThrow(/must not run as root/);
    expect(() => new PersistentServer(moduleStack(), "s", { ...base, runAs: { user: 1000, group: 0 } })).toThrow(/must not run as root/);
  });
});

describe("the restricted Pod Security Standard check itself", () => {
  const pod = () => JSON.parse(JSON.stringify(podOf(mysql().server)));

  it("reports each rule a pod breaks", () => {
    const broken = pod();
    delete broken.securityContext.runAsNonRoot;
    delete broken.securityContext.seccompProfile;
    broken.containers[0].securityContext = { capabilities: { add: ["SYS_ADMIN"] }, privileged: true };
    broken.volumes.push({ name: "host", hostPath: { path: "/" } });
    broken.hostNetwork = true;
    expect(restrictedViolations(broken)).toEqual([
      "pod: hostNetwork",
      "volume host: hostPath",
      "container gitpod-mysql: privileged",
      "volume host: type hostPath",
      "container gitpod-mysql: allowPrivilegeEscalation is not false",
      "container gitpod-mysql: runAsNonRoot is not true (neither the container's nor the pod's)",
      "container gitpod-mysql: seccompProfile unset (RuntimeDefault or Localhost required)",
      "container gitpod-mysql: capabilities do not drop ALL",
      "container gitpod-mysql: adds capability SYS_ADMIN",
    ]);
  });

  it("accepts the settings at the container's level instead of the pod's", () => {
    const moved = pod();
    delete moved.securityContext.runAsNonRoot;
    delete moved.securityContext.seccompProfile;
    moved.containers[0].securityContext = { ...moved.containers[0].securityContext, runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } };
    expect(restrictedViolations(moved)).toEqual([]);
  });
});
