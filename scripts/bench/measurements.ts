/**
 * What `npm run bench` measures. Each measurement is one command, run several times from the
 * project root; the floor is what any synth costs at least (starting Node and loading cdktf).
 */

export const MEASUREMENT_IDS = ["floor", "synth", "cdktf-synth", "tests", "tsc"] as const;
export type MeasurementId = (typeof MEASUREMENT_IDS)[number];

export interface Measurement {
  readonly id: MeasurementId;
  readonly title: string;
  /** Program and arguments; `{outdir}` is replaced by a fresh scratch folder for each run. */
  readonly command: readonly string[];
  /** The command as the table shows it. */
  readonly display: string;
  /** The run writes a synthesized app into `{outdir}`. */
  readonly synthesizes: boolean;
  readonly env?: Readonly<Record<string, string>>;
}

/** Enough runs for a stable median of the fast commands; one of the test suite, which takes longest. */
export const DEFAULT_RUNS: Readonly<Record<MeasurementId, number>> = { floor: 5, synth: 5, "cdktf-synth": 3, tests: 1, tsc: 3 };

export const OUTDIR_PLACEHOLDER = "{outdir}";

/** @param configFile project-relative config the synth measurements use */
export function measurements(configFile: string): Measurement[] {
  const config = { GITPOD_CDKTF_CONFIG: configFile };
  return [
    {
      id: "floor",
      title: "Node loading cdktf (the floor)",
      command: ["node", "-e", 'require("cdktf")'],
      display: `node -e 'require("cdktf")'`,
      synthesizes: false,
    },
    {
      id: "synth",
      title: "full synth, the app command cdktf runs",
      command: ["node", "scripts/run-sources.js", "main.ts"],
      display: "node scripts/run-sources.js main.ts",
      synthesizes: true,
      env: { ...config, CDKTF_OUTDIR: OUTDIR_PLACEHOLDER },
    },
    {
      id: "cdktf-synth",
      title: "full synth through the cdktf CLI",
      command: ["node_modules/.bin/cdktf", "synth", "--output", OUTDIR_PLACEHOLDER],
      display: "cdktf synth --output <tmp>",
      synthesizes: true,
      env: { ...config, CHECKPOINT_DISABLE: "1" },
    },
    {
      id: "tests",
      title: "unit test suite",
      // The unit project (`npm run test:unit` without npm's own start-up); the integration
      // project's servers and Terraform runs are not what this target is about.
      command: ["node_modules/.bin/jest", "--selectProjects", "unit"],
      display: "jest --selectProjects unit",
      synthesizes: false,
    },
    {
      id: "tsc",
      title: "type-check of the whole project",
      // A full check: without the incremental build info a warm run would only check what changed.
      command: ["node_modules/.bin/tsc", "--noEmit", "-p", "tsconfig.json", "--incremental", "false"],
      display: "tsc --noEmit -p tsconfig.json",
      synthesizes: false,
    },
  ];
}
