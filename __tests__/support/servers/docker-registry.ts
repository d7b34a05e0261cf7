/**
 * The CNCF distribution registry (Debian's `docker-registry`) with htpasswd (bcrypt) auth, TLS,
 * and deletes enabled, as the shared test-servers reference describes.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { request, Agent } from "undici";
import type { TestCertificates } from "./certificates";
import { findTool, type Tool } from "../tools";
import { freePort, startProcess, waitUntil } from "./processes";

export const REGISTRY_TOOLS: Tool[] = [findTool("docker-registry", ["--version"]), findTool("htpasswd", ["-nbB", "user", "password"])];

export interface RegistryServer {
  /** host:port */
  readonly address: string;
  /** Every repository the registry lists (those with a folder in its storage). */
  repositories(): string[];
  /** Repositories that still link a blob (what a probe that did not clean up leaves behind). */
  repositoriesWithBlobs(): string[];
  stop(): Promise<void>;
}

export interface RegistryOptions {
  readonly dir: string;
  readonly tls: TestCertificates;
  /** htpasswd users (user -> password), or a token service that signs with `rootCertificateFile`'s key. */
  readonly auth:
    | { readonly htpasswd: Readonly<Record<string, string>> }
    | { readonly token: { readonly realm: string; readonly service: string; readonly issuer: string; readonly rootCertificateFile: string } };
}

export async function startRegistry(options: RegistryOptions): Promise<RegistryServer> {
  const { dir, tls, auth } = options;
  fs.mkdirSync(dir, { recursive: true });
  let authConfig: string;
  if ("htpasswd" in auth) {
    const htpasswd = Object.entries(auth.htpasswd)
      .map(([user, password]) => execFileSync("htpasswd", ["-Bbn", user, password], { encoding: "utf8" }).trim())
      .join("\n");
    fs.writeFileSync(path.join(dir, "htpasswd"), htpasswd + "\n");
    authConfig = `  htpasswd:\n    realm: preflight-test\n    path: ${path.join(dir, "htpasswd")}\n`;
  } else {
    const { realm, service, issuer, rootCertificateFile } = auth.token;
    authConfig = `  token:\n    realm: ${realm}\n    service: ${service}\n    issuer: ${issuer}\n    rootcertbundle: ${rootCertificateFile}\n`;
  }
  const port = await freePort();
  const storage = path.join(dir, "storage");
  const config = `version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: ${storage}
  delete:
    enabled: true
http:
  addr: 127.0.0.1:${port}
  secret: preflight-test-secret
  tls:
    certificate: ${tls.certFile}
    key: ${tls.keyFile}
auth:
${authConfig}`;
  fs.writeFileSync(path.join(dir, "config.yml"), config);
  // AWS_CA_BUNDLE (set on this machine) makes the registry's s3 driver crash at start.
  const env = { ...process.env };
  delete env.AWS_CA_BUNDLE;
  const server = startProcess("docker-registry", "docker-registry", ["serve", path.join(dir, "config.yml")], { logDir: dir, env });
  const dispatcher = new Agent({ connect: { ca: tls.caPem } });
  try {
    await waitUntil(
      "docker-registry",
      async () => {
        const response = await request(`https://127.0.0.1:${port}/v2/`, { dispatcher });
        await response.body.dump();
        return response.statusCode === 401;
      },
      server.logFile,
    );
  } finally {
    await dispatcher.close();
  }
  const repositoriesRoot = path.join(storage, "docker", "registry", "v2", "repositories");
  /** Repository paths below the root: folders that have a `_layers` folder. */
  const repositories = (relative = ""): string[] => {
    const full = path.join(repositoriesRoot, relative);
    if (!fs.existsSync(full)) return [];
    const entries = fs.readdirSync(full, { withFileTypes: true }).filter((entry) => entry.isDirectory());
    return [
      ...(entries.some((entry) => entry.name === "_layers") ? [relative] : []),
      ...entries.filter((entry) => !entry.name.startsWith("_")).flatMap((entry) => repositories(path.join(relative, entry.name))),
    ];
  };
  return {
    address: `127.0.0.1:${port}`,
    repositories: () => repositories(),
    repositoriesWithBlobs: () =>
      repositories().filter((repository) => {
        const links = path.join(repositoriesRoot, repository, "_layers", "sha256");
        return fs.existsSync(links) && fs.readdirSync(links).some((digest) => fs.existsSync(path.join(links, digest, "link")));
      }),
    stop: () => server.stop(),
  };
}
