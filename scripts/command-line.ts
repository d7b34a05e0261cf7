/**
 * What the project's commands (npm run graph, npm run bench) share at their edge: resolving the
 * user's paths and turning expected errors into one clear line and an exit code, without a stack
 * trace. Anything else is a bug and keeps its trace.
 */
import * as path from "path";
import { parseArgs, type ParseArgsConfig } from "util";

/** A wrong argument; the message says which and what to do. Exit code 2. */
export class UsageError extends Error {}

/** A problem the user can fix (a missing folder, a stale file...). Exit code 1. */
export class CommandError extends Error {}

type ErrorClass = abstract new (...args: never[]) => Error;

export async function runCommand(
  name: string,
  usage: string,
  expected: readonly ErrorClass[],
  main: () => Promise<number> | number,
): Promise<void> {
  try {
    process.exitCode = await main();
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${name}: ${error.message}\n\n${usage}`);
      process.exitCode = 2;
    } else if (error instanceof CommandError || expected.some((kind) => error instanceof kind)) {
      process.stderr.write(`${name}: ${(error as Error).message}\n`);
      process.exitCode = 1;
    } else {
      throw error;
    }
  }
}

/**
 * Paths on the command line are relative to where the user ran `npm run` (INIT_CWD), not to the
 * project root npm switches to.
 */
export function userPath(file: string, env: Readonly<Record<string, string | undefined>>, cwd: string): string {
  return path.resolve(env.INIT_CWD ?? cwd, file);
}

/** A path the user gave (see userPath), or the default, which lives in the project. */
export function userPathOrDefault(file: string | undefined, defaultInProject: string, root: string): string {
  return file === undefined ? path.join(root, defaultInProject) : userPath(file, process.env, process.cwd());
}

/** Node's own parseArgs, its complaints turned into UsageError (usage text, exit code 2). */
export function parseArguments<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
