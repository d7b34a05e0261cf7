/**
 * The SCM checks: the host answers HTTPS (a local HTTPS server with the test's CA; a closed port),
 * the callback URL is on Gitpod's domain, the client secret's variable is set.
 */
import * as path from "path";
import type { CheckResult } from "../../preflight/checks";
import { checkScmProvider, gitpodCallbackUrl, type ScmProbe } from "../../preflight/scm";
import { makeCertificates, type TestCertificates } from "../support/servers/certificates";
import { sendJson, startHttpsStub, type StubServer } from "../support/servers/https-stub";
import { freePort } from "../support/servers/processes";
import { scratchDir } from "../support/synth";
import { describeWithTools, findTool } from "../support/tools";

const result = (results: CheckResult[], check: string) => results.find((r) => r.check === check)!;

describe("gitpodCallbackUrl", () => {
  it("is https://<domain>/auth/<host>/callback, as Gitpod's auth provider secret has it", () => {
    expect(gitpodCallbackUrl("gitpod.acme.dev", "gitlab.acme.dev:8443")).toBe("https://gitpod.acme.dev/auth/gitlab.acme.dev:8443/callback");
  });
});

describeWithTools("SCM checks against a local HTTPS host", [findTool("openssl", ["version"])], () => {
  let certificates: TestCertificates;
  let host: StubServer;

  beforeAll(async () => {
    certificates = makeCertificates(path.join(scratchDir("scm-"), "ca"));
    host = await startHttpsStub(certificates, (_request, response) => sendJson(response, 302, {}, { location: "/users/sign_in" }));
  });
  afterAll(() => host?.close());

  const probe = (overrides: Partial<ScmProbe> = {}): ScmProbe => ({
    id: "corp-gitlab",
    host: host.address,
    domain: "gitpod.acme.dev",
    callbackUrl: gitpodCallbackUrl("gitpod.acme.dev", host.address),
    clientSecretSet: true,
    clientSecretSource: "TF_VAR_scm_corp_gitlab_client_secret",
    caCertificate: certificates.caPem,
    timeoutMs: 5000,
    ...overrides,
  });
  const run = (input: ScmProbe) => checkScmProvider(input, () => undefined);

  it("passes a host that answers HTTPS, with the callback URL on Gitpod's domain", async () => {
    const results = await run(probe());
    expect(results.map((r) => `${r.dependency} ${r.check}: ${r.status}`)).toEqual([
      "scm corp-gitlab client secret: pass",
      "scm corp-gitlab HTTPS: pass",
      "scm corp-gitlab callback URL: pass",
    ]);
    expect(result(results, "HTTPS").detail).toBe(`https://${host.address}/ answers (HTTP 302)`);
    expect(result(results, "callback URL").detail).toContain(`https://gitpod.acme.dev/auth/${host.address}/callback`);
  });

  it("fails a host that does not answer HTTPS (closed port); the other checks still run", async () => {
    const closed = `127.0.0.1:${await freePort()}`;
    const results = await run(probe({ host: closed, callbackUrl: gitpodCallbackUrl("gitpod.acme.dev", closed) }));
    expect(result(results, "HTTPS")).toMatchObject({ status: "fail", detail: `https://${closed}/ refused the connection (nothing listens there)` });
    expect(result(results, "callback URL").status).toBe("pass");
  });

  it("fails a host whose certificate is not trusted", async () => {
    const results = await run(probe({ caCertificate: undefined }));
    expect(result(results, "HTTPS").status).toBe("fail");
    expect(result(results, "HTTPS").detail).toContain("TLS verification failed");
  });

  it("fails a callback URL that is not on Gitpod's domain", async () => {
    const results = await run(probe({ callbackUrl: `https://gitpod.other.dev/auth/${host.address}/callback` }));
    expect(result(results, "callback URL")).toMatchObject({ status: "fail" });
    expect(result(results, "callback URL").detail).toContain(`is not on Gitpod's domain as Gitpod expects (https://gitpod.acme.dev/auth/${host.address}/callback)`);
  });

  it("fails when the client secret's variable is not set", async () => {
    const results = await run(probe({ clientSecretSet: false }));
    expect(result(results, "client secret")).toMatchObject({ status: "fail", detail: "no client secret: TF_VAR_scm_corp_gitlab_client_secret is not set" });
  });
});
