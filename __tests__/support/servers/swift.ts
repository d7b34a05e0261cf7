/**
 * OpenStack Swift with its S3 API (`s3api` middleware), from Debian's packages: a real S3
 * implementation with SigV4 checks (see the shared test-servers reference). Five processes:
 * memcached, the object, container and account servers, and the proxy that speaks S3.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import { findTool, type Tool } from "../tools";
import { acceptsConnections, freePort, startProcess, stopAll, waitUntil, type ServerProcess } from "./processes";

/** Swift's scripts run on Debian's own Python, whatever `python3` is first on PATH. */
const SYSTEM_PYTHON = "/usr/bin/python3";

export const SWIFT_TOOLS: Tool[] = [
  findTool("swift-proxy-server", ["--help"]),
  findTool("swift-object-server", ["--help"]),
  findTool("memcached", ["--version"]),
  findTool(SYSTEM_PYTHON, ["-c", "import swift.common.ring"]),
];

/** tempauth's user: S3 access key `test:tester`, secret `testing`. */
export const SWIFT_ACCESS_KEY_ID = "test:tester";
export const SWIFT_SECRET_ACCESS_KEY = "testing";
export const SWIFT_REGION = "us-east-1";

export interface SwiftServer {
  /** host:port of the S3 API (plain HTTP). */
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** The three rings (part power 8, one replica, one device each), in one Python process. */
function buildRings(dir: string, ports: { object: number; container: number; account: number }): void {
  const script = `
import sys
from swift.common.ring import RingBuilder
for name, port in (("object", ${ports.object}), ("container", ${ports.container}), ("account", ${ports.account})):
    builder = RingBuilder(8, 1, 1)
    builder.add_dev({"id": 0, "region": 1, "zone": 1, "ip": "127.0.0.1", "port": port, "device": "d1", "weight": 100})
    builder.rebalance()
    builder.get_ring().save("${dir}/%s.ring.gz" % name)
`;
  execFileSync(SYSTEM_PYTHON, ["-c", script], { stdio: ["ignore", "ignore", "pipe"] });
}

function serverConfig(dir: string, kind: string, port: number): string {
  return `[DEFAULT]
bind_ip = 127.0.0.1
bind_port = ${port}
devices = ${dir}/devices
mount_check = false
swift_dir = ${dir}
workers = 0
log_name = ${kind}

[pipeline:main]
pipeline = ${kind}-server

[app:${kind}-server]
use = egg:swift#${kind}
`;
}

function proxyConfig(dir: string, port: number, memcachedPort: number): string {
  // [section name as the pipeline says it, entry point]
  const filters = [
    ["catch_errors", "catch_errors"],
    ["gatekeeper", "gatekeeper"],
    ["healthcheck", "healthcheck"],
    ["proxy-logging", "proxy_logging"],
    ["listing_formats", "listing_formats"],
    ["bulk", "bulk"],
    ["copy", "copy"],
    ["slo", "slo"],
    ["dlo", "dlo"],
  ];
  return `[DEFAULT]
bind_ip = 127.0.0.1
bind_port = ${port}
swift_dir = ${dir}
workers = 0

[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats bulk s3api tempauth copy slo dlo proxy-logging proxy-server

[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true

[filter:tempauth]
use = egg:swift#tempauth
user_test_tester = ${SWIFT_SECRET_ACCESS_KEY} .admin

[filter:s3api]
use = egg:swift#s3api
location = ${SWIFT_REGION}

[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:${memcachedPort}
${filters.map(([name, entryPoint]) => `\n[filter:${name}]\nuse = egg:swift#${entryPoint}\n`).join("")}`;
}

const healthy = (port: number) =>
  new Promise<boolean>((resolve) => {
    http
      .get({ host: "127.0.0.1", port, path: "/healthcheck" }, (response) => {
        response.resume();
        resolve(response.statusCode === 200);
      })
      .on("error", () => resolve(false));
  });

/** Starts Swift in `dir`; ready in a few seconds. */
export async function startSwift(dir: string): Promise<SwiftServer> {
  fs.mkdirSync(path.join(dir, "devices", "d1"), { recursive: true });
  const [object, container, account, proxy, memcached] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  buildRings(dir, { object, container, account });
  const processes: ServerProcess[] = [];
  const options = { logDir: dir, cwd: dir };
  try {
    processes.push(startProcess("memcached", "memcached", ["-l", "127.0.0.1", "-p", String(memcached), "-U", "0", "-u", "root"], options));
    for (const [kind, port] of [["object", object], ["container", container], ["account", account]] as const) {
      const file = path.join(dir, `${kind}-server.conf`);
      fs.writeFileSync(file, serverConfig(dir, kind, port));
      processes.push(startProcess(`${kind}-server`, `swift-${kind}-server`, [file], options));
    }
    const proxyFile = path.join(dir, "proxy-server.conf");
    fs.writeFileSync(proxyFile, proxyConfig(dir, proxy, memcached));
    const proxyProcess = startProcess("proxy-server", "swift-proxy-server", [proxyFile], options);
    processes.push(proxyProcess);
    await waitUntil("swift-proxy-server", () => healthy(proxy), proxyProcess.logFile, 60_000);
    // The proxy answers 503 until the servers behind it listen.
    for (const backend of processes.slice(1, 4)) {
      const port = { "object-server": object, "container-server": container, "account-server": account }[backend.name]!;
      await waitUntil(backend.name, () => acceptsConnections(port), backend.logFile, 60_000);
    }
  } catch (error) {
    await stopAll(processes);
    throw error;
  }
  return { endpoint: `127.0.0.1:${proxy}`, stop: () => stopAll(processes) };
}
