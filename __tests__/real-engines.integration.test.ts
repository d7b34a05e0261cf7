/**
 * Checks by the real programs that consume what this project writes: Terraform evaluates the
 * synthesized strings, shellcheck reads the release script.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { App, TerraformStack } from "cdktf";
import { GitpodInstallation, RELEASE_SCRIPT_PATH } from "../modules/gitpod/gitpod-installation";
import { ECR_REFRESH_SCRIPT_PATH } from "../modules/ecr-credentials/ecr-credential-refresher";
import { installerConfigYaml } from "../modules/gitpod/installer-config";
import { literalInstallationProps } from "./support/literal-installation";
import { onlyResource, scratchDir, synthStack } from "./support/synth";
import { describeWithTools, findTool, terraform, terraformTool } from "./support/tools";

describeWithTools("Terraform reads the synthesized installer inputs verbatim", [terraformTool()], () => {
  it("evaluates the ConfigMap's script and config (with template-like user text) back to the exact text", () => {
    // Literal inputs only, so Terraform can evaluate the strings without providers or remote state.
    const stack = new TerraformStack(new App({ skipValidation: true, outdir: scratchDir("tf-strings-app-") }), "inputs");
    const installation = new GitpodInstallation(
      stack,
      "gitpod",
      literalInstallationProps({ proxyServiceAnnotations: { "example.com/template": "${not-terraform} and %{ if x }" } }),
    );
    const inputs = onlyResource(synthStack(stack), "kubernetes_config_map_v1") as { data: Record<string, string> };

    const dir = scratchDir("tf-strings-");
    const outputs = Object.fromEntries(Object.values(inputs.data).map((value, i) => [`value_${i}`, { value }]));
    fs.writeFileSync(path.join(dir, "main.tf.json"), JSON.stringify({ output: outputs }));
    terraform(dir, ["init", "-input=false", "-no-color"]);
    terraform(dir, ["apply", "-auto-approve", "-input=false", "-no-color"]);
    const evaluated = JSON.parse(terraform(dir, ["output", "-json"]));
    const byKey = Object.fromEntries(Object.keys(inputs.data).map((key, i) => [key, evaluated[`value_${i}`].value]));

    expect(byKey["gitpod-release.sh"]).toBe(fs.readFileSync(RELEASE_SCRIPT_PATH, "utf8"));
    expect(byKey["gitpod.config.yaml"]).toBe(installerConfigYaml(installation.installerConfig));
    expect(byKey["gitpod.config.yaml"]).toContain("example.com/template: ${not-terraform} and %{ if x }");
  });
});

/** Every script a module ships, found on disk so a new one cannot be missed. */
function moduleScripts(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const child = path.join(dir, entry.name);
    if (entry.isDirectory()) return moduleScripts(child);
    return entry.name.endsWith(".sh") ? [child] : [];
  });
}
const MODULE_SCRIPTS = moduleScripts(path.resolve(__dirname, "..", "modules"));

describeWithTools("the scripts that run in the cluster pass shellcheck", [findTool("shellcheck")], () => {
  it("finds the scripts", () => {
    expect(MODULE_SCRIPTS).toEqual(expect.arrayContaining([RELEASE_SCRIPT_PATH, ECR_REFRESH_SCRIPT_PATH]));
  });

  it.each(MODULE_SCRIPTS.map((script) => [path.basename(script), script]))("%s, as POSIX sh (the images run busybox or dash)", (_, script) => {
    const result = spawnSync("shellcheck", ["--shell=sh", "--severity=style", script], { encoding: "utf8" });
    expect(result.stdout).toBe("");
    expect(result.status).toBe(0);
  });
});
