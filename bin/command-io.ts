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

/**
 * Runs an entry point's command and sets the exit code. A command reports what it expects as
 * findings or usage errors itself; anything it throws is a bug, said in one line without a stack
 * trace unless GITPOD_CDKTF_DEBUG=1.
 */
export function runMain(name: string, command: (io: CommandIo) => Promise<number>): void {
  const io = processIo();
  command(io).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      io.stderr.write(`${name}: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
      if (io.env.GITPOD_CDKTF_DEBUG === "1" && error instanceof Error) io.stderr.write(`${error.stack}\n`);
      process.exitCode = 1;
    },
  );
}
