import { parseArgs, type ParseArgsConfig } from "util";

/** What a command may touch of its process: passed in, so commands run the same in tests. */
export interface CommandIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly stdout: { write(chunk: string | Uint8Array): unknown };
  readonly stderr: { write(chunk: string | Uint8Array): unknown };
}

/** This process's own: what an entry point passes to its command. */
export function processIo(): CommandIo {
  return { env: process.env, cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr };
}

/** The longest line a command prints about a problem, whatever the input it quotes. */
export const MESSAGE_MAX = 2000;

/**
 * A message as one line of at most `max` characters: line breaks and other control characters
 * become spaces (a message can quote input), and a longer message is cut, saying so.
 */
export function oneLine(message: string, max = MESSAGE_MAX): string {
  const line = message.replace(/[ ]*[\u0000-\u001f\u007f]+[\u0000-\u001f\u007f ]*/g, " ").trim();
  return line.length > max ? `${line.slice(0, max)}... (cut at ${max} characters)` : line;
}

/** The message of anything thrown, as one bounded line. */
export function describeError(error: unknown, max = 500): string {
  return oneLine(error instanceof Error ? error.message : String(error), max);
}

/**
 * Runs an entry point's command and sets the exit code. A command reports what it expects as
 * findings or usage errors itself, and names the step an unexpected error happened in; anything
 * that still escapes is a bug, said in one line without a stack trace unless GITPOD_CDKTF_DEBUG=1.
 */
export function runMain(name: string, command: (io: CommandIo) => Promise<number>): void {
  const io = processIo();
  const debug = io.env.GITPOD_CDKTF_DEBUG === "1";
  const report = (error: unknown) => {
    io.stderr.write(`${name}: internal error: ${describeError(error)}\n`);
    if (debug && error instanceof Error) io.stderr.write(`${error.stack}\n`);
  };
  // An error thrown outside the command's promise (a stream's error event, a timer): one line too.
  process.on("uncaughtException", (error) => {
    // A reader that went away (`| head`) is no error of the command: stop quietly.
    if ((error as NodeJS.ErrnoException).code === "EPIPE") process.exit(process.exitCode ?? 0);
    report(error);
    process.exit(1);
  });
  command(io).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      report(error);
      process.exitCode = 1;
    },
  );
}

/** A value from the command line, quoted (control characters escaped) and cut. */
export function quoted(value: string, max = 60): string {
  return `${JSON.stringify(value.slice(0, max))}${value.length > max ? ` (cut, ${value.length} characters)` : ""}`;
}

/** An argument as typed, when it is plain and short; quoted and cut otherwise. */
export function shown(arg: string): string {
  return /^[\x21-\x7e]{1,60}$/.test(arg) ? arg : quoted(arg);
}

export interface CommandOptionsSpec<T extends NonNullable<ParseArgsConfig["options"]>> {
  /** The command's word, e.g. `preflight`. */
  readonly command: string;
  readonly options: T;
  /** The options as the messages name them, e.g. "--json and --timeout <seconds>". */
  readonly described: string;
}

/**
 * A command's options (no positional arguments), or what is wrong with the arguments as one
 * line naming the argument: util.parseArgs' own errors are reworded.
 */
export function parseCommandOptions<T extends NonNullable<ParseArgsConfig["options"]>>(args: readonly string[], spec: CommandOptionsSpec<T>) {
  try {
    return { values: parseArgs({ args: [...args], options: spec.options, strict: true, allowPositionals: false }).values };
  } catch (error) {
    return { error: describeParseError(error as Error & { code?: string }, args, spec) };
  }
}

function describeParseError(error: Error & { code?: string }, args: readonly string[], spec: CommandOptionsSpec<NonNullable<ParseArgsConfig["options"]>>): string {
  const option = /'(-[^' ]+)/.exec(error.message)?.[1];
  const known = new Set(Object.entries(spec.options).flatMap(([name, { short }]) => [`--${name}`, ...(short === undefined ? [] : [`-${short}`])]));
  switch (error.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION": {
      const typed = args.find((arg) => arg.startsWith("-") && !known.has(arg.split("=")[0])) ?? option ?? "";
      return `unknown option ${shown(typed.split("=")[0])}: the options are ${spec.described}`;
    }
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      if (/argument missing/.test(error.message)) return `${option} needs a value`;
      if (/ambiguous/.test(error.message)) return `${option} needs a value; for a value that starts with "-", write ${option}=<value>`;
      return `${option} takes no value`;
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL": {
      const positional = args.find((arg) => !arg.startsWith("-")) ?? "";
      return `unexpected argument ${shown(positional)}: ${spec.command} takes no arguments, only options`;
    }
    default:
      return oneLine(error.message.split("\n")[0], 200);
  }
}

/**
 * A command's answer instead of running: a bad argument is one line on stderr (exit 2), `--help`
 * the usage on stdout (exit 0).
 */
export function answerUsage(options: { error: string } | { help: true }, io: CommandIo, usage: { name: string; text: string; seeHelp: string }): number {
  if ("help" in options) {
    io.stdout.write(usage.text);
    return 0;
  }
  io.stderr.write(`${usage.name}: ${oneLine(options.error)}; ${usage.seeHelp}\n`);
  return 2;
}
