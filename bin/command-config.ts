/** Reading the config for a command; apart from command-io.ts, which the pipeline command loads without the config's schema. */
import { ConfigError } from "../config/errors";
import { loadConfig, type LoadedConfig } from "../config/load";
import type { CommandIo } from "./command-io";

/**
 * The config, read as the app reads it from the command's environment; a configuration problem is
 * written to stderr with what the command did not do (`Nothing was <done>`) and answered with 2.
 */
export function loadCommandConfig(io: CommandIo, name: string, done: string): LoadedConfig | number {
  try {
    return loadConfig({ env: io.env, cwd: io.cwd });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr.write(`${name}: ${error.summary}\nNothing was ${done}; fix the fields above and run again.\n`);
    return 2;
  }
}
