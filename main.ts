#!/usr/bin/env node
/**
 * gitpod-cdktf: load the configuration, synthesize the stacks. cdktf runs it from the sources
 * (cdktf.json: `node scripts/run-sources.js main.ts`), as `npm run synth` does.
 */
import { ConfigError } from "./config/errors";
import { loadConfig, NO_CONFIG_FILE } from "./config/load";
import { OutputFolderError, synthesize } from "./stacks/gitpod-app";

function main(): number {
  let loaded;
  try {
    loaded = loadConfig({ env: process.env, cwd: process.cwd() });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`gitpod-cdktf: ${error.message}\n`);
    // 2, as for the other commands: the input cannot be used (1 is left for failures of the app).
    return 2;
  }
  // Only errors go to stderr: the cdktf CLI shows everything an app writes there as [ERROR] lines.
  if (loaded.usedDefaults) {
    process.stdout.write(`gitpod-cdktf: ${NO_CONFIG_FILE}: using the built-in defaults, an all-in-cluster installation for ${loaded.config.domain}\n`);
  }
  let synthesized: ReturnType<typeof synthesize>;
  try {
    synthesized = synthesize(loaded.config);
  } catch (error) {
    if (!(error instanceof OutputFolderError)) throw error;
    process.stderr.write(`gitpod-cdktf: ${error.message}\n`);
    return 2;
  }
  const { outdir, stackIds } = synthesized;
  process.stdout.write(`gitpod-cdktf: synthesized ${stackIds.join(", ")} into ${outdir} (config: ${loaded.source})\n`);
  return 0;
}

process.exitCode = main();
