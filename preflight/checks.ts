/**
 * What every preflight check reports, and the runner that executes one dependency's checks in
 * order, skipping those that a failure made meaningless.
 */

/** `warn` never fails the run; `skip` says why a check did not run. */
export type CheckStatus = "pass" | "warn" | "fail" | "skip";

export interface CheckResult {
  /** e.g. "database", "registry", "scm Public-GitHub", "cluster". */
  readonly dependency: string;
  /** e.g. "credentials". */
  readonly check: string;
  readonly status: CheckStatus;
  /** What was found, in one line. */
  readonly detail: string;
  /** What to do about it (failures and warnings). */
  readonly hint?: string;
}

/** Receives one line per step while checks run (the CLI prints them on stderr). */
export type Progress = (message: string) => void;

export interface Outcome {
  readonly status: "pass" | "warn" | "fail";
  readonly detail: string;
  readonly hint?: string;
  /**
   * Set on a warning that, like a failure, leaves nothing for the later checks to look at
   * (e.g. a cluster that is not reachable).
   */
  readonly stop?: boolean;
}

export interface MajorMinor {
  readonly major: number;
  readonly minor: number;
}

/** Whether a version is `minimum` or newer. */
export const atLeast = (found: MajorMinor, minimum: MajorMinor): boolean =>
  found.major > minimum.major || (found.major === minimum.major && found.minor >= minimum.minor);

export const pass = (detail: string): Outcome => ({ status: "pass", detail });
export const warn = (detail: string, hint?: string): Outcome => ({ status: "warn", detail, hint });
export const fail = (detail: string, hint?: string): Outcome => ({ status: "fail", detail, hint });

export interface Step<Context> {
  readonly check: string;
  /** Shown as progress before the step runs, e.g. "connecting to db.acme.dev:3306". */
  readonly doing: string;
  /**
   * Whether the later steps still mean something after this one failed (e.g. a wrong
   * explicit_defaults_for_timestamp does not stop the CREATE DATABASE check; no connection does).
   */
  readonly laterStepsNeedIt: boolean;
  run(context: Context): Promise<Outcome>;
}

/**
 * Runs the steps one after the other. After a failure of a step the later ones need (or a
 * warning marked `stop`), the remaining steps are reported as skipped, naming the reason.
 * An unexpected exception is a failure of that step, with its message.
 */
export async function runSteps<Context>(
  dependency: string,
  steps: ReadonlyArray<Step<Context>>,
  context: Context,
  progress: Progress,
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  let stoppedBy: string | undefined;
  for (const step of steps) {
    if (stoppedBy !== undefined) {
      results.push({ dependency, check: step.check, status: "skip", detail: `not checked: ${stoppedBy}` });
      continue;
    }
    progress(`${dependency}: ${step.doing}`);
    let outcome: Outcome;
    try {
      outcome = await step.run(context);
    } catch (error) {
      outcome = fail(`unexpected error: ${errorMessage(error)}`);
    }
    results.push({ dependency, check: step.check, ...outcome });
    if ((outcome.status === "fail" && step.laterStepsNeedIt) || outcome.stop) {
      stoppedBy = outcome.status === "fail" ? `"${step.check}" failed` : `see "${step.check}"`;
    }
  }
  return results;
}

/** The message of anything thrown, on one line. */
export function errorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s+/g, " ").trim();
}

/** The `code` of a Node.js or driver error, if it has one. */
export function errorCode(error: unknown): string | undefined {
  if (error !== null && typeof error === "object" && "code" in error && typeof error.code === "string") return error.code;
  return undefined;
}

/** Network errors, explained for a person; undefined for anything else. */
export function describeNetworkError(error: unknown, target: string): string | undefined {
  // undici wraps the socket error as `cause`; some wrappers keep only its message.
  const code =
    errorCode(error) ??
    errorCode((error as { cause?: unknown } | null)?.cause) ??
    /\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|ENETUNREACH)\b/.exec(errorMessage(error))?.[1];
  switch (code) {
    case "ECONNREFUSED":
      return `${target} refused the connection (nothing listens there)`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `${target}: the host name does not resolve`;
    case "ETIMEDOUT":
    case "UND_ERR_CONNECT_TIMEOUT":
    case "ECONNABORTED":
    case "TimeoutError":
      return `${target} did not answer in time`;
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return `${target} is unreachable from here (no route)`;
    case "ECONNRESET":
    case "UND_ERR_SOCKET":
      return `${target} closed the connection`;
    default:
      return undefined;
  }
}

/** TLS errors (certificate not trusted, wrong name, not TLS at all), explained; undefined otherwise. */
export function describeTlsError(error: unknown): string | undefined {
  const cause = (error as { cause?: unknown } | null)?.cause;
  const code = errorCode(error) ?? errorCode(cause) ?? "";
  const message = errorMessage(cause ?? error);
  if (/^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_|HANDSHAKE_SSL)/.test(code) || /wrong version number|certificate/i.test(message)) {
    if (/wrong version number|packet length too long/i.test(message)) return "the server does not speak TLS on this port";
    return `TLS verification failed: ${errorMessage(error instanceof Error && error.message ? error : cause)}`;
  }
  return undefined;
}
