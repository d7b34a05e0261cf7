/**
 * `gitpod-cdktf preflight` (bin/gitpod-cdktf.ts, run from the sources) on hostile input of its own:
 * flags, and the kubeconfig that kubernetes.configPath names. A bad flag is refused in one line with
 * exit 2; a kubeconfig that is a folder, a FIFO (no writer: it must not hang), huge, not text, not
 * YAML, or names a certificate file that is a FIFO, is the "kubeconfig" check's failure, in one row
 * that names the file and the problem (exit 1); a missing one stays a warning (the cluster may not
 * exist yet). Never a stack trace, never a secret, always a bounded output.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { problemsByCase, refusalProblems, runNode } from "../support/hostile-input";
import { sourceArgs } from "../support/run-sources";
import { scratchDir } from "../support/synth";

const TOKEN = "kube-token-Secret-42";
const mkfifo = (file: string) => expect(spawnSync("mkfifo", [file]).status).toBe(0);

function preflight(cwd: string, args: readonly string[]) {
  return runNode(sourceArgs("bin/gitpod-cdktf.ts", "preflight", ...args), { cwd, env: { HOME: cwd }, timeoutMs: 45_000 });
}

const FLAGS: Record<string, { args: string[]; says: RegExp }> = {
  "a huge --timeout": { args: ["--timeout", "9".repeat(100000)], says: /--timeout: must be a whole number of seconds from 1 to 9999 \(got "9{40}" \(cut, 100000 characters\)\)/ },
  "a negative --timeout": { args: ["--timeout=-5"], says: /--timeout: must be a whole number of seconds from 1 to 9999 \(got "-5"\)/ },
  "a negative --timeout, as two arguments": { args: ["--timeout", "-5"], says: /--timeout needs a value; for a value that starts with "-", write --timeout=<value>/ },
  "--timeout NaN": { args: ["--timeout", "NaN"], says: /--timeout: must be a whole number of seconds from 1 to 9999 \(got "NaN"\)/ },
  "--timeout without a value": { args: ["--timeout"], says: /--timeout needs a value/ },
  "a huge unknown option": { args: [`--${"x".repeat(100000)}`], says: /unknown option "--x{58}" \(cut, 100002 characters\): the options are --json and --timeout <seconds>/ },
  "an unknown option with control characters": { args: ["--ver\u001b[2Jbose"], says: /unknown option "--ver\\u001b\[2Jbose": the options are/ },
  "a value for --json": { args: ["--json=yes"], says: /--json takes no value/ },
  "an argument": { args: ["prod"], says: /unexpected argument prod: preflight takes no arguments, only options/ },
};

describe("gitpod-cdktf preflight on hostile flags", () => {
  it("refuses each in one line naming the flag, with exit 2, checking nothing", async () => {
    const dir = scratchDir("preflight-flags-");
    const problems = await problemsByCase(FLAGS, async (_name, { args, says }) =>
      refusalProblems(await preflight(dir, args), { status: 2, prefix: "gitpod-cdktf preflight: ", says }),
    );
    expect(problems).toEqual({});
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

interface KubeconfigCase {
  /** Puts something at `file` (kubernetes.configPath) or leaves it missing. */
  readonly setup: (file: string) => void;
  readonly status: number;
  /** The kubeconfig row of the table. */
  readonly row: RegExp;
}

const kubeconfigWithCa = (file: string, caFile: string) =>
  fs.writeFileSync(
    file,
    `apiVersion: v1
clusters:
- name: c
  cluster: {server: "https://127.0.0.1:9", certificate-authority: ${caFile}}
contexts:
- name: x
  context: {cluster: c, user: u}
current-context: x
users:
- name: u
  user: {token: ${TOKEN}}
`,
  );

