/**
 * The table and the JSON report: layout, hints, verdict, and redaction of secrets.
 */
import type { CheckResult } from "../../preflight/checks";
import { passed, redact, renderJson, renderTable, summarize } from "../../preflight/report";

const RESULTS: CheckResult[] = [
  { dependency: "database", check: "reachable", status: "pass", detail: "db.acme.dev:3306 accepts connections" },
  { dependency: "database", check: "credentials", status: "fail", detail: "access denied for gitpod", hint: "check TF_VAR_database_password" },
  { dependency: "database", check: "server version", status: "skip", detail: 'not checked: "credentials" failed' },
  { dependency: "cluster", check: "cert-manager", status: "warn", detail: "not yet installed", hint: "apply the cluster-prerequisites stack first" },
];

describe("preflight report", () => {
  it("prints one aligned line per check, a hint under failures and warnings, and a verdict", () => {
    expect(renderTable(RESULTS, [])).toBe(
      [
        "STATUS  DEPENDENCY  CHECK           DETAIL",
        "PASS    database    reachable       db.acme.dev:3306 accepts connections",
        "FAIL    database    credentials     access denied for gitpod",
        "                                    hint: check TF_VAR_database_password",
        'SKIP    database    server version  not checked: "credentials" failed',
        "WARN    cluster     cert-manager    not yet installed",
        "                                    hint: apply the cluster-prerequisites stack first",
        "",
        "preflight failed: 1 failed, 1 warning, 1 passed, 1 skipped",
        "",
      ].join("\n"),
    );
  });

  it("passes a run with warnings but no failure", () => {
    expect(passed(RESULTS)).toBe(false);
    expect(passed(RESULTS.filter((result) => result.status !== "fail"))).toBe(true);
    expect(renderTable(RESULTS.filter((result) => result.status !== "fail"), [])).toContain("preflight passed: 0 failed, 1 warning, 1 passed, 1 skipped");
  });

  it("reports JSON with the verdict, the counts and every check", () => {
    const report = JSON.parse(renderJson(RESULTS, []));
    expect(report).toEqual({ ok: false, summary: summarize(RESULTS), checks: RESULTS });
    expect(report.summary).toEqual({ pass: 1, warn: 1, fail: 1, skip: 1 });
  });

  it("redacts every secret, whatever a server echoed, in the table and in JSON (also with characters JSON escapes)", () => {
    const secret = 'pa"ss\\word';
    const leaky: CheckResult[] = [{ dependency: "registry", check: "credentials", status: "fail", detail: `server said: bad password ${secret}`, hint: `not ${secret}` }];
    const table = renderTable(leaky, [secret]);
    const json = renderJson(leaky, [secret]);
    for (const text of [table, json]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(JSON.stringify(secret).slice(1, -1));
      expect(text).toContain("[redacted]");
    }
    expect(JSON.parse(json).checks[0].detail).toBe("server said: bad password [redacted]");
  });

  it("redacts longer secrets first, so a secret that contains another does not leak its rest", () => {
    expect(redact("token abc123-xyz", ["abc", "abc123-xyz"])).toBe("token [redacted]");
    expect(redact("nothing", [""])).toBe("nothing");
  });
});
