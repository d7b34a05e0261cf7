/**
 * Each source-control provider Gitpod will log users in with: its OAuth client secret is set,
 * its host answers over HTTPS, and the callback URL Gitpod registers is on Gitpod's domain.
 */
import { Agent, request, type Dispatcher } from "undici";
import { describeNetworkError, describeTlsError, errorMessage, fail, pass, runSteps, type CheckResult, type Progress, type Step } from "./checks";

export interface ScmProbe {
  /** The provider's id, e.g. "Public-GitHub". */
  readonly id: string;
  /** host[:port], e.g. github.com or gitlab.acme.dev. */
  readonly host: string;
  /** Gitpod's domain. */
  readonly domain: string;
  /** The callback URL Gitpod will use for this provider (see `gitpodCallbackUrl`). */
  readonly callbackUrl: string;
  /** Whether the client secret's variable is set (the secret itself is not needed here). */
  readonly clientSecretSet: boolean;
  /** e.g. "TF_VAR_scm_public_github_client_secret", for hints. */
  readonly clientSecretSource: string;
  /** Extra CA to trust (tests); the CLI trusts the system's CAs and NODE_EXTRA_CA_CERTS. */
  readonly caCertificate?: string;
  readonly timeoutMs: number;
}

/** The callback URL Gitpod's auth provider secret carries (`oauth.callBackUrl`). */
export function gitpodCallbackUrl(domain: string, host: string): string {
  return `https://${domain}/auth/${host}/callback`;
}

interface Context {
  readonly probe: ScmProbe;
  readonly dispatcher?: Dispatcher;
}

const steps: ReadonlyArray<Step<Context>> = [
  {
    check: "client secret",
    doing: "looking for the OAuth client secret",
    laterStepsNeedIt: false,
    async run({ probe }) {
      if (probe.clientSecretSet) return pass(`${probe.clientSecretSource} is set`);
      return fail(`no client secret: ${probe.clientSecretSource} is not set`, `export ${probe.clientSecretSource}=... (the OAuth app's client secret)`);
    },
  },
  {
    check: "HTTPS",
    doing: "connecting over HTTPS",
    laterStepsNeedIt: false,
    async run({ probe, dispatcher }) {
      const url = `https://${probe.host}/`;
      try {
        const response = await request(url, { method: "GET", dispatcher, headersTimeout: probe.timeoutMs, bodyTimeout: probe.timeoutMs });
        await response.body.dump();
        return pass(`${url} answers (HTTP ${response.statusCode})`);
      } catch (error) {
        const tls = describeTlsError(error);
        if (tls) return fail(`${url}: ${tls}`, "Gitpod reaches the provider over HTTPS and must trust its certificate (for a private CA: Gitpod's customCACert; here NODE_EXTRA_CA_CERTS=<ca.pem>)");
        return fail(describeNetworkError(error, url) ?? `${url}: ${errorMessage(error)}`, `check scm.providers[].host (${probe.host}) and that this machine and the cluster may reach it`);
      }
    },
  },
  {
    check: "callback URL",
    doing: "checking the callback URL",
    laterStepsNeedIt: false,
    async run({ probe }) {
      const expected = gitpodCallbackUrl(probe.domain, probe.host);
      let url: URL;
      try {
        url = new URL(probe.callbackUrl);
      } catch {
        return fail(`${probe.callbackUrl} is not a URL`);
      }
      if (url.protocol !== "https:" || url.host !== probe.domain || probe.callbackUrl !== expected) {
        return fail(`${probe.callbackUrl} is not on Gitpod's domain as Gitpod expects (${expected})`, `register ${expected} as the OAuth app's callback URL`);
      }
      return pass(`${probe.callbackUrl} (register it as the OAuth app's callback URL)`);
    },
  },
];

export async function checkScmProvider(probe: ScmProbe, progress: Progress): Promise<CheckResult[]> {
  const dispatcher = probe.caCertificate ? new Agent({ connect: { ca: probe.caCertificate } }) : undefined;
  try {
    return await runSteps(`scm ${probe.id}`, steps, { probe, dispatcher }, progress);
  } finally {
    await dispatcher?.close();
  }
}
