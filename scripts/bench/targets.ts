/**
 * The speed targets of the project (on a 2-core machine). The bench checks them and prints
 * PASS/FAIL; the test suite never does, because wall-clock time depends on the machine.
 */
import type { ProviderUsage } from "../cdktf-out/provider-usage";
import type { MeasurementId } from "./measurements";
import type { MeasurementResult } from "./results";
import { ratio } from "./statistics";

export const TARGET_CPUS = 2;
/** Time of each floor-relative measurement at most this many times the floor's (issue 11). */
export const TIME_MAX_RATIOS = {
  app: 2,
  "npm-synth": 3,
  edited: 4,
  largest: 1.5,
} as const satisfies Partial<Record<MeasurementId, number>>;
export const SYNTH_MEMORY_MAX_RATIO = 2;
export const TESTS_MAX_SECONDS = 30;

export type TargetStatus = "PASS" | "FAIL" | "SKIP";

export interface TargetResult {
  readonly id: string;
  readonly description: string;
  readonly value?: number;
  readonly limit: number;
  readonly unit: "×" | "s" | "stacks";
  readonly status: TargetStatus;
  /** Why it was skipped, or what failed. */
  readonly note?: string;
}

export interface TargetInput {
  readonly results: Partial<Record<MeasurementId, MeasurementResult>>;
  /** From the synthesized output of the first synth measured; absent when none was run. */
  readonly providerUsage?: readonly ProviderUsage[];
}

const TIME_TARGETS: readonly { id: string; measurement: keyof typeof TIME_MAX_RATIOS; what: string }[] = [
  { id: "app-time", measurement: "app", what: "the app command (as cdktf runs it)" },
  { id: "npm-synth-time", measurement: "npm-synth", what: "npm run synth" },
  { id: "edited-time", measurement: "edited", what: "the first synth after an edit" },
  { id: "largest-time", measurement: "largest", what: "the app on the largest config" },
];

export function evaluateTargets({ results, providerUsage }: TargetInput): TargetResult[] {
  const floor = results.floor;
  const skipUnless = (...ids: MeasurementId[]) => {
    const missing = ids.filter((id) => results[id] === undefined);
    return missing.length > 0 ? `not measured: ${missing.join(", ")}` : undefined;
  };
  const unused = providerUsage?.filter((usage) => usage.unused.length > 0) ?? [];
  return [
    ...TIME_TARGETS.map(({ id, measurement, what }) =>
      check({
        id,
        description: `${what} at most ${TIME_MAX_RATIOS[measurement]}× the floor`,
        value: ratio(results[measurement]?.medianSeconds, floor?.medianSeconds),
        limit: TIME_MAX_RATIOS[measurement],
        unit: "×",
        skipped: skipUnless("floor", measurement),
      }),
    ),
    check({
      id: "app-memory",
      description: `the app's peak memory at most ${SYNTH_MEMORY_MAX_RATIO}× the floor`,
      value: ratio(results.app?.medianPeakRssMiB, floor?.medianPeakRssMiB),
      limit: SYNTH_MEMORY_MAX_RATIO,
      unit: "×",
      skipped: skipUnless("floor", "app"),
    }),
    check({
      id: "tests-time",
      description: `unit test suite under ${TESTS_MAX_SECONDS} s`,
      value: results.tests?.medianSeconds,
      limit: TESTS_MAX_SECONDS,
      unit: "s",
      strictlyBelow: true,
      skipped: skipUnless("tests"),
    }),
    check({
      id: "providers-used",
      description: "each stack initialises only the providers it uses",
      value: providerUsage === undefined ? undefined : unused.length,
      limit: 0,
      unit: "stacks",
      skipped: providerUsage === undefined ? "not measured: no synth" : undefined,
      note: unused.map((usage) => `${usage.stack}: ${usage.unused.join(", ")} unused`).join("; ") || undefined,
    }),
  ];
}

function check(spec: {
  id: string;
  description: string;
  value: number | undefined;
  limit: number;
  unit: TargetResult["unit"];
  strictlyBelow?: boolean;
  skipped?: string;
  note?: string;
}): TargetResult {
  const { id, description, value, limit, unit } = spec;
  if (spec.skipped !== undefined || value === undefined) {
    return { id, description, limit, unit, status: "SKIP", note: spec.skipped ?? "no value" };
  }
  const met = spec.strictlyBelow ? value < limit : value <= limit;
  return { id, description, value, limit, unit, status: met ? "PASS" : "FAIL", ...(spec.note ? { note: spec.note } : {}) };
}

/** Every target that was evaluated was met (skipped ones are not misses). */
export function targetsMet(targets: readonly TargetResult[]): boolean {
  return targets.every((target) => target.status !== "FAIL");
}
