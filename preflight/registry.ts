/**
 * The external container registry, as Gitpod will use it: a Docker Registry HTTP API V2 endpoint
 * that accepts the credentials (Basic, or the Bearer token flow its WWW-Authenticate asks for),
 * and lets them push a blob below the configured path, which is then deleted.
 */
import { createHash, randomBytes } from "crypto";
import { Agent, request, type Dispatcher } from "undici";
import { describeNetworkError, describeTlsError, errorMessage, fail, pass, runSteps, warn, type CheckResult, type Outcome, type Progress, type Step } from "./checks";

export interface RegistryProbe {
  /** host[:port] with the path prefix Gitpod pushes below, e.g. `registry.acme.dev/gitpod`. */
  readonly url: string;
  readonly username: string;
  /** Undefined when its variable is not set. */
  readonly password: string | undefined;
  /** e.g. "TF_VAR_registry_password", for hints. */
  readonly passwordSource: string;
  /**
   * Extra CA to trust for this registry (PEM). The CLI leaves it unset: it trusts the system's
   * CAs and NODE_EXTRA_CA_CERTS, like every Node.js program. Tests use it for their private CA.
   */
  readonly caCertificate?: string;
  readonly timeoutMs: number;
}

export const REGISTRY = "registry";

/**
 * The probe blob goes where Gitpod pushes its first images, `<prefix>/base-images`: registries
 * grant push per repository (Harbor robots, ECR), so this proves the right Gitpod needs, and a
 * registry lists a repository once a blob was pushed to it, even after the blob is deleted, so
 * a repository of the probe's own would be left behind. An unreferenced blob is what every
 * interrupted push leaves; the probe deletes it, or the registry's garbage collection does.
 */
export const PROBE_REPOSITORY_NAME = "base-images";

export function probeRepository(url: string): string {
  const [, ...path] = url.split("/");
  return [...path, PROBE_REPOSITORY_NAME].join("/");
}

interface Challenge {
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
}

/** `Bearer realm="https://auth",service="registry",scope="..."` -> scheme and parameters. */
export function parseChallenge(header: string | undefined): Challenge | undefined {
  if (!header) return undefined;
  const match = /^\s*(\w+)\s*(.*)$/.exec(header);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  for (const [, key, quoted, bare] of match[2].matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)) params[key.toLowerCase()] = quoted ?? bare;
  return { scheme: match[1].toLowerCase(), params };
}

interface Context {
  readonly probe: RegistryProbe;
  readonly base: string;
  readonly repository: string;
  readonly dispatcher?: Dispatcher;
  /** From the unauthenticated GET /v2/. */
  challenge?: Challenge;
  /** The Authorization header value to send, once credentials are accepted. */
  authorization?: string;
  digest?: string;
}

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

async function call(context: Context, method: Dispatcher.HttpMethod, url: string, options: { body?: Buffer; headers?: Record<string, string> } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (context.authorization && !headers.authorization) headers.authorization = context.authorization;
  const response = await request(url, {
    method,
    headers,
    body: options.body,
    dispatcher: context.dispatcher,
    headersTimeout: context.probe.timeoutMs,
    bodyTimeout: context.probe.timeoutMs,
  });
  const body = await response.body.text();
  return { status: response.statusCode, headers: response.headers, body };
}

