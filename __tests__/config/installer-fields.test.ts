/**
 * The installer config's field tree (2022.11.3) and the check of `gitpod.installerConfig` overrides:
 * what is refused, with which path and message, and what the overlay does.
 */
import { mergeInstallerConfig } from "../../modules/gitpod/installer-config";
import {
  INSTALLER_CONFIG_FIELDS,
  PASSLIST_DOMAIN,
  PROJECT_MANAGED_INSTALLER_FIELDS,
  SECRET_VALUED_INSTALLER_FIELDS,
  formatInstallerConfigPath,
  installerConfigFieldAt,
  installerConfigProblems,
  suggestField,
  unknownInstallerConfigFields,
  type InstallerField,
} from "../../config/installer-fields";

const check = (value: unknown) => installerConfigProblems(value, { managed: PROJECT_MANAGED_INSTALLER_FIELDS });
const at = (value: unknown, path: readonly (string | number)[]) =>
  check(value)
    .filter((problem) => JSON.stringify(problem.path) === JSON.stringify(path))
    .map((problem) => problem.message);

describe("the field tree", () => {
  it.each([
    ["workspace.templates.default", "opaque"],
    ["workspace.templates.imagebuild", "opaque"],
    ["experimental.workspace.registryFacade.redisCache.enabled", "boolean"],
    ["experimental.webapp.proxy.staticIP", "string"],
    ["objectStorage.resources.requests", "map"],
    ["objectStorage.resources.requests.memory", "quantity"],
    ["workspace.resources.requests.cpu", "quantity"],
    ["workspace.maxLifetime", "duration"],
    ["workspace.timeoutDefault", "duration"],
    ["workspace.pvc.size", "quantity"],
    ["containerRegistry.privateBaseImageAllowList", "list"],
    ["experimental.workspace.classes", "map"],
    ["experimental.workspace.classes.small.resources.limits.cpu.buckets", "list"],
    ["experimental.workspace.classes.small.resources.limits.ephemeral-storage", "string"],
    ["experimental.workspace.CPULimits.nodeBandwidth", "quantity"],
    ["experimental.workspace.wsManagerRateLimits.startWorkspace.refillInterval", "duration"],
    ["experimental.common.podConfig.server.resources.server", "opaque"],
    ["experimental.webapp.usage.billInstancesAfter", "timestamp"],
    ["experimental.webapp.workspaceClasses.0.powerups", "integer"],
    ["experimental.agentSmith.blocklists.very.signatures.0.slice.end", "integer"],
    ["experimental.telemetry.data.platform", "string"],
    ["customization.0.apiVersion", "string"],
    ["customization.0.spec.env", "list"],
  ])("%s is %s", (path, kind) => {
    expect(installerConfigFieldAt(path)?.kind).toBe(kind);
  });

  it("has mappings, not leaves, where Go has nested structs", () => {
    for (const path of ["metadata", "database.external", "objectStorage.s3.credentials", "workspace.runtime", "experimental", "experimental.webapp.server", "experimental.webapp.server.githubApp", "experimental.agentSmith.enforcement", "components.proxy.service"]) {
      expect([path, installerConfigFieldAt(path)?.kind]).toEqual([path, "object"]);
    }
  });

  it("records the enumerations the installer validates", () => {
    const values = (path: string) => (installerConfigFieldAt(path) as { values?: readonly string[] }).values;
    expect(values("kind")).toEqual(["Full", "Meta", "Workspace", "IDE", "WebApp"]);
    expect(values("observability.logLevel")).toEqual(["trace", "debug", "info", "warning", "error", "fatal", "panic"]);
    expect(values("workspace.runtime.fsShiftMethod")).toEqual(["fuse", "shiftfs"]);
    expect(values("certificate.kind")).toEqual(["secret"]);
    expect(values("components.proxy.service.serviceType")).toEqual(["LoadBalancer", "ClusterIP", "NodePort", "ExternalName"]);
  });

  it("holds every managed, secret-valued field it names (no typo in the lists)", () => {
    for (const { path } of [...PROJECT_MANAGED_INSTALLER_FIELDS, ...SECRET_VALUED_INSTALLER_FIELDS]) {
      expect([path, installerConfigFieldAt(path) !== undefined]).toEqual([path, true]);
    }
  });

  it("has no leaf without a kind, and no empty mapping", () => {
    const broken: string[] = [];
    const visit = (field: InstallerField, path: string) => {
      if (field.kind === "object") {
        if (Object.keys(field.fields).length === 0) broken.push(path);
        for (const [key, child] of Object.entries(field.fields)) visit(child, `${path}.${key}`);
      } else if (field.kind === "map" || field.kind === "list") visit(field.of, `${path}.*`);
    };
    visit(INSTALLER_CONFIG_FIELDS, "");
    expect(broken).toEqual([]);
  });
});

