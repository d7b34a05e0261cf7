/**
 * The mode registry (modes/index.ts): every way of providing a dependency is one unit, and adding
 * one is one file and one entry. The last test adds a made-up mode exactly the way CONTRIBUTING.md
 * describes and follows it through the schema, the stacks, the release and preflight.
 */
import * as fs from "fs";
import * as path from "path";
import { TerraformOutput } from "cdktf";
import * as v from "valibot";
import { MODES, DEPENDENCIES, type AnyMode } from "../modes";
import type { GitpodDatabase } from "../modules/gitpod/dependencies";
import type { modesOf as ModesOf } from "../modes/mode";
import { resourcesOf, scratchDir, secretData } from "./support/synth";

const modeFiles = (dependency: string) =>
  fs
    .readdirSync(path.join(__dirname, "..", "modes", dependency))
    .filter((file) => file.endsWith(".ts"))
    .map((file) => path.join(dependency, file));

describe("the mode registry", () => {
  it("registers every mode file under modes/<dependency>/, and nothing twice", () => {
    for (const dependency of DEPENDENCIES) {
      const types = MODES[dependency].map((mode) => mode.type);
      expect(new Set(types).size).toBe(types.length);
      // Each file defines one mode (or shared options, which define none).
      const files = modeFiles(dependency).filter((file) => /\b(databaseMode|storageMode|registryMode|tlsMode|dnsMode)\(/.test(fs.readFileSync(path.join(__dirname, "..", "modes", file), "utf8")));
      expect(files).toHaveLength(types.length);
    }
  });

  it("gives every mode a summary, a placement and a strict schema keyed by its type", () => {
    for (const dependency of DEPENDENCIES) {
      for (const mode of MODES[dependency] as readonly AnyMode[]) {
        expect(mode.summary.length).toBeGreaterThan(10);
        // A mode that places nothing builds nothing (dns none).
        if (mode.placement.length === 0) expect(mode.build({} as never, { type: mode.type } as never, undefined as never)).toBeUndefined();
        expect(v.safeParse(mode.schema, { type: mode.type, notAField: 1 }).success).toBe(false);
      }
    }
  });
});

describe("adding a mode: one file and one entry", () => {
  // What a contributor writes in modes/database/fake-cloud-sql.ts (see CONTRIBUTING.md).
  function fakeCloudSql(modesOf: typeof ModesOf) {
    return modesOf<GitpodDatabase>()({
      type: "fake-cloud-sql",
      summary: "a made-up managed MySQL, to prove the registry",
      entries: { instance: v.pipe(v.string(), v.minLength(1)), tier: v.optional(v.picklist(["small", "large"]), "small") },
      placement: ["aws-services", "release"],
      aws: { vpcId: "the VPC the instance is reachable from" },
      checks: [(options, report) => options.instance === "forbidden" && report(["instance"], "is not allowed here")],
      build(context, options, aws) {
        new TerraformOutput(context.scope("aws-services"), "fake_instance", { value: `${options.instance}/${options.tier}/${aws.vpcId}`, description: "the fake instance" });
        return { host: `${options.instance}.fake.internal`, port: 3306, username: "gitpod", password: context.sensitiveVariable("fake_password", "Password of the fake instance") };
      },
    });
  }

  /** The app's modules loaded afresh, with the fake mode registered as one more entry. */
  function withFakeMode() {
    let loaded!: {
      validateConfig: typeof import("../config/load").validateConfig;
      synthesize: typeof import("../stacks/gitpod-app").synthesize;
      preflightInputs: typeof import("../preflight/inputs").preflightInputs;
      ConfigError: typeof import("../config/errors").ConfigError;
    };
    jest.isolateModules(() => {
      const { MODES: modes } = require("../modes") as typeof import("../modes");
      const { modesOf } = require("../modes/mode") as typeof import("../modes/mode");
      (modes.database as unknown as AnyMode[]).push(fakeCloudSql(modesOf) as unknown as AnyMode);
      loaded = {
        validateConfig: require("../config/load").validateConfig,
        synthesize: require("../stacks/gitpod-app").synthesize,
        preflightInputs: require("../preflight/inputs").preflightInputs,
        ConfigError: require("../config/errors").ConfigError,
      };
    });
    return loaded;
  }

  const app = withFakeMode();
  const problems = (value: unknown) => {
    try {
      app.validateConfig(value, "test");
      return [];
    } catch (error) {
      if (error instanceof app.ConfigError) return [...error.problems];
      throw error;
    }
  };
  const valid = { domain: "gitpod.acme.dev", aws: { region: "eu-west-1", vpcId: "vpc-0123456789abcdef0" }, database: { type: "fake-cloud-sql", instance: "main" } };

  it("makes it a valid database type, with its own fields, defaults and rules", () => {
    const config = app.validateConfig(valid, "test");
    expect(config.database).toEqual({ type: "fake-cloud-sql", instance: "main", tier: "small" });
    expect(problems({ ...valid, database: { type: "fake-cloud-sql", instance: "forbidden" } })).toEqual(["database.instance: is not allowed here"]);
    expect(problems({ ...valid, database: { type: "fake-cloud-sql", instance: "main", size: 3 } })).toEqual([expect.stringMatching(/^database\.size: unknown field/)]);
    expect(problems({ ...valid, database: { type: "nope" } })).toEqual([expect.stringContaining('"fake-cloud-sql"')]);
  });

  it("asks for the aws fields it declares, naming itself", () => {
    expect(problems({ ...valid, aws: { region: "eu-west-1" } })).toEqual([
      "aws.vpcId: is required when database.type is fake-cloud-sql: the VPC the instance is reachable from",
    ]);
    expect(problems({ domain: "gitpod.acme.dev", database: { type: "fake-cloud-sql", instance: "main" } })).toEqual([
      "aws: is required by the AWS modes in this config: give at least aws.region",
    ]);
  });

  it("creates the stacks it is placed in, and Gitpod gets what it builds", () => {
    const outdir = path.join(scratchDir("fake-mode-"), "cdktf.out");
    const { stackIds } = app.synthesize(app.validateConfig(valid, "test"), { outdir });
    // MinIO still needs the in-cluster services stack; MySQL no longer does, the fake needs AWS.
    expect(stackIds).toEqual(["gitpod-installation-secrets", "gitpod-cluster-prerequisites", "gitpod-in-cluster-services", "gitpod-aws-services", "gitpod-release"]);
    const stack = (id: string) => JSON.parse(fs.readFileSync(path.join(outdir, "stacks", id, "cdk.tf.json"), "utf8"));
    expect(stack("gitpod-aws-services").output.fake_instance.value).toBe("main/small/vpc-0123456789abcdef0");
    expect(Object.keys(resourcesOf(stack("gitpod-in-cluster-services"), "kubernetes_persistent_volume_claim_v1"))).toEqual([expect.stringMatching(/^minio_/)]);
    const release = stack("gitpod-release");
    expect(release.variable.fake_password).toMatchObject({ sensitive: true });
    const databaseSecret = Object.values(resourcesOf(release, "kubernetes_secret_v1")).find((secret: any) => secret.metadata.name === "gitpod-database") as any;
    expect(secretData(release, databaseSecret)).toMatchObject({ host: "main.fake.internal", port: "3306", username: "gitpod", password: "${var.fake_password}" });
  });

  it("is labelled by preflight from its summary and placement", () => {
    const inputs = app.preflightInputs(app.validateConfig(valid, "test"), { env: {}, homeDir: "/home/ops", cwd: "/work", timeoutMs: 1000 });
    expect(inputs.notChecked.find((row) => row.dependency === "database")?.detail).toBe(
      "fake-cloud-sql: a made-up managed MySQL, to prove the registry; created by the aws-services and release stacks, nothing to prove before apply",
    );
  });

  it("refuses, as a bug, a mode that puts resources in a stack its placement does not list", () => {
    jest.isolateModules(() => {
      const { MODES: modes } = require("../modes") as typeof import("../modes");
      const { modesOf } = require("../modes/mode") as typeof import("../modes/mode");
      const sloppy = { ...fakeCloudSql(modesOf), placement: ["release"] };
      (modes.database as unknown as AnyMode[]).push(sloppy as unknown as AnyMode);
      const { validateConfig } = require("../config/load");
      const { synthesize } = require("../stacks/gitpod-app");
      expect(() => synthesize(validateConfig(valid, "test"), { outdir: path.join(scratchDir("sloppy-"), "out") })).toThrow(
        "database.type fake-cloud-sql puts resources in the aws-services stack, which its placement does not list",
      );
    });
  });
});
