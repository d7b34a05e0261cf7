import { Release, type ReleaseSetSensitive } from "@cdktf/provider-helm/lib/release";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { LocalChart, type LocalChartProps } from "./local-chart";

export interface ChartReleaseProps extends LocalChartProps {
  readonly releaseName: string;
  readonly namespace: string;
  /** Seconds helm waits for the objects (and hook Jobs) to be ready. Default 600. */
  readonly timeoutSeconds?: number;
  /** Also wait for the chart's Jobs to complete. */
  readonly waitForJobs?: boolean;
  /** Helm values; the chart does not template them, but a change upgrades the release (and runs its hooks). */
  readonly values?: string[];
  readonly setSensitive?: ReleaseSetSensitive[];
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
    this.chart = new LocalChart(this, "chart", props);
    this.release = new Release(this, "release", {
      name: props.releaseName,
      chart: this.chart.chartPath,
      namespace: props.namespace,
      timeout: props.timeoutSeconds ?? 600,
      wait: true,
      waitForJobs: props.waitForJobs,
      atomic: true,
      cleanupOnFail: true,
      values: props.values,
      setSensitive: props.setSensitive,
      dependsOn: props.dependsOn,
    });
  }
}
