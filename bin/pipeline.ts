#!/usr/bin/env node
/**
 * `npm run pipeline -- <plan|apply> [options]`: runs plain terraform over cdktf.out/stacks/* in
 * manifest.json order, for pipelines that never run the cdktf CLI. See docs/pipelines.md, "Existing
 * Terraform pipelines". The edge of the command: arguments, environment, signals, exit code.
 */
import { parsePipelineArguments, USAGE } from "../pipeline/arguments";
import { EXIT, PipelineInputError } from "../pipeline/errors";
import { jsonSummary } from "../pipeline/report";
import { runPipeline } from "../pipeline/run-pipeline";
import { TerraformProcesses } from "../pipeline/terraform-process";
import { oneLine, runMain, type CommandIo } from "./command-io";

const SIGNAL_EXIT: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 };

export async function pipelineCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const processes = new TerraformProcesses();
  let interruptedBy: NodeJS.Signals | undefined;
  // On CI cancel or Ctrl-C: start no further stack, let running terraform stop cleanly (it
  // releases state locks), then report. Terraform gets each interrupt exactly once.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (interruptedBy === undefined) {
        io.stderr.write(`pipeline: ${signal} received: no further stack is started; waiting for running terraform to stop\n`);
      }
      interruptedBy ??= signal;
      processes.interrupt(signal);
    });
  }

  try {
    const parsed = parsePipelineArguments(args);
    if (parsed.help) {
      io.stdout.write(`${USAGE}\n`);
      return EXIT.ok;
    }
    const summary = await runPipeline(parsed.options, {
      ...io,
      processes,
      isCancelled: () => interruptedBy !== undefined,
      now: () => performance.now(),
    });
    if (parsed.options.json) io.stdout.write(jsonSummary(summary));
    if (interruptedBy !== undefined) return SIGNAL_EXIT[interruptedBy] ?? EXIT.stackFailed;
    return summary.succeeded ? EXIT.ok : EXIT.stackFailed;
  } catch (error) {
    if (!(error instanceof PipelineInputError)) throw error;
    io.stderr.write(`pipeline: ${oneLine(error.message)}\n`);
    return EXIT.badInput;
  }
}

if (require.main === module) {
  runMain("pipeline", (io) => pipelineCommand(process.argv.slice(2), io));
}
