/**
 * Generated charts through the real Helm (offline: lint and template need no cluster), with every
 * Helm folder inside a scratch directory.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { scratchDir, yamlObjects } from "./synth";
import { KUBE_TOOLS_BIN, kubeToolsEnv } from "./tools";

const HELM = path.join(KUBE_TOOLS_BIN, "helm");

function helm(args: string[]): string {
  const result = spawnSync(HELM, args, { encoding: "utf8", env: kubeToolsEnv(scratchDir("helm-home-")) });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`helm ${args.join(" ")} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** Writes a chart's files (relative path -> content) into a new folder and returns it. */
export function writeChart(files: Readonly<Record<string, string>>): string {
  const dir = scratchDir("chart-");
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

/** `helm lint --strict`; throws with helm's output when it fails, else returns that output. */
export function helmLintStrict(chartDir: string): string {
  return helm(["lint", "--strict", chartDir]);
}

/**
 * The objects `helm template` renders, with `values` given as --set-string (what the helm
 * provider does for set_sensitive values of type "string").
 */
export function helmTemplate(chartDir: string, values: Readonly<Record<string, string>>, namespace = "gitpod"): Record<string, unknown>[] {
  const sets = Object.entries(values).flatMap(([name, value]) => ["--set-string", `${name}=${value}`]);
  return yamlObjects(helm(["template", "release", chartDir, "--namespace", namespace, "--kube-version", "1.31.0", ...sets]));
}
