/**
 * `gitpod-cdktf preflight [--json] [--timeout <seconds>]` (also `npm run preflight`): loads the
 * same configuration as the app and the same secrets as Terraform, runs every check, prints the
 * results on stdout and the progress on stderr.
 */
import * as os from "os";
import { NO_CONFIG_FILE } from "../config/load";
import { loadCommandConfig } from "./command-config";
import { passed, redact, renderJson, renderTable, summaryLine } from "../preflight/report";
import { answerUsage, describeError, parseCommandOptions, quoted, type CommandIo } from "./command-io";

export const PREFLIGHT_USAGE = `usage: gitpod-cdktf preflight [--json] [--timeout <seconds>]

Checks every dependency configured as external (database, object storage, registry), each SCM
provider, and the cluster when its kubeconfig is there, before anything is applied. Reads the
config like the app ($GITPOD_CDKTF_CONFIG, ./gitpod-cdktf.yaml) and the secrets from the
variables Terraform reads (TF_VAR_database_password, ...). Trusts the system's CAs and
NODE_EXTRA_CA_CERTS.

options:
  --json               print the results as JSON on stdout (progress stays on stderr)
  --timeout <seconds>  limit for each connection and request (default 10)
  -h, --help           show this help

exit codes: 0 no check failed (warnings allowed), 1 a check failed, 2 bad arguments or config
`;

const DEFAULT_TIMEOUT_SECONDS = 10;
const NAME = "gitpod-cdktf preflight";
const SEE_HELP = `run "${NAME} --help" (npm run preflight -- --help) for the options`;

interface Options {
  readonly json: boolean;
  readonly timeoutMs: number;
}

/** The options, or the message that explains what is wrong with the arguments. */
function parseOptions(args: readonly string[]): Options | { help: true } | { error: string } {
  const parsed = parseCommandOptions(args, {
    command: "preflight",
    options: { json: { type: "boolean", default: false }, timeout: { type: "string" }, help: { type: "boolean", short: "h", default: false } },
    described: "--json and --timeout <seconds>",
  });
  if (parsed.error !== undefined) return { error: parsed.error };
  if (parsed.values.help) return { help: true };
  const timeout = parsed.values.timeout ?? String(DEFAULT_TIMEOUT_SECONDS);
  if (!/^[1-9][0-9]{0,3}$/.test(timeout)) return { error: `--timeout: must be a whole number of seconds from 1 to 9999 (got ${quoted(timeout, 40)})` };
  return { json: parsed.values.json ?? false, timeoutMs: Number(timeout) * 1000 };
}

/** The values of TF_VAR_* variables: secrets to keep out of an unexpected error's message. */
function secretsOf(env: CommandIo["env"]): string[] {
  return Object.entries(env)
    .filter(([name, value]) => name.startsWith("TF_VAR_") && value !== undefined && value.length >= 4)
    .map(([, value]) => value!);
}

export async function preflightCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const options = parseOptions(args);
  if ("error" in options || "help" in options) return answerUsage(options, io, { name: NAME, text: PREFLIGHT_USAGE, seeHelp: SEE_HELP });

  // Each stage names itself if it fails unexpectedly (a bug, or something no check foresaw).
  let stage = "reading the configuration";
  let secrets = secretsOf(io.env);
  try {
    const loaded = loadCommandConfig(io, NAME, "checked");
    if (typeof loaded === "number") return loaded;

    // Loaded on demand: the checks' clients (MySQL, S3, HTTP) are large, and a failure to load
    // them is then named like any other stage.
    stage = "loading the checks";
    const [{ preflightInputs }, { runPreflight }] = await Promise.all([import("../preflight/inputs"), import("../preflight/run")]);

    stage = "preparing the checks from the configuration";
    const inputs = preflightInputs(loaded.config, { env: io.env, homeDir: io.env.HOME ?? os.homedir(), cwd: io.cwd, timeoutMs: options.timeoutMs });
    secrets = [...new Set([...secrets, ...inputs.secrets])];
    const say = (message: string) => io.stderr.write(`preflight: ${redact(message, inputs.secrets)}\n`);
    say(
      loaded.usedDefaults
        ? `${NO_CONFIG_FILE}: checking the built-in defaults, where everything is in-cluster`
        : `config: ${loaded.source}`,
    );

    stage = "running the checks";
    const results = await runPreflight(inputs, say);

    stage = "writing the report";
    io.stdout.write(options.json ? renderJson(results, inputs.secrets) : renderTable(results, inputs.secrets));
    // The verdict for a person watching a pipeline; the table has it at its end.
    if (options.json) io.stderr.write(`${summaryLine(results)}\n`);
    return passed(results) ? 0 : 1;
  } catch (error) {
    io.stderr.write(`${NAME}: ${stage} failed unexpectedly: ${redact(describeError(error), secrets)}\n`);
    if (io.env.GITPOD_CDKTF_DEBUG === "1" && error instanceof Error) io.stderr.write(`${redact(String(error.stack), secrets)}\n`);
    return 1;
  }
}
