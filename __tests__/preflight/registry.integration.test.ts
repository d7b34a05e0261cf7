/**
 * The registry checks against the real distribution registry: with htpasswd (Basic) auth, and
 * with token (Bearer) auth from a token service of the test's own. Plus an HTTPS server that is
 * not a registry.
 */
import { createPrivateKey, sign } from "crypto";
import * as path from "path";
import type { CheckResult } from "../../preflight/checks";
import { checkRegistry, parseChallenge, probeRepository, type RegistryProbe } from "../../preflight/registry";
import { makeCertificates, type TestCertificates } from "../support/servers/certificates";
import { REGISTRY_TOOLS, startRegistry, type RegistryServer } from "../support/servers/docker-registry";
import { sendJson, startHttpsStub, type StubServer } from "../support/servers/https-stub";
import { freePort, stopAll } from "../support/servers/processes";
import { scratchDir } from "../support/synth";
import { describeWithTools, findTool } from "../support/tools";

const USER = "robot-gitpod";
const PASSWORD = "registry-Secret-0815";
const READER = "robot-reader";

const statuses = (results: CheckResult[]) => results.map((result) => `${result.check}: ${result.status}`);
const result = (results: CheckResult[], check: string) => results.find((r) => r.check === check)!;

describe("registry helpers", () => {
  it("parses Basic and Bearer challenges", () => {
    expect(parseChallenge('Basic realm="Registry Realm"')).toEqual({ scheme: "basic", params: { realm: "Registry Realm" } });
    expect(parseChallenge('Bearer realm="https://auth.acme.dev/token",service="registry.acme.dev",scope="repository:a/b:pull"')).toEqual({
      scheme: "bearer",
      params: { realm: "https://auth.acme.dev/token", service: "registry.acme.dev", scope: "repository:a/b:pull" },
    });
    expect(parseChallenge(undefined)).toBeUndefined();
  });

  it("probes the repository Gitpod pushes to first, below the configured path", () => {
    expect(probeRepository("registry.acme.dev/gitpod")).toBe("gitpod/base-images");
    expect(probeRepository("registry.acme.dev:5000/team/gitpod")).toBe("team/gitpod/base-images");
    expect(probeRepository("registry.acme.dev")).toBe("base-images");
  });
});

/**
 * A token service for the registry's `auth.token` mode: checks Basic credentials and issues an
 * ES256 JWT with the requested access, its certificate in `x5c` (what distribution verifies
 * against `rootcertbundle`).
 */
function tokenFor(signer: TestCertificates, service: string, scope: string | null, onlyPull: boolean): string {
  const base64url = (value: Buffer | string) => Buffer.from(value).toString("base64url");
  const der = Buffer.from(signer.certPem.replace(/-----[^-]+-----|\s/g, ""), "base64").toString("base64");
  const header = { typ: "JWT", alg: "ES256", x5c: [der] };
  const now = Math.floor(Date.now() / 1000);
  const access = scope
    ? scope.split(" ").map((entry) => {
        const [type, name, actions] = entry.split(":");
        return { type, name, actions: onlyPull ? ["pull"] : actions.split(",") };
      })
    : [];
  const claims = { iss: "preflight-test-issuer", sub: USER, aud: service, exp: now + 300, nbf: now - 10, iat: now, jti: `${now}`, access };
  const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const signature = sign("sha256", Buffer.from(input), { key: createPrivateKey(signer.keyPem), dsaEncoding: "ieee-p1363" });
  return `${input}.${base64url(signature)}`;
}

