/**
 * Input the pipeline cannot run with (arguments, manifest, terraform binary). Nothing has been run
 * when one is thrown; the entry point prints the message alone (no stack trace) and exits 2.
 */
export class PipelineInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PipelineInputError";
  }
}

/** Exit codes of `npm run pipeline`, as documented in docs/pipelines.md. */
export const EXIT = {
  /** Every selected stack ran and succeeded. */
  ok: 0,
  /** A stack failed; its dependants were skipped. */
  stackFailed: 1,
  /** Nothing was run: bad arguments, an unusable manifest, or no terraform. */
  badInput: 2,
} as const;
