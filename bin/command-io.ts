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
