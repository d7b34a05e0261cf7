/** The bench's figures as a plain-text table (the terminal) or a Markdown table (the README). */
import type { MeasurementId } from "./measurements";
import type { BenchReport, Ratios } from "./results";
import { TARGET_CPUS, type TargetResult } from "./targets";

export type Align = "left" | "right";
export type TableFormat = "text" | "markdown";

/** Columns padded to their widest cell; right-aligned columns suit numbers. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[], align: readonly Align[]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (align[column] === "right" ? cell.padStart(widths[column]) : cell.padEnd(widths[column])))
      .join("  ")
      .trimEnd();
  return [line(headers), ...rows.map(line)].join("\n") + "\n";
}

export function formatMarkdownTable(headers: readonly string[], rows: readonly (readonly string[])[], align: readonly Align[]): string {
  const escapeCell = (cell: string) => cell.replace(/\|/g, "\\|");
  const line = (cells: readonly string[]) => `| ${cells.map(escapeCell).join(" | ")} |`;
  const rule = `| ${align.map((side) => (side === "right" ? "---:" : "---")).join(" | ")} |`;
  return [line(headers), rule, ...rows.map(line)].join("\n") + "\n";
}

export function formatSeconds(seconds: number): string {
  return `${seconds < 10 ? seconds.toFixed(2) : seconds.toFixed(1)} s`;
}

export function formatMiB(mib: number): string {
  return `${Math.round(mib)} MiB`;
}

export function formatRatio(value: number | undefined): string {
  return value === undefined ? "-" : `${value.toFixed(2)}×`;
}

function formatTargetValue(target: TargetResult): string {
  if (target.value === undefined) return "-";
  switch (target.unit) {
    case "×":
      return formatRatio(target.value);
    case "s":
      return formatSeconds(target.value);
    case "stacks":
      return `${target.value} stack${target.value === 1 ? "" : "s"}`;
  }
}

function formatTargetLimit(target: TargetResult): string {
  switch (target.unit) {
    case "×":
      return `${target.limit}×`;
    case "s":
      return `${target.limit} s`;
    case "stacks":
      return `${target.limit}`;
  }
}

/** "X exited with status 1; its last output:\n...\nlast line" as "X exited with status 1: last line". */
function failureSummary(message: string): string {
  const [first, ...output] = message.split("\n");
  const last = output.map((line) => line.trim()).filter((line) => line !== "").pop();
  return last === undefined ? first : `${first.replace(/; its last output:$/, "")}: ${last}`;
}

export function formatReport(report: BenchReport, format: TableFormat = "text"): string {
  const table = format === "markdown" ? formatMarkdownTable : formatTable;
  const { machine } = report;
  // Ratios are shown for the synths, the only commands the floor is a floor of.
  const ratioOf = (id: MeasurementId): Ratios => (id === "floor" ? { time: 1, memory: 1 } : (report.ratios[id] ?? {}));
  const measurementRows = report.measurements.map((result) => {
    const ratios = ratioOf(result.id);
    return [
      result.id,
      format === "markdown" ? `\`${result.command}\`` : result.command,
      String(result.runs),
      formatSeconds(result.medianSeconds),
      formatRatio(ratios.time),
      result.medianCpuSeconds === undefined ? "-" : formatSeconds(result.medianCpuSeconds),
      formatMiB(result.medianPeakRssMiB),
      formatRatio(ratios.memory),
    ];
  });
  const targetRows = report.targets.map((target) => [
    target.description,
    formatTargetValue(target),
    formatTargetLimit(target),
    target.status + (target.note && target.status !== "PASS" ? ` (${target.note})` : ""),
  ]);
  const header = [
    `machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.totalMemoryMiB} MiB, Node ${machine.node}, ${machine.platform}`,
    `config: ${report.config}; times (wall, and CPU of the process tree) are medians; memory: ${report.memoryMethod}, median of the runs`,
  ];
  if (machine.cpus !== TARGET_CPUS) header.push(`note: the targets are set for a ${TARGET_CPUS}-core machine; this one has ${machine.cpus}`);
  if (machine.loadAverage > machine.cpus / 2) {
    header.push(`note: the machine was busy (load average ${machine.loadAverage} on ${machine.cpus} CPUs at the start): times are inflated`);
  }
  const failures = report.failures.map((failure) => `FAILED: ${failure.id} (${failure.command}): ${failureSummary(failure.message)}`);
  return [
    header.join(format === "markdown" ? "  \n" : "\n") + "\n",
    table(
      ["measurement", "command", "runs", "time", "× floor", "CPU", "peak RSS", "× floor"],
      measurementRows,
      ["left", "left", "right", "right", "right", "right", "right", "right"],
    ),
    table(["target", "value", "limit", "result"], targetRows, ["left", "right", "right", "left"]),
    ...(failures.length > 0 ? [failures.join("\n") + "\n"] : []),
  ].join("\n");
}
