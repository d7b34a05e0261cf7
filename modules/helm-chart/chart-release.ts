import { Release } from "@cdktf/provider-helm/lib/release";
import { Fn, type ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { LocalChart, type LocalChartProps } from "./local-chart";

export interface ChartReleaseProps extends LocalChartProps {
  readonly releaseName: string;
  readonly namespace: string;
  /** Seconds helm waits for the objects (and hook Jobs) to be ready. Default 600. */
  readonly timeoutSeconds?: number;
  /**
   * Hashes (or other short values) of what the chart's objects read at run time but do not contain:
   * Terraform-managed ConfigMaps, Secrets, role ARNs. They become the release's values `checksums.*`;
   * a change upgrades the release and runs its hooks again. The chart templates them only where
   * `podTemplateChecksums` asks for it (which then also restarts those workloads).
   */
  readonly checksums?: Readonly<Record<string, string>>;
  /** Like `checksums`, for hashes of secrets: passed as sensitive values, kept out of plans and logs. */
  readonly sensitiveChecksums?: Readonly<Record<string, string>>;
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * Kubernetes objects generated at synth time, installed as one Helm release: helm waits until
 * they are ready, upgrades them atomically and deletes them on destroy. The objects are plain
 * YAML typed with the Kubernetes schemas, which is also far cheaper to synthesize than the
 * provider's generated pod-spec classes.
 */
export class ChartRelease extends Construct {
  readonly chart: LocalChart;
  readonly release: Release;

  constructor(scope: Construct, id: string, props: ChartReleaseProps) {
    super(scope, id);
    const given = new Set([...Object.keys(props.checksums ?? {}), ...Object.keys(props.sensitiveChecksums ?? {})]);
    const missing = (props.podTemplateChecksums ?? []).flatMap((entry) => entry.checksums).filter((name) => !given.has(name));
    if (missing.length > 0) {
      // The chart's values.yaml defaults them to "": the annotation would never change.
      throw new Error(`${props.releaseName}: podTemplateChecksums names ${missing.join(", ")}, which neither checksums nor sensitiveChecksums gives`);
    }
    this.chart = new LocalChart(this, "chart", props);
    this.release = new Release(this, "release", {
      name: props.releaseName,
      chart: this.chart.chartPath,
      namespace: props.namespace,
      timeout: props.timeoutSeconds ?? 600,
      wait: true,
      atomic: true,
      cleanupOnFail: true,
      values: props.checksums && [Fn.yamlencode({ checksums: props.checksums })],
      setSensitive:
        props.sensitiveChecksums &&
        Object.entries(props.sensitiveChecksums).map(([name, value]) => ({ name: `checksums.${name}`, value, type: "string" })),
      dependsOn: props.dependsOn,
    });
  }
}

/**
 * Annotations that make a Job a Helm hook run on `events` (e.g. "post-install,post-upgrade"), which
 * helm waits for. The last run (and its logs) stays until the next one starts.
 */
export function helmHookAnnotations(events: string): Record<string, string> {
  return { "helm.sh/hook": events, "helm.sh/hook-delete-policy": "before-hook-creation" };
}
