/**
 * Command-line arguments of `npm run pipeline`. Parsing is Node's own `util.parseArgs`; this
 * module adds the checks and the messages.
 */
import { parseArgs } from "util";
import { PipelineInputError, quote } from "./errors";

export const COMMANDS = ["plan", "apply"] as const;
export type PipelineCommand = (typeof COMMANDS)[number];

export interface PipelineOptions {
  readonly command: PipelineCommand;
  /** The folder holding manifest.json, as given (relative to the current directory). */
  readonly outdir: string;
  /** Stacks to run; undefined = every stack of the manifest. */
  readonly stacks?: readonly string[];
  /** The terraform binary: a name looked up on PATH, or a path. */
  readonly terraform: string;
  /** How many stacks may run at once (only stacks whose prerequisites are done). */
  readonly parallelism: number;
  /** Print a JSON summary on stdout; terraform's own output then goes to stderr. */
  readonly json: boolean;
  /** Arguments after `--`, appended to every `terraform plan` (e.g. -var-file=prod.tfvars). */
  readonly planArgs: readonly string[];
}

export type ParsedArguments = { readonly help: true } | { readonly help: false; readonly options: PipelineOptions };

export const USAGE = `Usage: npm run pipeline -- <plan|apply> [options] [-- <terraform plan arguments>]

Runs terraform in every stack folder of a synthesized app, in manifest.json dependency order.
  plan    terraform init, then terraform plan -out=<stack>.tfplan, in each stack
  apply   the same, then terraform apply <stack>.tfplan (the plan just made), stack after stack
A stack whose dependency failed is skipped; independent stacks still run.

Options:
  --outdir <dir>        folder holding manifest.json (default: cdktf.out)
  --stacks <a,b,...>    only these stacks (their dependencies are not added; they read their
                        dependencies' last applied state)
  --terraform <path>    terraform binary (default: terraform, from PATH)
  --parallelism <n>     run up to n independent stacks at once (default: 1)
  --json                print a JSON summary on stdout (terraform's output goes to stderr)
  -h, --help            show this help

Arguments after "--" are passed to every terraform plan, e.g. -- -var-file=prod.tfvars -refresh=false
Exit status: 0 all succeeded, 1 a stack failed or was skipped, 2 bad arguments or manifest (nothing ran).`;

const OPTIONS = {
  outdir: { type: "string" },
  stacks: { type: "string", multiple: true },
  terraform: { type: "string" },
  parallelism: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** One line: what is wrong, what to do, and where the usage is. */
function usageError(problem: string): PipelineInputError {
  return new PipelineInputError(`${problem}; run "npm run pipeline -- --help" for usage`);
}

/** An argument as typed, when it is plain and short; quoted and cut otherwise. */
function shown(arg: string): string {
  return /^[\x21-\x7e]{1,80}$/.test(arg) ? arg : quote(arg);
}

/** Parses `argv` (the arguments after the script name). Throws PipelineInputError on bad input. */
export function parsePipelineArguments(argv: readonly string[]): ParsedArguments {
  const terminator = argv.indexOf("--");
  const own = terminator === -1 ? [...argv] : argv.slice(0, terminator);
  const planArgs = terminator === -1 ? [] : argv.slice(terminator + 1);
  // Node refuses such arguments only when it starts terraform, with a message quoting them.
  if (argv.some((arg) => arg.includes("\0"))) throw usageError("an argument contains a NUL character");

  let parsed;
  try {
    parsed = parseArgs({ args: own, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw usageError(describeParseError(error as Error & { code?: string }, own));
  }
  const { values, positionals } = parsed;
  if (values.help) return { help: true };

  if (positionals.length === 0) throw usageError(`missing command: expected one of ${COMMANDS.join(", ")}`);
  const [command, ...extra] = positionals;
  if (!isCommand(command)) throw usageError(`unknown command ${quote(command)}: expected one of ${COMMANDS.join(", ")}`);
  if (extra.length > 0) {
    throw usageError(
      `unexpected argument ${quote(extra[0])}: terraform arguments go after "--" (npm run pipeline -- ${command} -- ${shown(extra[0])})`,
    );
  }
  return {
    help: false,
    options: {
      command,
      outdir: nonEmpty("--outdir", values.outdir) ?? "cdktf.out",
      stacks: values.stacks === undefined ? undefined : parseStackList(values.stacks),
      terraform: nonEmpty("--terraform", values.terraform) ?? "terraform",
      parallelism: values.parallelism === undefined ? 1 : parseParallelism(values.parallelism),
      json: values.json ?? false,
      planArgs,
    },
  };
}

function isCommand(value: string): value is PipelineCommand {
  return (COMMANDS as readonly string[]).includes(value);
}

function nonEmpty(option: string, value: string | undefined): string | undefined {
  if (value !== undefined && value.trim() === "") throw usageError(`${option}: must not be empty`);
  return value;
}

/** `--stacks a,b --stacks c` -> [a, b, c], duplicates removed, order kept. */
function parseStackList(values: readonly string[]): string[] {
  const ids = values.flatMap((value) => value.split(",")).map((id) => id.trim());
  if (ids.some((id) => id === "")) {
    throw usageError(`--stacks: expected stack ids separated by commas, such as --stacks gitpod-installation-secrets,gitpod-release (got ${quote(values.join(","))})`);
  }
  return [...new Set(ids)];
}

function parseParallelism(value: string): number {
  if (!/^[1-9][0-9]{0,2}$/.test(value)) throw usageError(`--parallelism: expected a whole number from 1 to 999 (got ${quote(value)})`);
  return Number(value);
}

/** util.parseArgs' errors, reworded: which argument, what is wrong, what to do. */
function describeParseError(error: Error & { code?: string }, args: readonly string[]): string {
  const option = /'(-[^' ]+)/.exec(error.message)?.[1];
  switch (error.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION": {
      // parseArgs names "-r" for "-refresh=false": show the argument as it was typed.
      const typed = firstUnknownOption(args) ?? option;
      const command = args.find(isCommand) ?? "plan";
      // A -var or -backend-config typed before "--" carries a value that may be a secret.
      const typedShown = typed === undefined ? "" : shown(typed.replace(/^(--?(?:var|backend-config)=)([^=]*)=.*$/s, "$1$2=(hidden)"));
      return `unknown option ${typedShown}: terraform options go after "--" (npm run pipeline -- ${command} -- ${typedShown})`;
    }
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      if (/argument missing/.test(error.message)) return `${option} needs a value`;
      if (/ambiguous/.test(error.message)) return `${option} needs a value; for a value that starts with "-", write ${option}=<value>`;
      return `${option} takes no value`;
    default:
      return error.message.split("\n")[0].slice(0, 200);
  }
}

function firstUnknownOption(args: readonly string[]): string | undefined {
  // Option values starting with "-" are rejected by parseArgs before this runs (as ambiguous).
  return args.find((arg) => {
    if (!arg.startsWith("-") || arg === "-") return false;
    const name = arg.split("=")[0];
    return !(name === "-h" || (name.startsWith("--") && name.slice(2) in OPTIONS));
  });
}