const KUBECONFIGS: Record<string, KubeconfigCase> = {
  missing: { setup: () => undefined, status: 0, row: /^WARN +cluster +kubeconfig +not reachable: no kubeconfig at \S+\/kube\/config$/m },
  "a folder": { setup: (file) => fs.mkdirSync(file), status: 1, row: /^FAIL +cluster +kubeconfig +the kubeconfig \S+\/kube\/config is a folder, not a file$/m },
  "a FIFO without a writer": { setup: mkfifo, status: 1, row: /^FAIL +cluster +kubeconfig +the kubeconfig \S+\/kube\/config is a named pipe \(FIFO\), not a file$/m },
  huge: { setup: (file) => fs.writeFileSync(file, `# ${"x".repeat(5 * 1024 * 1024)}\n`), status: 1, row: /^FAIL +cluster +kubeconfig +the kubeconfig \S+\/kube\/config is larger than 4 MiB$/m },
  "not UTF-8": { setup: (file) => fs.writeFileSync(file, Buffer.from([0x61, 0x3a, 0x20, 0xff, 0xfe])), status: 1, row: /^FAIL +cluster +kubeconfig +the kubeconfig \S+\/kube\/config is not UTF-8 text$/m },
  "not YAML, with a token next to the error": {
    setup: (file) => fs.writeFileSync(file, `users:\n- name: u\n  user:\n    token: ${TOKEN}\n  bad: [\n`),
    status: 1,
    row: /^FAIL +cluster +kubeconfig +cannot read the kubeconfig \S+\/kube\/config: not valid YAML: .* \(line \d+, column \d+\)$/m,
  },
  empty: { setup: (file) => fs.writeFileSync(file, ""), status: 1, row: /^FAIL +cluster +kubeconfig +cannot read the kubeconfig \S+\/kube\/config: not valid YAML: .*empty$/m },
  "naming a certificate authority that is a FIFO": {
    setup: (file) => {
      mkfifo(path.join(path.dirname(file), "ca.crt"));
      kubeconfigWithCa(file, "ca.crt");
    },
    status: 1,
    row: /^FAIL +cluster +kubeconfig +the certificate-authority file of the kubeconfig \S+\/kube\/config, \S+\/kube\/ca\.crt, is a named pipe \(FIFO\), not a file$/m,
  },
  "below a file": {
    setup: (file) => {
      fs.rmSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(path.dirname(file), "");
    },
    status: 1,
    row: /^FAIL +cluster +kubeconfig +the kubeconfig \S+\/kube\/config cannot exist: a part of its path is a file, not a folder$/m,
  },
};

describe("gitpod-cdktf preflight on a hostile kubeconfig", () => {
  it("reports each in the kubeconfig row, naming the file and the problem, without hanging, a trace or the token", async () => {
    const problems = await problemsByCase(KUBECONFIGS, async (_name, testCase) => {
      const dir = scratchDir("preflight-kubeconfig-");
      fs.writeFileSync(path.join(dir, "gitpod-cdktf.yaml"), "domain: gitpod.acme.dev\nkubernetes:\n  configPath: ./kube/config\n");
      fs.mkdirSync(path.join(dir, "kube"));
      testCase.setup(path.join(dir, "kube", "config"));
      const result = await preflight(dir, []);
      if (result.hung) return ["did not finish in time (hangs)"];
      const found: string[] = [];
      if (result.status !== testCase.status) found.push(`exit ${result.status}, expected ${testCase.status}: ${result.stderr.slice(-500)}`);
      if (!testCase.row.test(result.stdout)) found.push(`no row matching ${testCase.row}: ${JSON.stringify(result.stdout.split("\n").filter((line) => / kubeconfig /.test(line)))}`);
      if (/\n\s+at /.test(result.stdout + result.stderr)) found.push("a stack trace");
      if ((result.stdout + result.stderr).includes(TOKEN)) found.push("shows the token");
      if (result.stdout.length + result.stderr.length > 10_000) found.push(`${result.stdout.length + result.stderr.length} characters of output`);
      return found;
    });
    expect(problems).toEqual({});
  });
});
