/**
 * The preflight's results for people (a table, hints under failures and warnings) and for
 * pipelines (JSON). Both pass through `redact`: no secret reaches the output, even if a server
 * echoed one into an error message.
 */
import type { CheckResult, CheckStatus } from "./checks";

export type Summary = Readonly<Record<CheckStatus, number>>;

export function summarize(results: readonly CheckResult[]): Summary {
  const summary: Record<CheckStatus, number> = { pass: 0, warn: 0, fail: 0, skip: 0 };
  for (const result of results) summary[result.status] += 1;
  return summary;
}

/** Warnings do not fail a run. */
export const passed = (results: readonly CheckResult[]) => results.every((result) => result.status !== "fail");

export const REDACTED = "[redacted]";

/** Replaces every occurrence of each secret (longest first, so one inside another cannot leak). */
export function redact(text: string, secrets: readonly string[]): string {
  return [...secrets]
    .filter((secret) => secret.length > 0)
    .sort((a, b) => b.length - a.length)
    .reduce((redacted, secret) => redacted.split(secret).join(REDACTED), text);
}

const LABEL: Readonly<Record<CheckStatus, string>> = { pass: "PASS", warn: "WARN", fail: "FAIL", skip: "SKIP" };

export function summaryLine(results: readonly CheckResult[]): string {
  const { pass, warn, fail, skip } = summarize(results);
  const verdict = fail > 0 ? "failed" : "passed";
  return `preflight ${verdict}: ${fail} failed, ${warn} warning${warn === 1 ? "" : "s"}, ${pass} passed, ${skip} skipped`;
}

/** One line per check: STATUS, DEPENDENCY, CHECK, DETAIL; a `hint:` line under failures and warnings. */
export function renderTable(results: readonly CheckResult[], secrets: readonly string[]): string {
  const header = { status: "STATUS", dependency: "DEPENDENCY", check: "CHECK" };
  const width = (values: string[]) => Math.max(...values.map((value) => value.length));
  const dependencyWidth = width([header.dependency, ...results.map((result) => result.dependency)]);
  const checkWidth = width([header.check, ...results.map((result) => result.check)]);
  const statusWidth = header.status.length;
  const row = (status: string, dependency: string, check: string, detail: string) =>
    `${status.padEnd(statusWidth)}  ${dependency.padEnd(dependencyWidth)}  ${check.padEnd(checkWidth)}  ${detail}`.trimEnd();
  const indent = " ".repeat(statusWidth + dependencyWidth + checkWidth + 6);
  const lines = [row(header.status, header.dependency, header.check, "DETAIL")];
  for (const result of results) {
    lines.push(row(LABEL[result.status], result.dependency, result.check, result.detail));
    if (result.hint && (result.status === "fail" || result.status === "warn")) lines.push(`${indent}hint: ${result.hint}`);
  }
  lines.push("", summaryLine(results));
  return redact(lines.join("\n") + "\n", secrets);
}

export interface JsonReport {
  readonly ok: boolean;
  readonly summary: Summary;
  readonly checks: readonly CheckResult[];
}

export function renderJson(results: readonly CheckResult[], secrets: readonly string[]): string {
  // Redacted field by field: a secret with characters JSON escapes would not match in the text.
  const checks = results.map((result) => {
    const redacted: Record<string, string> = {};
    for (const [key, value] of Object.entries(result)) redacted[key] = redact(String(value), secrets);
    return redacted as unknown as CheckResult;
  });
  const report: JsonReport = { ok: passed(results), summary: summarize(results), checks };
  return JSON.stringify(report, null, 2) + "\n";
}
