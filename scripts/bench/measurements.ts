/**
 * What `npm run bench` measures. Each measurement is one command, run several times from the
 * project root; the floor is what any synth costs at least (starting Node and loading cdktf).
 * The synths run warm (after an unmeasured warm-up run: the transpile cache and the OS's file
 * cache are full), as they are for a user who synthesizes again.
 */
import * as fs from "fs";
import * as path from "path";

export const MEASUREMENT_IDS = ["floor", "app", "npm-synth", "edited", "largest", "cdktf-synth", "tests", "npm-test"] as const;
export type MeasurementId = (typeof MEASUREMENT_IDS)[number];

/** The source file whose edit `edited` measures: the composition of the stacks, a typical edit. */
export const EDITED_FILE = "stacks/gitpod-app.ts";
/** The config with the most stacks and resources. */
export const LARGEST_CONFIG = "bench/largest.yaml";

export interface Measurement {
  readonly id: MeasurementId;
  readonly title: string;
  /** Program and arguments; `{outdir}` is replaced by a fresh scratch folder for each run, `{cache}` by the scratch transpile cache. */
  readonly command: readonly string[];
  /** The command as the table shows it. */
  readonly display: string;
  /** The run writes a synthesized app into `{outdir}`. */
  readonly synthesizes: boolean;
  readonly env?: Readonly<Record<string, string>>;
  /** One unmeasured run first (the fast commands; the test suites take too long). */
  readonly warmUp: boolean;
  /** Shown as a ratio to the floor: a synth, of which the floor is the floor. */
  readonly versusFloor: boolean;
  /**
   * The run uses a scratch transpile cache (`{cache}`), filled by the warm-up run; before each run
   * the bench removes the cached output of this project-relative source file, as if it had just
   * been edited.
   */
  readonly edits?: string;
}

/** Enough runs for a stable median of the fast commands; one of each test suite, which take longest. */
export const DEFAULT_RUNS: Readonly<Record<MeasurementId, number>> = {
  floor: 5,
  app: 5,
  "npm-synth": 5,
  edited: 5,
  largest: 5,
  "cdktf-synth": 3,
  tests: 1,
  "npm-test": 1,
};

export const OUTDIR_PLACEHOLDER = "{outdir}";
export const CACHE_PLACEHOLDER = "{cache}";

/** Set in the environment of every measured command: a bench inside `npm test` must not measure `npm test` again. */
export const MEASURING_ENV_VAR = "GITPOD_CDKTF_BENCH_MEASURING";

/**
 * What the cdktf CLI (0.21, @cdktf/cli-core synth-stack.js) adds to the environment of the app
 * command, which it runs through a shell. NODE_OPTIONS is what it sets when the user has none.
 */
export function cdktfAppEnvironment(outdir: string): Record<string, string> {
  return {
    CDKTF_OUTDIR: outdir,
    CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: "true",
    CDKTF_CONTEXT_JSON: JSON.stringify({ cdktfRelativeModules: [] }),
    SYNTH_HCL_OUTPUT: "false",
    NODE_OPTIONS: "--max-old-space-size=4096",
  };
}

/** The app command of cdktf.json, which `cdktf synth` and `cdktf deploy` run. */
export function readAppCommand(root: string): string {
  const file = path.join(root, "cdktf.json");
  const app = (JSON.parse(fs.readFileSync(file, "utf8")) as { app?: unknown }).app;
  if (typeof app !== "string" || app.trim() === "") throw new Error(`${file} has no "app" command`);
  return app;
}

export interface MeasurementSetup {
  /** The app command of cdktf.json. */
  readonly appCommand: string;
  /** The config the synths use (the bench's --config). */
  readonly configFile: string;
  /** bench/largest.yaml, which `largest` always synthesizes. */
  readonly largestConfigFile: string;
}

export function measurements({ appCommand, configFile, largestConfigFile }: MeasurementSetup): Measurement[] {
  const config = { GITPOD_CDKTF_CONFIG: configFile };
  // As the cdktf CLI runs it: through the shell, with its environment.
  const app = { command: ["/bin/sh", "-c", appCommand], synthesizes: true, warmUp: true, versusFloor: true };
  return [
    {
      id: "floor",
      title: "Node loading cdktf (the floor)",
      command: ["node", "-e", 'require("cdktf")'],
      display: `node -e 'require("cdktf")'`,
      synthesizes: false,
      warmUp: true,
      versusFloor: true,
    },
    {
      id: "app",
      title: "full synth: the app command of cdktf.json, as the cdktf CLI runs it",
      ...app,
      display: appCommand,
      env: { ...config, ...cdktfAppEnvironment(OUTDIR_PLACEHOLDER) },
    },
    {
      id: "npm-synth",
      title: "full synth as users type it",
      command: ["npm", "run", "synth"],
      display: "npm run synth",
      synthesizes: true,
      // No check for a newer npm in the middle of a measurement.
      env: { ...config, CDKTF_OUTDIR: OUTDIR_PLACEHOLDER, npm_config_update_notifier: "false" },
      warmUp: true,
      versusFloor: true,
    },
    {
      id: "edited",
      title: `first full synth after editing ${EDITED_FILE} (its output re-transpiled, TypeScript loaded)`,
      ...app,
      display: `${appCommand}, ${EDITED_FILE} edited`,
      env: { ...config, ...cdktfAppEnvironment(OUTDIR_PLACEHOLDER), GITPOD_CDKTF_TRANSPILE_CACHE: CACHE_PLACEHOLDER },
      edits: EDITED_FILE,
    },
    {
      id: "largest",
      title: "full synth of the config with the most stacks and resources, by the app command",
      ...app,
      display: `${appCommand}, ${LARGEST_CONFIG}`,
      env: { GITPOD_CDKTF_CONFIG: largestConfigFile, ...cdktfAppEnvironment(OUTDIR_PLACEHOLDER) },
    },
    {
      id: "cdktf-synth",
      title: "full synth through the cdktf CLI",
      command: ["node_modules/.bin/cdktf", "synth", "--output", OUTDIR_PLACEHOLDER],
      display: "cdktf synth --output <tmp>",
      synthesizes: true,
      env: { ...config, CHECKPOINT_DISABLE: "1" },
      warmUp: true,
      versusFloor: true,
    },
    {
      id: "tests",
      title: "unit test suite",
      // The unit project (`npm run test:unit` without npm's own start-up); the integration
      // project's servers and Terraform runs are not what this target is about.
      command: ["node_modules/.bin/jest", "--selectProjects", "unit"],
      display: "jest --selectProjects unit",
      synthesizes: false,
      warmUp: false,
      versusFloor: false,
    },
    {
      id: "npm-test",
      title: "the whole test suite: type-check, unit and integration projects",
      command: ["npm", "test"],
      display: "npm test",
      synthesizes: false,
      env: { npm_config_update_notifier: "false" },
      warmUp: false,
      versusFloor: false,
    },
  ];
}
