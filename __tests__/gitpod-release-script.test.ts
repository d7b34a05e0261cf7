/**
 * gitpod-release.sh, run with /bin/sh against fake `installer`, `helm`, `kubectl` and `yq`
 * executables that record their arguments and act out the situations the script must handle.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { RELEASE_SCRIPT_PATH } from "../modules/gitpod/gitpod-installation";
import { readTree, scratchDir } from "./support/synth";

const FAKES: Record<string, string> = {
  installer: `
echo "installer $*" >> "$FAKE_LOG"
if [ "$1 $2" = "validate config" ]; then
  if [ "\${FAKE_VALIDATE_FAILS:-}" = 1 ]; then echo '{"valid": false, "fatal": ["Field domain is required"]}'; exit 1; fi
  echo '{"valid": true}'; exit 0
fi
if [ "$1" = render ]; then
  [ "\${FAKE_RENDER_FAILS:-}" = 1 ] && { echo "render: boom" >&2; exit 1; }
  while [ $# -gt 0 ]; do [ "$1" = --output-split-files ] && dir=$2; shift; done
  [ "\${FAKE_RENDER_EMPTY:-}" = 1 ] && exit 0
  cp "$FAKE_FIXTURES"/*.yaml "$dir"/
  exit 0
fi
exit 99`,
  kubectl: `
echo "kubectl $*" >> "$FAKE_LOG"
count=$(( $(cat "$FAKE_STATE/kubectl-calls" 2>/dev/null || echo 0) + 1 ))
echo "$count" > "$FAKE_STATE/kubectl-calls"
[ "\${FAKE_TLS_AFTER:-0}" = never ] && exit 1
[ "$count" -gt "\${FAKE_TLS_AFTER:-0}" ]`,
  helm: `
echo "helm $*" >> "$FAKE_LOG"
case $1 in
  status)
    [ -z "\${FAKE_HELM_STATUS:-}" ] && { echo "Error: release: not found" >&2; exit 1; }
    printf 'NAME: gitpod\\nLAST DEPLOYED: Mon Nov 23 10:00:00 2026\\nNAMESPACE: gitpod\\nSTATUS: %s\\nREVISION: %s\\n' "$FAKE_HELM_STATUS" "\${FAKE_HELM_REVISION:-1}" ;;
  upgrade) cp -r "$3" "$FAKE_STATE/installed-chart"; exit "\${FAKE_UPGRADE_EXIT:-0}" ;;
  uninstall | rollback) exit 0 ;;
  *) exit 99 ;;
esac`,
  yq: `
echo "yq $*" >> "$FAKE_LOG"
for last; do :; done
echo "# annotated by yq" >> "$last"`,
};

const FIXTURES: Record<string, string> = {
  "000_ServiceAccount_server.yaml": "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: server\n",
  "001_ConfigMap_ws-proxy.yaml": 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ws-proxy\ndata:\n  template: "{{ .Host }}"\n',
  "002_PersistentVolumeClaim_registry.yaml": "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: registry\n",
};

interface Run {
  status: number | null;
  stderr: string;
  calls: string[];
  installedChart?: Record<string, string>;
  workDir: string;
}

function run(action: string, env: Record<string, string> = {}): Run {
  const dir = scratchDir("release-script-");
  const bin = path.join(dir, "bin");
  const fixtures = path.join(dir, "fixtures");
  const state = path.join(dir, "state");
  for (const folder of [bin, fixtures, state]) fs.mkdirSync(folder);
  for (const [name, body] of Object.entries(FAKES)) fs.writeFileSync(path.join(bin, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  for (const [name, body] of Object.entries(FIXTURES)) fs.writeFileSync(path.join(fixtures, name), body);
  const configFile = path.join(dir, "gitpod.config.yaml");
  fs.writeFileSync(configFile, "apiVersion: v1\ndomain: gitpod.acme.dev\n");
  const log = path.join(dir, "calls.log");
  fs.writeFileSync(log, "");
  const workDir = path.join(dir, "work");

  const result = spawnSync("/bin/sh", [RELEASE_SCRIPT_PATH, action], {
    encoding: "utf8",
    env: {
      PATH: `${bin}:/usr/bin:/bin`,
      NAMESPACE: "gitpod",
      RENDER_SEED: "1234567890123456789",
      CONFIG_FILE: configFile,
      INSTALLER: path.join(bin, "installer"),
      WORK_DIR: workDir,
      GITPOD_VERSION: "2022.11.3",
      POLL_SECONDS: "0",
      TIMEOUT_SECONDS: "600",
      FAKE_LOG: log,
      FAKE_STATE: state,
      FAKE_FIXTURES: fixtures,
      ...env,
    },
  });
  const installed = path.join(state, "installed-chart");
  return {
    status: result.status,
    stderr: result.stderr,
    calls: fs.readFileSync(log, "utf8").trim().split("\n").filter(Boolean).map((line) => line.split(dir).join("<dir>")),
    installedChart: fs.existsSync(installed) ? readTree(installed) : undefined,
    workDir,
  };
}

const CHART = "<dir>/work/chart";

describe("gitpod-release.sh apply", () => {
  const ok = run("apply");

  it("validates, waits for TLS, renders with the seed, then installs atomically", () => {
    expect(ok.status).toBe(0);
    expect(ok.calls).toEqual([
      "installer validate config --config <dir>/gitpod.config.yaml",
      "kubectl get secret https-certificates --namespace gitpod",
      "installer render --config <dir>/gitpod.config.yaml --namespace gitpod --seed 1234567890123456789 --output-split-files <dir>/work/objects",
      `yq e -i .metadata.annotations."helm.sh/resource-policy" = "keep" <dir>/work/objects/002_PersistentVolumeClaim_registry.yaml`,
      "helm status gitpod --namespace gitpod",
      `helm upgrade gitpod ${CHART} --install --atomic --cleanup-on-fail --wait --timeout 600s --namespace gitpod`,
    ]);
    expect(ok.stderr).toContain("gitpod-release: rendered 3 objects");
    expect(ok.stderr).toContain("gitpod-release: release gitpod is deployed");
  });

  it("wraps the rendered objects in a chart that includes them as a file, so {{ needs no escaping", () => {
    const chart = ok.installedChart!;
    expect(Object.keys(chart).sort()).toEqual(["Chart.yaml", "gitpod.yaml", "templates/gitpod.yaml"]);
    expect(chart["templates/gitpod.yaml"]).toBe('{{ .Files.Get "gitpod.yaml" }}\n');
    expect(chart["Chart.yaml"]).toContain("name: gitpod\n");
    expect(chart["Chart.yaml"]).toContain('appVersion: "2022.11.3"\n');
    // Every object, in render order, separated as YAML documents, "{{" untouched.
    const objects = Object.keys(FIXTURES).map((name) => FIXTURES[name] + (name.includes("PersistentVolumeClaim") ? "# annotated by yq\n" : ""));
    expect(chart["gitpod.yaml"]).toBe(objects.map((body) => `---\n${body}`).join(""));
    expect(chart["gitpod.yaml"]).toContain('template: "{{ .Host }}"');
  });

  it("leaves volumes to Helm when KEEP_VOLUMES is false", () => {
    const result = run("apply", { KEEP_VOLUMES: "false" });
    expect(result.status).toBe(0);
    expect(result.calls.filter((c) => c.startsWith("yq"))).toEqual([]);
    expect(result.installedChart!["gitpod.yaml"]).not.toContain("annotated by yq");
  });

  it("renders with --use-experimental-config when the config has an experimental section", () => {
    const result = run("apply", { USE_EXPERIMENTAL_CONFIG: "true" });
    expect(result.calls).toContainEqual(expect.stringMatching(/^installer render .* --use-experimental-config$/));
  });

  it("waits for the TLS secret until cert-manager has issued it", () => {
    const result = run("apply", { FAKE_TLS_AFTER: "3" });
    expect(result.status).toBe(0);
    expect(result.calls.filter((c) => c.startsWith("kubectl get secret https-certificates"))).toHaveLength(4);
    expect(result.stderr).toContain("waiting up to 600s for TLS secret https-certificates");
  });

  it("gives up on a TLS secret that never appears, says where to look, and installs nothing", () => {
    const result = run("apply", { FAKE_TLS_AFTER: "never", TIMEOUT_SECONDS: "0", TLS_SECRET: "my-tls" });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      "ERROR: TLS secret my-tls did not appear in namespace gitpod within 0s; check its Certificate: kubectl describe certificate --namespace gitpod",
    );
    expect(result.calls.some((c) => c.startsWith("installer render") || c.startsWith("helm upgrade"))).toBe(false);
  });

  it("stops when the installer rejects the config, before touching the cluster", () => {
    const result = run("apply", { FAKE_VALIDATE_FAILS: "1" });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("ERROR: the installer rejected the configuration");
    expect(result.calls).toEqual(["installer validate config --config <dir>/gitpod.config.yaml"]);
  });

  it.each([
    ["missing", {}],
    ["zero", { RENDER_SEED: "0" }],
    ["not a number", { RENDER_SEED: "12ab" }],
  ])("refuses a %s render seed (random credentials would change on every upgrade)", (_, env) => {
    const result = run("apply", { RENDER_SEED: "", ...env });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("RENDER_SEED must be a positive integer");
    expect(result.calls).toEqual([]);
  });

  it("fails when render fails or renders nothing, without installing", () => {
    for (const [env, message] of [
      [{ FAKE_RENDER_FAILS: "1" }, "ERROR: installer render failed"],
      [{ FAKE_RENDER_EMPTY: "1" }, "ERROR: installer render produced no objects"],
    ] as const) {
      const result = run("apply", env);
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(message);
      expect(result.calls.some((c) => c.startsWith("helm upgrade"))).toBe(false);
    }
  });

  it("reports a failed (and rolled back) upgrade as a failure", () => {
    const result = run("apply", { FAKE_UPGRADE_EXIT: "1" });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("ERROR: helm upgrade failed and was rolled back");
  });

  it("undoes an interrupted first install before installing again", () => {
    const result = run("apply", { FAKE_HELM_STATUS: "pending-install", FAKE_HELM_REVISION: "1" });
    expect(result.status).toBe(0);
    const helm = result.calls.filter((c) => c.startsWith("helm"));
    expect(helm).toEqual([
      "helm status gitpod --namespace gitpod",
      "helm status gitpod --namespace gitpod",
      "helm uninstall gitpod --namespace gitpod --wait",
      `helm upgrade gitpod ${CHART} --install --atomic --cleanup-on-fail --wait --timeout 600s --namespace gitpod`,
    ]);
  });

  it("rolls back an interrupted upgrade before upgrading again", () => {
    const result = run("apply", { FAKE_HELM_STATUS: "pending-upgrade", FAKE_HELM_REVISION: "4" });
    expect(result.calls).toContain("helm rollback gitpod --namespace gitpod --wait");
    expect(result.calls).not.toContain("helm uninstall gitpod --namespace gitpod --wait");
    expect(result.calls[result.calls.length - 1]).toMatch(/^helm upgrade gitpod /);
  });

  it("upgrades a deployed release directly", () => {
    const result = run("apply", { FAKE_HELM_STATUS: "deployed", FAKE_HELM_REVISION: "7" });
    expect(result.calls.filter((c) => /^helm (rollback|uninstall)/.test(c))).toEqual([]);
    expect(result.status).toBe(0);
  });
});

describe("gitpod-release.sh uninstall", () => {
  it("uninstalls an installed release and waits for its objects to go", () => {
    const result = run("uninstall", { FAKE_HELM_STATUS: "deployed", TIMEOUT_SECONDS: "900" });
    expect(result.status).toBe(0);
    expect(result.calls).toEqual(["helm status gitpod --namespace gitpod", "helm uninstall gitpod --namespace gitpod --wait --timeout 900s"]);
  });

  it("succeeds without doing anything when nothing is installed", () => {
    const result = run("uninstall");
    expect(result.status).toBe(0);
    expect(result.calls).toEqual(["helm status gitpod --namespace gitpod"]);
    expect(result.stderr).toContain("nothing to uninstall");
  });
});

it("rejects an unknown action with a usage message", () => {
  const result = run("destroy");
  expect(result.status).toBe(2);
  expect(result.stderr).toContain("usage:");
  expect(result.calls).toEqual([]);
});
