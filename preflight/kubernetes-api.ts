/**
 * Read-only access to a Kubernetes API server through a kubeconfig, with everything kubeconfig
 * auth can be (tokens, client certificates, exec plugins such as `aws eks get-token`, auth
 * providers), as kubectl does it. @kubernetes/client-node resolves the credentials; the few GETs
 * the checks need are plain requests with a timeout.
 */
import * as http from "http";
import * as https from "https";
import * as path from "path";
import { KubeConfig } from "@kubernetes/client-node";
import { describeKind, formatBytes, readTextFile, statPath } from "../util/input-file";
import { KubeconfigError } from "./kubeconfig-error";

export interface KubernetesApi {
  /** The API server's URL, for messages. */
  readonly server: string;
  readonly context: string;
  /** GET `path`; the JSON body (or undefined) and the HTTP status. Network errors are thrown. */
  get<T>(path: string): Promise<{ status: number; body: T | undefined }>;
}

/** Kubeconfigs with many clusters and embedded certificates stay far below this. */
export const KUBECONFIG_MAX_BYTES = 4 * 1024 * 1024;
/** Certificates and keys a kubeconfig names by path. */
const REFERENCED_FILE_MAX_BYTES = 1024 * 1024;

export function openKubernetesApi(configPath: string, context: string | undefined, timeoutMs: number): KubernetesApi {
  // Read here, not by KubeConfig.loadFromFile: only a regular file, bounded (a FIFO would hang).
  const read = readTextFile(configPath, KUBECONFIG_MAX_BYTES);
  if ("problem" in read) {
    if (read.missing) throw new KubeconfigError(`no kubeconfig at ${configPath}`, true);
    throw new KubeconfigError(`the kubeconfig ${configPath} ${read.problem}`);
  }
  const config = new KubeConfig();
  try {
    config.loadFromString(read.text);
    config.makePathsAbsolute(path.dirname(configPath));
  } catch (error) {
    throw new KubeconfigError(`cannot read the kubeconfig ${configPath}: ${describeLoadError(error)}`);
  }
  if (context !== undefined) {
    if (!config.getContextObject(context)) {
      const known = config.getContexts().map((c) => c.name);
      const shown = known.length > 10 ? `${known.slice(0, 10).join(", ")} and ${known.length - 10} more` : known.join(", ");
      throw new KubeconfigError(`context "${context}" is not in ${configPath} (it has: ${shown || "none"})`);
    }
    config.setCurrentContext(context);
  }
  const cluster = config.getCurrentCluster();
  if (!cluster) throw new KubeconfigError(`the kubeconfig ${configPath} has no current context with a cluster`);
  // The client reads these when it connects, without looking at what they are.
  const user = config.getCurrentUser();
  for (const [field, file] of [
    ["certificate-authority", cluster.caFile],
    ["client-certificate", user?.certFile],
    ["client-key", user?.keyFile],
  ] as const) {
    if (file === undefined || file === "") continue;
    const found = statPath(file);
    const problem =
      "problem" in found
        ? found.problem
        : !found.stats.isFile()
          ? `is ${describeKind(found.stats)}, not a file`
          : found.stats.size > REFERENCED_FILE_MAX_BYTES
            ? `is larger than ${formatBytes(REFERENCED_FILE_MAX_BYTES)}`
            : undefined;
    if (problem !== undefined) throw new KubeconfigError(`the ${field} file of the kubeconfig ${configPath}, ${file}, ${problem}`);
  }
  const server = cluster.server.replace(/\/+$/, "");

  return {
    server,
    context: config.getCurrentContext(),
    async get<T>(path: string) {
      const options: https.RequestOptions = { method: "GET", headers: { accept: "application/json" }, timeout: timeoutMs };
      await config.applyToHTTPSOptions(options);
      const url = new URL(server + path);
      const transport = url.protocol === "http:" ? http : https;
      return new Promise<{ status: number; body: T | undefined }>((resolve, reject) => {
        const req = transport.request(url, options, (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            let body: T | undefined;
            try {
              body = text ? (JSON.parse(text) as T) : undefined;
            } catch {
              body = undefined;
            }
            resolve({ status: response.statusCode ?? 0, body });
          });
          response.on("error", reject);
        });
        req.on("timeout", () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs / 1000} s`), { code: "ETIMEDOUT" })));
        req.on("error", reject);
        req.end();
      });
    },
  };
}

/**
 * Why a kubeconfig does not load, in one line. A YAML error is its reason and position only: the
 * parser's own message quotes the lines around it, which can hold a token or a key.
 */
function describeLoadError(error: unknown): string {
  const yaml = error as { name?: string; reason?: string; mark?: { line?: number; column?: number } } | null;
  if (yaml?.name === "YAMLException") {
    const at = yaml.mark?.line === undefined ? "" : ` (line ${yaml.mark.line + 1}, column ${(yaml.mark.column ?? 0) + 1})`;
    return `not valid YAML: ${yaml.reason ?? "syntax error"}${at}`;
  }
  if (error instanceof TypeError) return "it is empty or not a kubeconfig (no clusters, contexts and users)";
  const message = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, " ").trim();
  return message.length > 200 ? `${message.slice(0, 200)}...` : message;
}
