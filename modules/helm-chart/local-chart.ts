import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { AssetType, TerraformAsset, Token } from "cdktf";
import { Construct } from "constructs";
import { plainYaml } from "../yaml/plain-yaml";
import type { KubernetesObject } from "./kubernetes-object";

export interface LocalChartProps {
  /** `name` in Chart.yaml. */
  readonly chartName: string;
  /** SemVer version of the chart. */
  readonly version: string;
  readonly appVersion?: string;
  readonly description: string;
  /**
   * Objects the chart installs. Plain YAML: the chart has no values and no Go templating, so what
   * is synthesized (and tested) is exactly what the cluster receives.
   */
  readonly manifests: readonly KubernetesObject[];
}

/**
 * A Helm chart generated at synth time and shipped inside the stack's folder (as a TerraformAsset),
 * so `helm_release` can install it wherever Terraform runs, Terraform Cloud included, with no
 * chart repository and no Node.js at apply time.
 */
export class LocalChart extends Construct {
  /** Chart location relative to the stack's working directory, for `helm_release.chart`. */
  readonly chartPath: string;
  /** The chart's files (relative path -> content). */
  readonly files: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: LocalChartProps) {
    super(scope, id);
    this.files = renderChartFiles(props);
    const asset = new TerraformAsset(this, "files", {
      path: writeToScratchDirectory(this.files),
      type: AssetType.DIRECTORY,
      // Content hash computed here over names and contents, so the folder name (and the plan)
      // changes exactly when the chart does.
      assetHash: contentHash(this.files),
    });
    // "./" makes helm treat it as a local path, never as "<repo>/<chart>".
    this.chartPath = `./${asset.path}`;
  }
}

/** Chart.yaml plus one template per object, named in install order. */
export function renderChartFiles(props: LocalChartProps): Record<string, string> {
  const files: Record<string, string> = {
    "Chart.yaml": plainYaml({
      apiVersion: "v2",
      name: props.chartName,
      description: props.description,
      type: "application",
      version: props.version,
      ...(props.appVersion === undefined ? {} : { appVersion: props.appVersion }),
    }),
  };
  props.manifests.forEach((manifest, index) => {
    const text = plainYaml(manifest);
    if (text.includes("{{")) {
      // Helm would evaluate it as a template; nothing this project generates should need that.
      throw new Error(`${manifest.kind} ${manifest.metadata?.name}: chart manifests must not contain "{{"`);
    }
    if (Token.isUnresolved(text)) {
      // The chart is written at synth time: a value Terraform knows only at apply would be shipped
      // as its placeholder. Such values belong in Terraform resources next to the chart.
      throw new Error(`${manifest.kind} ${manifest.metadata?.name}: chart manifests must not contain Terraform references (values known only at apply)`);
    }
    const fileName = `${String(index).padStart(2, "0")}-${manifest.kind.toLowerCase()}-${manifest.metadata?.name ?? "unnamed"}.yaml`;
    files[`templates/${fileName}`] = text;
  });
  return files;
}

function contentHash(files: Readonly<Record<string, string>>): string {
  const hash = crypto.createHash("sha256");
  for (const name of Object.keys(files).sort()) {
    hash.update(name).update("\0").update(files[name]).update("\0");
  }
  return hash.digest("hex").slice(0, 32).toUpperCase();
}

const scratchDirectories: string[] = [];

/** TerraformAsset copies from a folder on disk; this one lives only until the process exits. */
function writeToScratchDirectory(files: Readonly<Record<string, string>>): string {
  if (scratchDirectories.length === 0) {
    process.once("exit", () => {
      for (const directory of scratchDirectories) fs.rmSync(directory, { recursive: true, force: true });
    });
  }
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "gitpod-cdktf-chart-"));
  scratchDirectories.push(directory);
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(directory, name)), { recursive: true });
    fs.writeFileSync(path.join(directory, name), content);
  }
  return directory;
}
