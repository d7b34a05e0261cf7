/**
 * Input the pipeline cannot run with (arguments, manifest, stack folders, terraform binary).
 * Nothing has been run when one is thrown; the entry point prints the message alone, on one line
 * (no stack trace), and exits 2.
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
  /** Nothing was run: bad arguments, an unusable manifest or stack folder, or no terraform. */
  badInput: 2,
} as const;

/** The longest a value taken from input is shown in a message. */
export const SHOWN_VALUE_MAX = 80;

/**
 * A value from input as a message shows it: JSON-quoted (control characters escaped, so it stays
 * on one line and cannot move the terminal's cursor) and cut to `max` characters.
 */
export function quote(value: string, max = SHOWN_VALUE_MAX): string {
  const quoted = JSON.stringify(value.length > max ? value.slice(0, max) : value);
  return value.length > max ? `${quoted.slice(0, -1)}..." (${value.length} characters)` : quoted;
}

/** Problems joined for one line: the first `max`, then how many more. */
export function joinProblems(problems: readonly string[], max = 5): string {
  const shown = problems.slice(0, max).join("; ");
  return problems.length > max ? `${shown}; and ${problems.length - max} more` : shown;
}

/** The message of anything thrown, on one line and bounded. */
export function errorText(error: unknown, max = 200): string {
  const text = (error instanceof Error ? error.message : String(error)).replace(/[\s\u0000-\u001f\u007f]+/g, " ").trim();
  return text.length > max ? `${text.slice(0, max)}...` : text;
}