describeWithTools("registry checks against the distribution registry", [...REGISTRY_TOOLS, findTool("openssl", ["version"])], () => {
  let certificates: TestCertificates;
  let basicRegistry: RegistryServer;
  let tokenRegistry: RegistryServer;
  let tokenService: StubServer;
  let notARegistry: StubServer;

  beforeAll(async () => {
    const dir = scratchDir("registry-");
    certificates = makeCertificates(path.join(dir, "ca"));
    const signer = makeCertificates(path.join(dir, "token-signer"), "token signer");
    tokenService = await startHttpsStub(certificates, (request, response) => {
      const url = new URL(request.url ?? "/", "https://token");
      const basic = (user: string) => `Basic ${Buffer.from(`${user}:${PASSWORD}`).toString("base64")}`;
      // READER may log in but only pull.
      const user = [USER, READER].find((candidate) => request.headers.authorization === basic(candidate));
      if (!user) return sendJson(response, 401, { details: "wrong credentials" });
      sendJson(response, 200, { token: tokenFor(signer, url.searchParams.get("service") ?? "", url.searchParams.get("scope"), user === READER) });
    });
    notARegistry = await startHttpsStub(certificates, (_request, response) => sendJson(response, 200, {}));
    [basicRegistry, tokenRegistry] = await Promise.all([
      startRegistry({ dir: path.join(dir, "basic"), tls: certificates, auth: { htpasswd: { [USER]: PASSWORD } } }),
      startRegistry({
        dir: path.join(dir, "token"),
        tls: certificates,
        auth: { token: { realm: `https://${tokenService.address}/token`, service: "preflight-registry", issuer: "preflight-test-issuer", rootCertificateFile: signer.certFile } },
      }),
    ]);
  });

  afterAll(() => stopAll([basicRegistry, tokenRegistry, tokenService && { stop: () => tokenService.close() }, notARegistry && { stop: () => notARegistry.close() }]));

  const probe = (registry: { address: string }, overrides: Partial<RegistryProbe> = {}): RegistryProbe => ({
    url: `${registry.address}/gitpod`,
    username: USER,
    password: PASSWORD,
    passwordSource: "TF_VAR_registry_password",
    caCertificate: certificates.caPem,
    timeoutMs: 5000,
    ...overrides,
  });
  const run = (input: RegistryProbe) => checkRegistry(input, () => undefined);

  it("passes with Basic auth: pushes a probe blob below the prefix and deletes it again", async () => {
    const results = await run(probe(basicRegistry));
    expect(statuses(results)).toEqual(["API V2: pass", "credentials: pass", "push: pass", "delete: pass"]);
    expect(result(results, "credentials").detail).toBe(`${USER} accepted (Basic)`);
    expect(result(results, "push").detail).toMatch(/^pushed a \d+-byte blob to gitpod\/base-images$/);
    // No trace but the repository Gitpod pushes to anyway, and no blob in it.
    expect(basicRegistry.repositories()).toEqual(["gitpod/base-images"]);
    expect(basicRegistry.repositoriesWithBlobs()).toEqual([]);
  });

  it("passes with the Bearer token flow the registry asks for", async () => {
    const results = await run(probe(tokenRegistry));
    expect(statuses(results)).toEqual(["API V2: pass", "credentials: pass", "push: pass", "delete: pass"]);
    expect(result(results, "credentials").detail).toBe(`${USER} accepted (Bearer token from ${tokenService.address})`);
    const tokenRequest = tokenService.requests.find((request) => request.url.startsWith("/token"))!;
    expect(new URL(tokenRequest.url, "https://x").searchParams.get("scope")).toBe("repository:gitpod/base-images:pull,push,delete");
    expect(tokenRegistry.repositoriesWithBlobs()).toEqual([]);
  });

  it("fails on a wrong password (Basic), and pushes nothing", async () => {
    const results = await run(probe(basicRegistry, { password: "wrong-registry-password", url: `${basicRegistry.address}/wrong-password` }));
    expect(statuses(results)).toEqual(["API V2: pass", "credentials: fail", "push: skip", "delete: skip"]);
    expect(result(results, "credentials").detail).toContain(`the registry rejected ${USER}'s credentials (HTTP 401)`);
    expect(result(results, "credentials").hint).toBe("check registry.username and TF_VAR_registry_password");
    expect(JSON.stringify(results)).not.toContain("wrong-registry-password");
    expect(basicRegistry.repositories()).not.toContain("wrong-password/base-images");
  });

  it("fails on a wrong password (Bearer: the token service refuses)", async () => {
    const results = await run(probe(tokenRegistry, { password: "wrong-registry-password" }));
    expect(statuses(results)).toEqual(["API V2: pass", "credentials: fail", "push: skip", "delete: skip"]);
  });

  it("fails the push when the user may log in but not push", async () => {
    const results = await run(probe(tokenRegistry, { username: READER }));
    expect(statuses(results)).toEqual(["API V2: pass", "credentials: pass", "push: fail", "delete: skip"]);
    expect(result(results, "push").detail).toContain("could not start an upload in gitpod/base-images: HTTP 401");
    expect(result(results, "push").hint).toContain(`allow ${READER} to push below`);
  });

  it("fails when the password's variable is not set", async () => {
    const results = await run(probe(basicRegistry, { password: undefined }));
    expect(result(results, "credentials")).toMatchObject({ status: "fail", detail: "no password: TF_VAR_registry_password is not set" });
  });

  it("fails an HTTPS endpoint that is not a Docker Registry HTTP API V2", async () => {
    const results = await run(probe(notARegistry));
    expect(statuses(results)).toEqual(["API V2: fail", "credentials: skip", "push: skip", "delete: skip"]);
    expect(result(results, "API V2").detail).toContain("without the header Docker-Distribution-API-Version: registry/2.0");
  });

  it("fails a registry whose certificate this machine does not trust, pointing at NODE_EXTRA_CA_CERTS", async () => {
    const results = await run(probe(basicRegistry, { caCertificate: undefined }));
    expect(result(results, "API V2").status).toBe("fail");
    expect(result(results, "API V2").detail).toContain("TLS verification failed");
    expect(result(results, "API V2").hint).toContain("NODE_EXTRA_CA_CERTS");
  });

  it("fails when nothing listens at the registry's address", async () => {
    const results = await run(probe({ address: `127.0.0.1:${await freePort()}` }));
    expect(result(results, "API V2").detail).toContain("refused the connection");
  });
});
