/**
 * Read-only access to a Kubernetes API server through a kubeconfig, with everything kubeconfig
 * auth can be (tokens, client certificates, exec plugins such as `aws eks get-token`, auth
 * providers), as kubectl does it. @kubernetes/client-node resolves the credentials; the few GETs
 * the checks need are plain requests with a timeout.
 */
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import { KubeConfig } from "@kubernetes/client-node";
import { KubeconfigError } from "./kubeconfig-error";

export interface KubernetesApi {
  /** The API server's URL, for messages. */
  readonly server: string;
  readonly context: string;
  /** GET `path`; the JSON body (or undefined) and the HTTP status. Network errors are thrown. */
  get<T>(path: string): Promise<{ status: number; body: T | undefined }>;
}

export function openKubernetesApi(configPath: string, context: string | undefined, timeoutMs: number): KubernetesApi {
  if (!fs.existsSync(configPath)) throw new KubeconfigError(`no kubeconfig at ${configPath}`, true);
  const config = new KubeConfig();
  try {
    config.loadFromFile(configPath);
  } catch (error) {
    throw new KubeconfigError(`cannot read the kubeconfig ${configPath}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (context !== undefined) {
    if (!config.getContextObject(context)) {
      const known = config.getContexts().map((c) => c.name);
      throw new KubeconfigError(`context "${context}" is not in ${configPath} (it has: ${known.join(", ") || "none"})`);
    }
    config.setCurrentContext(context);
  }
  const cluster = config.getCurrentCluster();
  if (!cluster) throw new KubeconfigError(`the kubeconfig ${configPath} has no current context with a cluster`);
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