describe("unknownInstallerConfigFields", () => {
  it("names keys the tree lacks, with list indices, and judges keys only", () => {
    expect(
      unknownInstallerConfigFields({
        domain: 42,
        database: { exernal: {} },
        customization: [{ kind: "Deployment", spec: { envs: [] } }],
        workspace: { resources: { requests: { "any-resource": "1" } } },
      }),
    ).toEqual(["database.exernal", "customization[0].spec.envs"]);
  });
});

describe("installerConfigProblems", () => {
  it("accepts a large override of several sections", () => {
    expect(
      check({
        metadata: { shortname: "eu01" },
        observability: { logLevel: "debug", tracing: { endpoint: "http://jaeger:14268/api/traces" } },
        objectStorage: { blobQuota: 5368709120, maximumBackupCount: 3 },
        containerRegistry: { privateBaseImageAllowList: ["registry.acme.dev"] },
        httpProxy: { kind: "secret", name: "http-proxy" },
        workspace: {
          maxLifetime: "12h",
          timeoutDefault: "30m",
          timeoutExtended: "1h30m",
          timeoutAfterClose: "2m",
          resources: { requests: { cpu: "500m", memory: "4Gi" }, limits: { cpu: 4, memory: "8Gi" } },
          templates: { default: { spec: { nodeSelector: { pool: "workspaces" } } } },
          pvc: { size: "50Gi", storageClass: "gp3" },
          workspaceImage: "registry.acme.dev/workspace-full:latest",
        },
        openVSX: { proxy: { disablePVC: true } },
        disableDefinitelyGp: false,
        customization: [{ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "server", annotations: { a: "b" } }, spec: { env: [{ name: "X", value: "1" }] } }],
        experimental: {
          webapp: {
            server: { disableDynamicAuthProviderLogin: true, inactivityPeriodForReposInDays: 30, chargebeeSecret: "chargebee-config" },
            proxy: { staticIP: "203.0.113.7" },
            tracing: { samplerType: "probabilistic", samplerParam: 0.1 },
            usage: { billInstancesAfter: "2022-11-30T00:00:00Z", creditsPerMinuteByWorkspaceClass: { default: 0.1666 } },
          },
          workspace: {
            registryFacade: { redisCache: { enabled: true, singleHostAddr: "redis:6379", passwordSecret: "redis-password" } },
            CPULimits: { enabled: true, limit: "2", burstLimit: 4 },
            wsManagerRateLimits: { startWorkspace: { block: false, bucketSize: 5, refillInterval: "1500ms" } },
            classes: { default: { name: "Default", resources: { requests: { cpu: "1" }, limits: { cpu: { buckets: [{ budget: 90000, limit: 6000 }], min: "1" } } } } },
          },
          ide: { resolveLatest: false, ideProxy: { serviceAnnotations: { a: "b" } } },
          common: { podConfig: { server: { replicas: 2, resources: { server: { requests: { cpu: "1" } } } } } },
          agentSmith: { blocklists: { very: { binaries: ["xmrig"], signatures: [{ name: "x", pattern: "eG1yaWc=" }] } }, excessiveCPUCheck: { threshold: 7.5, averageOverMinutes: 5 } },
        },
      }),
    ).toEqual([]);
  });

  it("refuses a misspelt key at depth, naming its path and the field meant", () => {
    expect(check({ workspace: { maxLifeTime: "36h" } })).toEqual([
      { path: ["workspace", "maxLifeTime"], message: `is not a field of Gitpod's installer config (2022.11.3); did you mean "maxLifetime"?` },
    ]);
    expect(at({ experimental: { webapp: { server: { disableDynamicAuthProviderLogn: true } } } }, ["experimental", "webapp", "server", "disableDynamicAuthProviderLogn"])).toEqual([
      expect.stringContaining('did you mean "disableDynamicAuthProviderLogin"?'),
    ]);
    expect(at({ experimental: { workspace: { cpuLimits: {} } } }, ["experimental", "workspace", "cpuLimits"])).toEqual([expect.stringContaining('did you mean "CPULimits"?')]);
  });

  it("refuses an unknown top-level key, listing the fields when nothing is close", () => {
    const [message] = at({ featureFlags: { x: true } }, ["featureFlags"]);
    expect(message).toMatch(/^is not a field of Gitpod's installer config \(2022\.11\.3\), which refuses unknown keys; fields here: apiVersion, kind, domain/);
    expect(message.length).toBeLessThan(300);
  });

  it("points a near miss of a managed field at the project's setting", () => {
    expect(at({ Database: {} }, ["Database"])).toEqual([expect.stringMatching(/did you mean "database", which this project sets from database\?$/)]);
  });

  it.each([
    [{ workspace: { maxLifetime: 36 } }, ["workspace", "maxLifetime"], /^must be a duration such as "36h".*got a number, which the installer would read as nanoseconds/],
    [{ workspace: { timeoutDefault: "36 hours" } }, ["workspace", "timeoutDefault"], /^must be a duration such as "36h"/],
    [{ workspace: { timeoutDefault: "3d" } }, ["workspace", "timeoutDefault"], /^must be a duration/],
    [{ openVSX: { proxy: { disablePVC: "yes" } } }, ["openVSX", "proxy", "disablePVC"], /^must be true or false \(got a string\)/],
    [{ containerRegistry: { privateBaseImageAllowList: "registry.acme.dev" } }, ["containerRegistry", "privateBaseImageAllowList"], /^must be a list of strings.*\(got a string\)/],
    [{ workspace: { pvc: { size: "30 GB" } } }, ["workspace", "pvc", "size"], /^must be a Kubernetes quantity/],
    [{ workspace: { resources: { requests: { cpu: true } } } }, ["workspace", "resources", "requests", "cpu"], /^must be a Kubernetes quantity.*\(got a boolean\)/],
    [{ objectStorage: { blobQuota: "5G" } }, ["objectStorage", "blobQuota"], /^must be a whole number \(got a string\)/],
    [{ experimental: { webapp: { workspaceClasses: [{ powerups: -1 }] } } }, ["experimental", "webapp", "workspaceClasses", 0, "powerups"], /^must be a whole number from 0 to 4294967295$/],
    [{ workspace: { workspaceImage: 5 } }, ["workspace", "workspaceImage"], /^must be a string \(got a number\); put it in quotes$/],
    [{ workspace: { pvc: ["50Gi"] } }, ["workspace", "pvc"], /^must be a mapping of fields \(key: value\), not a list$/],
    [{ experimental: { webapp: { usage: { billInstancesAfter: "30.11.2022" } } } }, ["experimental", "webapp", "usage", "billInstancesAfter"], /^must be an RFC 3339 time/],
    [{ experimental: { agentSmith: { blocklists: { audit: { signatures: [{ pattern: "not base64!" }] } } } } }, ["experimental", "agentSmith", "blocklists", "audit", "signatures", 0, "pattern"], /^must be base64/],
  ])("refuses a wrong type or format: %j", (override, path, message) => {
    expect(at(override, path)).toEqual([expect.stringMatching(message)]);
  });

  it.each([
    [{ observability: { logLevel: "verbose" } }, ["observability", "logLevel"], 'must be one of "trace", "debug", "info", "warning", "error", "fatal", "panic"'],
    [{ httpProxy: { kind: "configmap", name: "p" } }, ["httpProxy", "kind"], 'must be one of "secret"'],
    [{ experimental: { webapp: { tracing: { samplerType: "always", samplerParam: 1 } } } }, ["experimental", "webapp", "tracing", "samplerType"], 'must be one of "const", "probabilistic", "rateLimiting", "remote"'],
  ])("refuses a value outside the installer's enumeration: %j", (override, path, message) => {
    expect(at(override, path)).toEqual([message]);
  });

  it("refuses what the installer requires alongside: an ObjectRef's kind, a sampler's parameter", () => {
    expect(check({ httpProxy: { name: "proxy" } })).toEqual([{ path: ["httpProxy", "kind"], message: "is required here: the installer refuses the mapping without it" }]);
    expect(check({ experimental: { workspace: { tracing: { samplerType: "const" } } } })).toEqual([
      { path: ["experimental", "workspace", "tracing", "samplerParam"], message: expect.stringMatching(/^is required with samplerType/) },
    ]);
  });

  it("refuses null, saying how to keep the default", () => {
    expect(check({ workspace: { maxLifetime: null } })).toEqual([
      { path: ["workspace", "maxLifetime"], message: "give a value, or leave the key out to keep the installer's default" },
    ]);
    expect(at({ containerRegistry: { privateBaseImageAllowList: [null] } }, ["containerRegistry", "privateBaseImageAllowList", 0])).toHaveLength(1);
  });

  it("refuses fields the project manages, naming the setting to use", () => {
    expect(check({ database: { inCluster: true } })).toEqual([{ path: ["database"], message: "is set by this project from database; set that instead" }]);
    expect(check({ objectStorage: { s3: { bucket: "b" } } })).toEqual([{ path: ["objectStorage", "s3"], message: "is set by this project from storage; set that instead" }]);
    expect(check({ containerRegistry: { external: { url: "r" } } })).toEqual([
      { path: ["containerRegistry", "external"], message: "is set by this project from registry; set that instead" },
    ]);
    expect(at({ metadata: { region: "eu-west-1" } }, ["metadata", "region"])).toEqual([expect.stringMatching(/^is set by this project from storage \(the S3 region/)]);
    expect(at({ components: { proxy: { service: { serviceType: "NodePort" } } } }, ["components", "proxy", "service", "serviceType"])).toEqual([
      "is set by this project from gitpod.proxy.serviceType; set that instead",
    ]);
    expect(at({ kind: "Meta" }, ["kind"])).toEqual([expect.stringMatching(/^is fixed by this project \(.+\); leave it out$/)]);
    // Refused whatever the value: null or a wrong type is still the project's field.
    expect(check({ workspace: { runtime: null } })).toEqual([{ path: ["workspace", "runtime"], message: "is set by this project from gitpod.workspaceRuntime; set that instead" }]);
  });

  it("accepts the settable neighbours of managed fields", () => {
    expect(
      check({
        objectStorage: { blobQuota: 1024 },
        containerRegistry: { privateBaseImageAllowList: [] },
        metadata: { shortname: "default" },
        workspace: { maxLifetime: "8h", timeoutDefault: "45m", resources: { requests: { cpu: "2" } } },
        components: { proxy: { service: {} } },
        experimental: { webapp: { server: { runDbDeleter: false }, proxy: { staticIP: "198.51.100.1" } } },
      }),
    ).toEqual([]);
  });

  it("uses the caller's list of managed fields", () => {
    expect(installerConfigProblems({ database: {} }, { managed: [] })).toEqual([]);
    expect(installerConfigProblems({ workspace: { maxLifetime: "1h" } }, { managed: [{ path: "workspace.maxLifetime", setting: "gitpod.workspaceLifetime" }] })).toEqual([
      { path: ["workspace", "maxLifetime"], message: "is set by this project from gitpod.workspaceLifetime; set that instead" },
    ]);
  });

  it("refuses secret-valued fields without repeating the value", () => {
    const secret = "s3cr3t-Value-that-must-not-leak";
    const problems = check({
      analytics: { segmentKey: secret },
      experimental: {
        common: { staticMessagebusPassword: secret },
        webapp: { server: { session: { secret }, oauthServer: { jwtSecret: secret }, githubApp: { webhookSecret: secret } } },
        agentSmith: { gitpodAPI: { apiToken: secret }, slackWebhooks: { audit: secret } },
      },
    });
    expect(problems.map((problem) => problem.path.join("."))).toEqual([
      "analytics.segmentKey",
      "experimental.common.staticMessagebusPassword",
      "experimental.webapp.server.session.secret",
      "experimental.webapp.server.oauthServer.jwtSecret",
      "experimental.webapp.server.githubApp.webhookSecret",
      "experimental.agentSmith.gitpodAPI.apiToken",
      "experimental.agentSmith.slackWebhooks",
    ]);
    for (const { message } of problems) {
      expect(message).toMatch(/^holds a secret.*synthesized JSON and the Terraform state/);
      expect(message).not.toContain(secret);
    }
    // Names of Kubernetes Secrets are not secrets.
    expect(check({ experimental: { webapp: { server: { stripeSecret: "stripe-config" }, publicApi: { stripeSecretName: "stripe" } } } })).toEqual([]);
  });

  it("never shows a value given to a wrong-typed field", () => {
    const secret = "hunter2-hunter2";
    const messages = check({ workspace: { maxLifetime: secret, pvc: { size: secret } }, observability: { logLevel: secret }, openVSX: { proxy: { disablePVC: secret } } }).map(
      (problem) => problem.message,
    );
    expect(messages).toHaveLength(4);
    for (const message of messages) expect(message).not.toContain(secret);
  });

  it("refuses deprecated aliases the installer refuses alongside their replacement", () => {
    expect(at({ experimental: { webapp: { server: { defaultBaseImageRegistryWhitelist: ["r"] } } } }, ["experimental", "webapp", "server", "defaultBaseImageRegistryWhitelist"])).toEqual([
      "is a deprecated alias the installer refuses alongside containerRegistry.privateBaseImageAllowList; set that instead",
    ]);
  });

  it("keeps messages short for a 10 KB key, and its path printable", () => {
    const key = `"\n${"k".repeat(10_000)}`;
    const problems = check({ workspace: { [key]: 1 }, [key]: { [key]: 1 } });
    expect(problems).toHaveLength(2);
    for (const { message } of problems) expect(message.length).toBeLessThan(400);
    const printed = formatInstallerConfigPath(problems[0].path);
    expect(printed.length).toBeLessThan(100);
    expect(printed).toBe(`workspace["\\"\\n${"k".repeat(56)}…"]`);
    expect(unknownInstallerConfigFields({ [key]: 1 })[0].length).toBeLessThan(80);
  });

  it("treats __proto__ and other Object.prototype names as plain keys", () => {
    const override = JSON.parse('{"__proto__": {"x": 1}, "workspace": {"constructor": 1, "toString": "x"}}') as unknown;
    expect(check(override).map((problem) => problem.path.join("."))).toEqual(["__proto__", "workspace.constructor", "workspace.toString"]);
  });

  it("refuses an override that is not a mapping", () => {
    expect(check(["domain"])).toEqual([{ path: [], message: "must be a mapping of installer config fields (got a list)" }]);
  });
});

describe("suggestField", () => {
  it("prefers the same name in another case, then the closest within a few edits, else nothing", () => {
    expect(suggestField("inclustr", ["inCluster", "external"])).toBe("inCluster");
    expect(suggestField("EXTERNAL", ["inCluster", "external"])).toBe("external");
    expect(suggestField("s4", ["s3", "azure"])).toBe("s3");
    expect(suggestField("database", ["s3", "azure"])).toBeUndefined();
  });
});

describe("blockNewUsers.passlist (the installer's rule)", () => {
  it("takes fully-qualified domain names with at least two labels", () => {
    expect(["acme.dev", "mail.acme.co.uk", "acme.dev."].filter((entry) => PASSLIST_DOMAIN.test(entry))).toHaveLength(3);
    expect(["localhost", "", "-acme.dev", "acme.1dev", "user@acme.dev", "acme .dev"].filter((entry) => PASSLIST_DOMAIN.test(entry))).toEqual([]);
  });

});

describe("mergeInstallerConfig", () => {
  const base = {
    apiVersion: "v1",
    workspace: { runtime: { fsShiftMethod: "fuse" }, resources: { requests: { cpu: "1", memory: "2Gi" } } },
    containerRegistry: { inCluster: true, privateBaseImageAllowList: ["a", "b"] },
    domain: "${var.domain}",
  };

  it("merges mappings recursively and replaces lists and scalars", () => {
    const merged = mergeInstallerConfig(base, {
      workspace: { resources: { requests: { cpu: "2" } }, maxLifetime: "8h" },
      containerRegistry: { privateBaseImageAllowList: ["c"] },
      experimental: { webapp: { proxy: { staticIP: "203.0.113.7" } } },
    });
    expect(merged).toEqual({
      apiVersion: "v1",
      workspace: { runtime: { fsShiftMethod: "fuse" }, resources: { requests: { cpu: "2", memory: "2Gi" } }, maxLifetime: "8h" },
      containerRegistry: { inCluster: true, privateBaseImageAllowList: ["c"] },
      domain: "${var.domain}",
      experimental: { webapp: { proxy: { staticIP: "203.0.113.7" } } },
    });
  });

  it("never changes its inputs, and keeps base values that are not plain objects", () => {
    class Token {
      constructor(readonly expression: string) {}
    }
    const token = new Token("${aws_s3_bucket.x.region}");
    const input = { ...base, metadata: token };
    const snapshot = JSON.stringify(input);
    const override = { workspace: { resources: { requests: { memory: "4Gi" } } } };
    const overrideSnapshot = JSON.stringify(override);
    const merged = mergeInstallerConfig(input, override);
    expect(JSON.stringify(input)).toBe(snapshot);
    expect(JSON.stringify(override)).toBe(overrideSnapshot);
    expect(merged.metadata).toBe(token);
    expect((merged.workspace as { resources: { requests: object } }).resources.requests).toEqual({ cpu: "1", memory: "4Gi" });
  });

  it("keeps a __proto__ key a plain key", () => {
    const merged = mergeInstallerConfig({}, JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>);
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(Object.keys(merged)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
