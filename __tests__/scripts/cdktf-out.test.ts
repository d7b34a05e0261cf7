/** Reading a synthesized app, and which providers each of its stacks really uses. */
import * as fs from "fs";
import * as path from "path";
import { providerUsage } from "../../scripts/cdktf-out/provider-usage";
import { CdktfOutError, readCdktfOut } from "../../scripts/cdktf-out/read-cdktf-out";
import { providerOfType } from "../../scripts/cdktf-out/terraform-json";
import { config, scratchDir, synthApp } from "../support/synth";

describe("readCdktfOut", () => {
  it("reads every stack of the manifest, sorted, with its dependencies", () => {
    const app = synthApp(config());
    const read = readCdktfOut(app.outdir);
    expect(read.stacks.map((s) => s.id)).toEqual([...app.stackIds].sort());
    const release = read.stacks.find((s) => s.id === "gitpod-release")!;
    expect(release.dependencies).toEqual([...app.manifest.stacks["gitpod-release"].dependencies].sort());
    expect(release.json).toEqual(app.stack("gitpod-release"));
  });

  it("says what is missing or broken, and what to do", () => {
    const dir = scratchDir("cdktf-out-");
    expect(() => readCdktfOut(dir)).toThrow(
      new CdktfOutError(`${path.join(dir, "manifest.json")} does not exist: synthesize first (npm run synth), or pass the folder of a synthesized app`),
    );
    fs.writeFileSync(path.join(dir, "manifest.json"), "{");
    expect(() => readCdktfOut(dir)).toThrow(/manifest\.json is not valid JSON \(.*\): synthesize again$/);
    fs.writeFileSync(path.join(dir, "manifest.json"), "{}");
    expect(() => readCdktfOut(dir)).toThrow(/manifest\.json has no "stacks": is it a cdktf manifest\?/);
    fs.writeFileSync(path.join(dir, "manifest.json"), JSON.stringify({ stacks: { a: { synthesizedStackPath: "stacks/a/cdk.tf.json" } } }));
    expect(() => readCdktfOut(dir)).toThrow(`${path.join(dir, "stacks/a/cdk.tf.json")} (stack a of ${path.join(dir, "manifest.json")}) does not exist: synthesize again`);
  });
});

describe("providerUsage", () => {
  it("takes a type's provider from the word before its first underscore", () => {
    expect(providerOfType("kubernetes_secret_v1")).toBe("kubernetes");
    expect(providerOfType("aws_s3_bucket")).toBe("aws");
    expect(providerOfType("terraform_remote_state")).toBe("terraform");
  });

  it("finds providers a stack declares (configured or required) but no resource or data source uses", () => {
    const usage = providerUsage({
      stacks: [
        {
          id: "s",
          dependencies: [],
          json: {
            terraform: { required_providers: { aws: {}, helm: {} } },
            provider: { aws: [{}], kubernetes: [{}], random: [{}] },
            resource: { kubernetes_secret_v1: { a: {} } },
            data: { aws_caller_identity: { me: {} }, terraform_remote_state: { other: {} } },
          },
        },
      ],
    });
    expect(usage).toEqual([{ stack: "s", declared: ["aws", "helm", "kubernetes", "random"], used: ["aws", "kubernetes"], unused: ["helm", "random"] }]);
  });

  it("finds none in the app's stacks", () => {
    expect(providerUsage(readCdktfOut(synthApp(config()).outdir)).filter((u) => u.unused.length > 0)).toEqual([]);
  });
});
