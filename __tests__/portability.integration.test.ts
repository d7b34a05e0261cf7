/**
 * A synthesized stack folder is a complete Terraform working directory: copied to another machine
 * or path (a pipeline's checkout, a Terraform Cloud upload), real Terraform still initialises,
 * validates and plans it. The AWS stack is the one whose provider the offline mirror holds.
 */
import * as fs from "fs";
import * as path from "path";
import { offlineEnv, STANDALONE_AWS_CONFIG } from "./support/terraform-plan";
import { config, readTree, scratchDir, synthApp } from "./support/synth";
import { describeWithTools, terraform, terraformWithMirrorTool } from "./support/tools";

const AWS_STACK = "gitpod-aws-services";

/** Synthesizes, then copies the AWS stack's folder, alone, to an unrelated place. */
function copiedStackFolder(backend: Record<string, unknown>): { original: string; copy: string } {
  const app = synthApp(config({ ...STANDALONE_AWS_CONFIG, backend }));
  expect(app.manifest.stacks[AWS_STACK].dependencies).toEqual([]);
  const original = path.join(app.outdir, "stacks", AWS_STACK);
  const copy = path.join(scratchDir("copied-stack-"), "another", "checkout", AWS_STACK);
  fs.cpSync(original, copy, { recursive: true });
  return { original, copy };
}

describeWithTools("a stack folder copied elsewhere", [terraformWithMirrorTool()], () => {
  describe("with the local backend", () => {
    const { original, copy } = copiedStackFolder({ type: "local" });
    const env = offlineEnv(path.dirname(copy));

    it("holds no path of the machine or folder it was synthesized in", () => {
      const text = Object.values(readTree(copy)).join("\n");
      expect(text).not.toContain(path.dirname(original));
      expect(text).not.toContain(process.cwd());
    });

    it("initialises, validates and plans there with real Terraform", () => {
      expect(terraform(copy, ["init", "-input=false", "-no-color"], env)).toContain("Terraform has been successfully initialized");
      expect(terraform(copy, ["validate", "-no-color"], env)).toContain("The configuration is valid");
      const plan = terraform(copy, ["plan", "-refresh=false", "-lock=false", "-input=false", "-no-color"], env);
      expect(plan).toMatch(/Plan: \d+ to add, 0 to change, 0 to destroy/);
      expect(plan).toContain("aws_ecr_repository");
    });

    it("keeps its state where the relative path points from the new place, outside the folder", () => {
      const state = JSON.parse(fs.readFileSync(path.join(copy, "cdk.tf.json"), "utf8")).terraform.backend.local.path;
      expect(state).toBe(`../../../terraform.${AWS_STACK}.tfstate`);
      // Nothing was applied: the plan ran with -lock=false, so no state file appeared anywhere.
      expect(fs.existsSync(path.resolve(copy, state))).toBe(false);
    });
  });

  describe.each([
    ["s3", { type: "s3", bucket: "acme-terraform-state", region: "eu-west-1" }],
    ["cloud", { type: "cloud", organization: "acme", project: "gitpod" }],
  ])("with the %s backend", (_, backend) => {
    const { copy } = copiedStackFolder(backend);
    const env = offlineEnv(path.dirname(copy));

    // The backend itself needs its service; everything else is checked offline.
    it("initialises its providers and validates there", () => {
      expect(terraform(copy, ["init", "-backend=false", "-input=false", "-no-color"], env)).toContain("Terraform has been successfully initialized");
      expect(terraform(copy, ["validate", "-no-color"], env)).toContain("The configuration is valid");
    });
  });
});
