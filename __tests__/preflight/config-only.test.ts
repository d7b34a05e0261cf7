/**
 * What preflight says from the config alone. The installer image's row: a tag alone warns
 * (whoever can push the tag chooses what runs with the installer's rights), a digest passes;
 * docs/security.md, "The installer's rights". The sign-ups row: open sign-ups on a public
 * source-control host warn.
 */
import { checkInstallerImage, isPinnedByDigest } from "../../preflight/images";
import { preflightInputs } from "../../preflight/inputs";
import { checkSignUps } from "../../preflight/sign-ups";
import { runPreflight } from "../../preflight/run";
import { config } from "../support/synth";

const DIGEST = `sha256:${"0123456789abcdef".repeat(4)}`;
const options = { env: {}, homeDir: "/home/ops", cwd: "/work/infra", timeoutMs: 1000 };

describe("the installer image check", () => {
  it("warns about a tag, saying why and how to find the digest", () => {
    const result = checkInstallerImage("eu.gcr.io/gitpod-core-dev/build/installer:release-2022.11.3");
    expect(result).toMatchObject({ dependency: "gitpod", check: "installer image", status: "warn" });
    expect(result.detail).toBe(
      "referenced by tag only: eu.gcr.io/gitpod-core-dev/build/installer:release-2022.11.3; whoever can push that tag chooses what runs with the installer's rights",
    );
    expect(result.hint).toContain("gitpod.installerImage (eu.gcr.io/gitpod-core-dev/build/installer:release-2022.11.3@sha256:<digest>)");
    expect(result.hint).toContain("crane digest eu.gcr.io/gitpod-core-dev/build/installer:release-2022.11.3");
    expect(result.hint).toContain("skopeo inspect --format '{{.Digest}}' docker://eu.gcr.io/gitpod-core-dev/build/installer:release-2022.11.3");
  });

  it.each([`mirror.acme.dev/gitpod/installer@${DIGEST}`, `mirror.acme.dev/gitpod/installer:release-2022.11.3@${DIGEST}`])("passes %s, pinned by digest", (image) => {
    expect(checkInstallerImage(image)).toEqual({ dependency: "gitpod", check: "installer image", status: "pass", detail: `pinned by digest: ${image}` });
  });

  it("does not take a digest-like tag or a short digest for a digest", () => {
    expect(isPinnedByDigest("mirror.acme.dev/installer:sha256-abc")).toBe(false);
    expect(isPinnedByDigest("mirror.acme.dev/installer@sha256:abc")).toBe(false);
  });

  it("checks the image the config gives, or the default the release stack runs", async () => {
    expect(preflightInputs(config(), options).installerImage).toBe("eu.gcr.io/gitpod-core-dev/build/installer:release-2022.11.3");
    const pinned = config({ gitpod: { installerImage: `mirror.acme.dev/gitpod/installer@${DIGEST}` }, kubernetes: { configPath: "" } });
    const results = await runPreflight(preflightInputs(pinned, options), () => undefined);
    // After the cluster's rows: the installer image, then who may sign up.
    expect(results.filter((result) => result.dependency === "gitpod").map(({ check, status }) => [check, status])).toEqual([
      ["installer image", "pass"],
      ["sign-ups", "pass"],
    ]);
    expect(results.at(-1)).toMatchObject({ dependency: "gitpod", check: "sign-ups" });
  });
});

describe("sign-ups", () => {
  const publicHosts = ["github.com", "gitlab.com", "bitbucket.org"];

  it("warns when anyone with an account on a public host can sign up, and says how to limit it", () => {
    const result = checkSignUps({ hosts: ["gitlab.acme.dev", "github.com"], publicHosts });
    expect(result).toMatchObject({ dependency: "gitpod", check: "sign-ups", status: "warn", detail: "open to anyone with an account on github.com" });
    expect(result.hint).toContain("gitpod.blockNewUsers");
  });

  it("passes when limited to e-mail domains, or when only private hosts can log in", () => {
    expect(checkSignUps({ passlist: ["acme.dev"], hosts: ["github.com"], publicHosts })).toMatchObject({ status: "pass", detail: "limited to e-mail domains acme.dev" });
    expect(checkSignUps({ hosts: ["gitlab.acme.dev"], publicHosts })).toMatchObject({ status: "pass", detail: "open to every user of gitlab.acme.dev (none is public)" });
  });

  it("takes the policy from the config: providers' hosts (the public default of their type) and blockNewUsers", () => {
    const inputs = (extra: Record<string, unknown>) =>
      preflightInputs(config({ scm: { providers: [{ id: "gh", type: "GitHub", clientId: "x" }] }, ...extra }), { env: {}, homeDir: "/home/u", cwd: "/w", timeoutMs: 1000 }).signUps;
    expect(checkSignUps(inputs({})).status).toBe("warn");
    expect(checkSignUps(inputs({ gitpod: { blockNewUsers: { enabled: true, passlist: ["acme.dev"] } } })).status).toBe("pass");
  });
});
