/**
 * How users run the project's commands: through scripts/run-sources.js, which runs the TypeScript
 * sources as they are (the app command of cdktf.json and every npm script).
 */
import * as path from "path";

export const ROOT = path.resolve(__dirname, "..", "..");
export const RUN_SOURCES = path.join(ROOT, "scripts", "run-sources.js");

/** Node arguments that run `entry` (a project-relative .ts file) with `args`. */
export function sourceArgs(entry: string, ...args: string[]): string[] {
  return [RUN_SOURCES, path.join(ROOT, entry), ...args];
}

/** Node arguments that make require() load the project's .ts files (e.g. before `-e`). */
export const REQUIRE_SOURCES = ["-r", RUN_SOURCES];