const header = (answer: Answer, name: string): string | undefined => {
  const value = answer.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** The registry's own error codes (`{"errors":[{"code":"DENIED",...}]}`), for details. */
function registryErrors(answer: Answer): string {
  try {
    const parsed = JSON.parse(answer.body) as { errors?: Array<{ code?: string; message?: string }> };
    const errors = (parsed.errors ?? []).map((error) => [error.code, error.message].filter(Boolean).join(": "));
    if (errors.length > 0) return ` (${errors.join("; ")})`;
  } catch {
    // Not JSON: nothing to add.
  }
  return "";
}

function connectionFailure(error: unknown, target: string): Outcome {
  const tls = describeTlsError(error);
  if (tls) return fail(`${target}: ${tls}`, "the registry must serve HTTPS with a certificate this machine trusts; for a private CA, run with NODE_EXTRA_CA_CERTS=<ca.pem>");
  return fail(describeNetworkError(error, target) ?? `${target}: ${errorMessage(error)}`, "check registry.url, and that this machine may reach the registry");
}

const basic = (probe: RegistryProbe) => `Basic ${Buffer.from(`${probe.username}:${probe.password ?? ""}`).toString("base64")}`;

/** Asks the token service named in the Bearer challenge for a token for the probe repository. */
async function bearerToken(context: Context, challenge: Challenge): Promise<{ token?: string; answer: Answer }> {
  const realm = new URL(challenge.params.realm);
  if (challenge.params.service) realm.searchParams.set("service", challenge.params.service);
  realm.searchParams.set("scope", `repository:${context.repository}:pull,push,delete`);
  const answer = await call(context, "GET", realm.toString(), { headers: { authorization: basic(context.probe) } });
  if (answer.status !== 200) return { answer };
  const parsed = JSON.parse(answer.body) as { token?: string; access_token?: string };
  return { token: parsed.token ?? parsed.access_token, answer };
}

const steps: ReadonlyArray<Step<Context>> = [
  {
    check: "API V2",
    doing: "GET /v2/",
    laterStepsNeedIt: true,
    async run(context) {
      let answer: Answer;
      try {
        answer = await call(context, "GET", `${context.base}/v2/`);
      } catch (error) {
        return connectionFailure(error, context.base);
      }
      const version = header(answer, "docker-distribution-api-version");
      if (version !== "registry/2.0") {
        return fail(
          `${context.base}/v2/ answered HTTP ${answer.status} without the header Docker-Distribution-API-Version: registry/2.0: not a Docker Registry HTTP API V2 endpoint`,
          "registry.url must be the registry's host (with the path prefix Gitpod pushes below), e.g. registry.acme.dev/gitpod, not a web page or another API",
        );
      }
      context.challenge = parseChallenge(header(answer, "www-authenticate"));
      return pass(`${context.base}/v2/ speaks the Docker Registry HTTP API V2 (HTTP ${answer.status})`);
    },
  },
  {
    check: "credentials",
    doing: "logging in",
    laterStepsNeedIt: true,
    async run(context) {
      const { probe, challenge } = context;
      if (probe.password === undefined) {
        return fail(`no password: ${probe.passwordSource} is not set`, `export ${probe.passwordSource}=... (the password or token of ${probe.username})`);
      }
      if (challenge === undefined) return pass("the registry answers without credentials; the push below shows whether they may write");
      const rejected = (answer: Answer) =>
        fail(`the registry rejected ${probe.username}'s credentials (HTTP ${answer.status})${registryErrors(answer)}`, `check registry.username and ${probe.passwordSource}`);
      if (challenge.scheme === "basic") {
        context.authorization = basic(probe);
        const answer = await call(context, "GET", `${context.base}/v2/`);
        if (answer.status === 200) return pass(`${probe.username} accepted (Basic)`);
        return rejected(answer);
      }
      if (challenge.scheme === "bearer" && challenge.params.realm) {
        const { token, answer } = await bearerToken(context, challenge);
        if (!token) return answer.status === 200 ? fail(`the token service ${challenge.params.realm} answered without a token`) : rejected(answer);
        context.authorization = `Bearer ${token}`;
        const check = await call(context, "GET", `${context.base}/v2/`);
        if (check.status === 200) return pass(`${probe.username} accepted (Bearer token from ${new URL(challenge.params.realm).host})`);
        return rejected(check);
      }
      return fail(`the registry asks for an authentication scheme this check does not know: ${challenge.scheme}`);
    },
  },
  {
    check: "push",
    doing: "pushing a probe blob",
    laterStepsNeedIt: true,
    async run(context) {
      const { base, repository, probe } = context;
      const blob = Buffer.concat([Buffer.from("gitpod-cdktf preflight probe blob\n"), randomBytes(32)]);
      const digest = `sha256:${createHash("sha256").update(blob).digest("hex")}`;
      const denied = (answer: Answer, what: string) =>
        fail(
          `${what} in ${repository}: HTTP ${answer.status}${registryErrors(answer)}`,
          answer.status === 401 || answer.status === 403
            ? `allow ${probe.username} to push below ${probe.url} (Gitpod pushes to ${probe.url}/base-images and ${probe.url}/workspace-images)`
            : answer.status === 404
              ? "the registry does not create repositories on push (as ECR): Gitpod needs that"
              : undefined,
        );
      const start = await call(context, "POST", `${base}/v2/${repository}/blobs/uploads/`);
      const location = header(start, "location");
      if (start.status !== 202 || !location) return denied(start, "could not start an upload");
      const upload = new URL(location, base);
      upload.searchParams.set("digest", digest);
      const put = await call(context, "PUT", upload.toString(), { body: blob, headers: { "content-type": "application/octet-stream", "content-length": String(blob.length) } });
      if (put.status !== 201) {
        await call(context, "DELETE", new URL(location, base).toString()).catch(() => undefined);
        return denied(put, "could not upload a blob");
      }
      context.digest = digest;
      const head = await call(context, "HEAD", `${base}/v2/${repository}/blobs/${digest}`);
      if (head.status !== 200) return fail(`pushed ${digest} to ${repository}, but the registry does not find it (HTTP ${head.status})`);
      return pass(`pushed a ${blob.length}-byte blob to ${repository}`);
    },
  },
  {
    check: "delete",
    doing: "deleting the probe blob",
    laterStepsNeedIt: false,
    async run(context) {
      const { base, repository, digest } = context;
      const answer = await call(context, "DELETE", `${base}/v2/${repository}/blobs/${digest}`);
      if (answer.status === 202) return pass(`deleted the probe blob from ${repository}`);
      if (answer.status === 405) {
        return warn(
          `the registry does not allow deletes (HTTP 405): the probe blob stays in ${repository} until its garbage collection`,
          "Gitpod does not need deletes; enable them (distribution: storage.delete.enabled) to let this check clean up",
        );
      }
      return fail(`could not delete the probe blob from ${repository}: HTTP ${answer.status}${registryErrors(answer)}`);
    },
  },
];

export async function checkRegistry(probe: RegistryProbe, progress: Progress): Promise<CheckResult[]> {
  const host = probe.url.split("/")[0];
  const dispatcher = probe.caCertificate ? new Agent({ connect: { ca: probe.caCertificate } }) : undefined;
  const context: Context = { probe, base: `https://${host}`, repository: probeRepository(probe.url), dispatcher };
  try {
    return await runSteps(REGISTRY, steps, context, progress);
  } finally {
    await dispatcher?.close();
  }
}
