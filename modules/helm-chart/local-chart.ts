import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { AssetType, TerraformAsset, Token } from "cdktf";
import { Construct } from "constructs";
import { plainYaml } from "../yaml/plain-yaml";
import type { KubernetesObject } from "./kubernetes-object";

/**
 * A workload whose pod template carries the annotation `checksum/<name>` for each of `checksums`,
 * set from the release value `checksums.<name>` (see ChartRelease): when that value changes, the pod
 * template changes and the workload rolls its pods.
 */
export interface PodTemplateChecksums {
  readonly kind: "Deployment" | "StatefulSet" | "DaemonSet";
  /** `metadata.name` of one of the chart's manifests. */
  readonly name: string;
  /** Names of release values under `checksums`: letters and digits, starting with a letter. */
  readonly checksums: readonly string[];
}

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
  /**
   * Pod templates that carry checksums of what their pods read only when they start (a Secret
   * Terraform manages, say), so that a change restarts them. The one place the chart is templated:
   * each such annotation is `{{ .Values.checksums.<name> | quote }}`, since the checksum is known
   * only at apply time and the chart is written at synth time. The chart's values.yaml then
   * declares those values (empty), so the chart renders and lints on its own.
   * @default [] (no templating: the chart is exactly its manifests)
   */
  readonly podTemplateChecksums?: readonly PodTemplateChecksums[];
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
  const podTemplateChecksums = props.podTemplateChecksums ?? [];
  for (const entry of podTemplateChecksums) {
    if (!props.manifests.some((manifest) => manifest.kind === entry.kind && manifest.metadata?.name === entry.name)) {
      throw new Error(`podTemplateChecksums: the chart has no ${entry.kind} ${entry.name}`);
    }
    const invalid = entry.checksums.filter((name) => !CHECKSUM_NAME.test(name));
    if (invalid.length > 0 || entry.checksums.length === 0) {
      throw new Error(`podTemplateChecksums of ${entry.kind} ${entry.name}: checksum names must be letters and digits, starting with a letter (got ${JSON.stringify(entry.checksums)})`);
    }
  }
  props.manifests.forEach((manifest, index) => {
    let text = plainYaml(manifest);
    if (text.includes("{{")) {
      // Helm would evaluate it as a template; nothing this project generates should need that.
      throw new Error(`${manifest.kind} ${manifest.metadata?.name}: chart manifests must not contain "{{"`);
    }
    if (Token.isUnresolved(text)) {
      // The chart is written at synth time: a value Terraform knows only at apply would be shipped
      // as its placeholder. Such values belong in Terraform resources next to the chart.
      throw new Error(`${manifest.kind} ${manifest.metadata?.name}: chart manifests must not contain Terraform references (values known only at apply)`);
    }
    const checksums = podTemplateChecksums
      .filter((entry) => entry.kind === manifest.kind && entry.name === manifest.metadata?.name)
      .flatMap((entry) => entry.checksums);
    if (checksums.length > 0) text = withPodTemplateChecksums(manifest, checksums);
    const fileName = `${String(index).padStart(2, "0")}-${manifest.kind.toLowerCase()}-${manifest.metadata?.name ?? "unnamed"}.yaml`;
    files[`templates/${fileName}`] = text;
  });
  const valueNames = [...new Set(podTemplateChecksums.flatMap((entry) => entry.checksums))];
  if (valueNames.length > 0) {
    files["values.yaml"] = plainYaml({ checksums: Object.fromEntries(valueNames.map((name) => [name, ""])) });
  }
  return files;
}

/** A Go template field name, and a valid annotation name after `checksum/`. */
const CHECKSUM_NAME = /^[A-Za-z][A-Za-z0-9]{0,62}$/;

/**
 * The manifest's YAML with `checksum/<name>: {{ .Values.checksums.<name> | quote }}` among its pod
 * template's annotations: written through a placeholder, so the YAML around it is exactly what
 * plainYaml writes, and the template text is the only "{{" in the file.
 */
function withPodTemplateChecksums(manifest: KubernetesObject, checksums: readonly string[]): string {
  const copy = JSON.parse(JSON.stringify(manifest)) as { spec?: { template?: { metadata?: { annotations?: Record<string, string> } } } };
  const template = copy.spec?.template;
  if (template === undefined) throw new Error(`${manifest.kind} ${manifest.metadata?.name}: podTemplateChecksums needs spec.template`);
  const annotations = (template.metadata = { ...template.metadata, annotations: { ...template.metadata?.annotations } }).annotations;
  const placeholder = (name: string) => `gitpod-cdktf-checksum-placeholder-${name}`;
  for (const name of checksums) {
    if (annotations[`checksum/${name}`] !== undefined) throw new Error(`${manifest.kind} ${manifest.metadata?.name}: annotation checksum/${name} is set already`);
    annotations[`checksum/${name}`] = placeholder(name);
  }
  let text = plainYaml(copy);
  for (const name of checksums) {
    const line = ` checksum/${name}: ${placeholder(name)}\n`;
    if (text.split(line).length !== 2) throw new Error(`${manifest.kind} ${manifest.metadata?.name}: could not place checksum/${name}`);
    text = text.replace(line, ` checksum/${name}: {{ .Values.checksums.${name} | quote }}\n`);
  }
  return text;
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
