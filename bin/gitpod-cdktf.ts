#!/usr/bin/env node
/**
 * `gitpod-cdktf <command>`: the project's commands besides the cdktf app (main.ts), installed as
 * the package's `bin` (`npx gitpod-cdktf preflight`). Exit codes: 0 done, 1 the command found a
 * problem, 2 bad arguments or configuration.
 */
import { imagesCommand } from "./images-command";
import { pipelineCommand } from "./pipeline";
import { preflightCommand } from "./preflight-command";
import { runMain, type CommandIo } from "./command-io";

const USAGE = `usage: gitpod-cdktf <command> [options]

commands:
  preflight   check the external database, object storage, registry, SCM hosts and the cluster
              before anything is applied (gitpod-cdktf preflight --help)
  pipeline    plan or apply cdktf.out/stacks/* with plain terraform, in dependency order
              (gitpod-cdktf pipeline --help)
  images      list the container images, Helm charts and Terraform providers the config's stacks
              pull, and how to list Gitpod's own, for a private mirror (gitpod-cdktf images --help)
`;

export async function main(args: readonly string[], io: CommandIo): Promise<number> {
  const [command, ...rest] = args;
  switch (command) {
    case "preflight":
      return preflightCommand(rest, io);
    case "pipeline":
      return pipelineCommand(rest, io);
    case "images":
      return imagesCommand(rest, io);
    case "help":
    case "--help":
    case "-h":
      io.stdout.write(USAGE);
      return 0;
    case undefined:
      io.stderr.write(`gitpod-cdktf: missing command: expected preflight, pipeline or images; run "gitpod-cdktf --help" for usage\n`);
      return 2;
    default:
      io.stderr.write(`gitpod-cdktf: unknown command ${quote(command)}: expected preflight, pipeline or images; run "gitpod-cdktf --help" for usage\n`);
      return 2;
  }
}

/** A command name from the command line, quoted and cut: it stays on one line, whatever was typed. */
function quote(value: string): string {
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}...` : value);
}

if (require.main === module) {
  runMain("gitpod-cdktf", (io) => main(process.argv.slice(2), io));
}

