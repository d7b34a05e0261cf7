/** Command-line arguments of `npm run bench`; every mistake is a UsageError saying what to write. */
import { parseArguments, UsageError } from "../command-line";
import { DEFAULT_RUNS, LARGEST_CONFIG, MEASUREMENT_IDS, type MeasurementId } from "./measurements";

export const DEFAULT_CONFIG = LARGEST_CONFIG;
export const DEFAULT_OUTPUT = "bench-results.json";

export interface BenchArguments {
  readonly runs: Readonly<Record<MeasurementId, number>>;
  /** The measurements to run, in the table's order (--only, less --skip). */
  readonly only: readonly MeasurementId[];
  /** As given (relative to where the user ran npm), or undefined for the default in the project root. */
  readonly config?: string;
  readonly output?: string;
  /** Exit 1 when a target is missed. */
  readonly check: boolean;
  /** Print the table as Markdown (for the README). */
  readonly markdown: boolean;
  readonly help: boolean;
}

export const BENCH_USAGE = `usage: npm run bench -- [options]

  --runs N | ID=N[,ID=N...]  runs per measurement (default ${Object.entries(DEFAULT_RUNS).map(([id, n]) => `${id}=${n}`).join(",")})
  --only ID[,ID...]          measure only these: ${MEASUREMENT_IDS.join(", ")}
  --skip ID[,ID...]          measure all but these (e.g. --skip npm-test, which takes minutes)
  --config FILE              config the synths use (default ${DEFAULT_CONFIG}; largest always uses ${LARGEST_CONFIG})
  --output FILE              JSON results (default ${DEFAULT_OUTPUT})
  --check                    exit 1 when a target is missed (default: report only)
  --markdown                 print the tables as Markdown
  --help                     this text
`;

export function parseBenchArguments(argv: readonly string[], defaultRuns: Readonly<Record<MeasurementId, number>>): BenchArguments {
  const { values } = parseArguments({
    args: [...argv],
    allowPositionals: false,
    options: {
      runs: { type: "string" },
      only: { type: "string" },
      skip: { type: "string" },
      config: { type: "string" },
      output: { type: "string" },
      check: { type: "boolean", default: false },
      markdown: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.config === "") throw new UsageError("--config: give the path of a config file");
  if (values.output === "") throw new UsageError("--output: give the path of the JSON file to write");
  return {
    runs: values.runs === undefined ? { ...defaultRuns } : parseRuns(values.runs, defaultRuns),
    only: selected(values.only, values.skip),
    ...(values.config === undefined ? {} : { config: values.config }),
    ...(values.output === undefined ? {} : { output: values.output }),
    check: values.check,
    markdown: values.markdown,
    help: values.help,
  };
}

/** "3" (every measurement) or "floor=5,tests=2" (the others keep their default). */
function parseRuns(spec: string, defaults: Readonly<Record<MeasurementId, number>>): Record<MeasurementId, number> {
  if (/^[0-9]+$/.test(spec)) {
    const n = runCount(spec, "--runs");
    return Object.fromEntries(MEASUREMENT_IDS.map((id) => [id, n])) as Record<MeasurementId, number>;
  }
  const runs = { ...defaults };
  for (const entry of spec.split(",")) {
    const [id, count, ...rest] = entry.split("=");
    if (count === undefined || rest.length > 0) {
      throw new UsageError(`--runs: "${entry}" is not ID=N; write e.g. --runs app=10,tests=2, or --runs 3 for all`);
    }
    runs[measurementId(id.trim(), "--runs")] = runCount(count.trim(), `--runs ${id}`);
  }
  return runs;
}

function selected(only: string | undefined, skip: string | undefined): MeasurementId[] {
  const ids = (spec: string, option: string) => new Set(spec.split(",").map((id) => measurementId(id.trim(), option)));
  const wanted = only === undefined ? new Set(MEASUREMENT_IDS) : ids(only, "--only");
  const skipped = skip === undefined ? new Set<MeasurementId>() : ids(skip, "--skip");
  const chosen = MEASUREMENT_IDS.filter((id) => wanted.has(id) && !skipped.has(id));
  if (chosen.length === 0) throw new UsageError("--only and --skip leave nothing to measure");
  return chosen;
}

function measurementId(id: string, option: string): MeasurementId {
  if (!(MEASUREMENT_IDS as readonly string[]).includes(id)) {
    throw new UsageError(`${option}: "${id}" is not a measurement; known: ${MEASUREMENT_IDS.join(", ")}`);
  }
  return id as MeasurementId;
}

function runCount(text: string, option: string): number {
  const n = Number(text);
  if (!/^[0-9]+$/.test(text) || n < 1 || n > 100) {
    throw new UsageError(`${option}: "${text}" is not a number of runs between 1 and 100`);
  }
  return n;
}
