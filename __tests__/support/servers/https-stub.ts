/**
 * Small HTTPS servers of the tests' own: a web server that is not a registry, a token service,
 * a recorded Kubernetes API. Each answers from a handler and is closed by the test.
 */
import * as https from "https";
import type { AddressInfo } from "net";
import type { IncomingMessage, ServerResponse } from "http";
import type { TestCertificates } from "./certificates";

export interface StubServer {
  /** host:port */
  readonly address: string;
  /** Requests seen so far: method, path and the Authorization header. */
  readonly requests: Array<{ method: string; url: string; authorization?: string }>;
  close(): Promise<void>;
}

export async function startHttpsStub(tls: TestCertificates, handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<StubServer> {
  const requests: StubServer["requests"] = [];
  const server = https.createServer({ cert: tls.certPem, key: tls.keyPem }, (request, response) => {
    requests.push({ method: request.method ?? "", url: request.url ?? "", authorization: request.headers.authorization });
    handler(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { "content-type": "application/json", ...headers });
  response.end(JSON.stringify(body));
}
