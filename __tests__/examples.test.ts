/**
 * The runnable examples, one folder per scenario (examples/<scenario>/gitpod-cdktf.yaml and its
 * README.md). Every folder found on disk is checked, so a new example cannot go untested:
 *
 * - its config loads through the app's own loading (config/load.ts: $GITPOD_CDKTF_CONFIG, files
 *   referenced next to the config inlined, every rule of the schema) and the whole app
 *   synthesizes from it;
 * - the stacks its README says are created (the table between `<!-- stacks -->` and
 *   `<!-- /stacks -->`) are exactly the synthesized stack ids;
 * - its README names, as TF_VAR_<name>, every sensitive variable the synthesized stacks declare,
 *   and no TF_VAR_ variable that no stack declares;
 * - the config marks what must be changed (CHANGE ME), and examples/README.md links every example.
 *
 * The all-AWS example is also a config variant (support/config-variants.ts: every generated chart
 * through real helm) and the source of the README's "Everything on AWS" diagram
 * (scripts/graph/readme-diagrams.ts, checked in __tests__/scripts/graph.test.ts); those check
 * other things and read the same file.
 */
import * as fs from "fs";
import * as path from "path";
import { CONFIG_ENV_VAR, DEFAULT_CONFIG_FILE, loadConfig } from "../config/load";
import { terraformVariableEnv } from "../config/schema";
import { synthApp, type SynthesizedApp } from "./support/synth";

const ROOT = path.resolve(__dirname, "..");
const EXAMPLES = path.join(ROOT, "examples");
const STACKS_BLOCK = /<!-- stacks -->\n([\s\S]*?)<!-- \/stacks -->/;

/** Every folder under examples/: each one is an example and must hold a config and a README. */
const folders = fs
  .readdirSync(EXAMPLES, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

const read = (...parts: string[]) => fs.readFileSync(path.join(EXAMPLES, ...parts), "utf8");

/** Stack ids in the first column of the README's stacks table. */
function documentedStacks(readme: string): string[] {
  const block = STACKS_BLOCK.exec(readme)?.[1];
  if (block === undefined) throw new Error("the README has no <!-- stacks --> ... <!-- /stacks --> table of the stacks it creates");
  return block
    .split("\n")
    .filter((line) => line.startsWith("|"))
    .map((line) => /^\|\s*`([^`]+)`/.exec(line)?.[1])
    .filter((id): id is string => id !== undefined);
}

/** Every `TF_VAR_<name>` written out in full (not a pattern such as TF_VAR_env_<name>). */
function mentionedVariables(text: string): string[] {
  return [...new Set([...text.matchAll(/TF_VAR_([A-Za-z0-9_]+)(?![<A-Za-z0-9_])/g)].map((match) => match[1]))].sort();
}

function declaredVariables(app: SynthesizedApp, sensitiveOnly: boolean): string[] {
  const names = app.stackIds.flatMap((id) =>
    Object.entries(app.stack(id).variable ?? {})
      .filter(([, variable]) => !sensitiveOnly || variable.sensitive === true)
      .map(([name]) => name),
  );
  return [...new Set(names)].sort();
}

it("finds the examples (one folder each)", () => {
  expect(folders).toEqual(expect.arrayContaining(["air-gapped-mirror", "all-aws", "bring-your-own", "in-cluster-trial", "terraform-cloud"]));
});

describe.each(folders)("examples/%s", (folder) => {
  const configFile = path.join("examples", folder, DEFAULT_CONFIG_FILE);
  const readmeFile = path.join(EXAMPLES, folder, "README.md");

  it("has a gitpod-cdktf.yaml and a README.md", () => {
    expect([fs.existsSync(path.join(ROOT, configFile)), fs.existsSync(readmeFile)]).toEqual([true, true]);
  });

  // Without both files the test above fails; the tests below need them.
  if (!fs.existsSync(path.join(ROOT, configFile)) || !fs.existsSync(readmeFile)) return;
  const readme = read(folder, "README.md");
  let app: SynthesizedApp;

  beforeAll(() => {
    const loaded = loadConfig({ env: { [CONFIG_ENV_VAR]: configFile }, cwd: ROOT });
    expect(loaded.usedDefaults).toBe(false);
    app = synthApp(loaded.config);
  });

  it("creates exactly the stacks its README lists", () => {
    expect(documentedStacks(readme).sort()).toEqual([...app.stackIds].sort());
  });

  it("names every sensitive variable of its stacks as TF_VAR_<name>, and no variable they do not declare", () => {
    const sensitive = declaredVariables(app, true);
    const mentioned = mentionedVariables(readme);
    expect(sensitive.filter((name) => !mentioned.includes(name)).map(terraformVariableEnv)).toEqual([]);
    const declared = declaredVariables(app, false);
    expect(mentioned.filter((name) => !declared.includes(name)).map(terraformVariableEnv)).toEqual([]);
  });

  it("marks in the config what must be changed, and says how to run it", () => {
    expect(read(folder, DEFAULT_CONFIG_FILE)).toContain("CHANGE ME");
    expect(readme).toContain(configFile.split(path.sep).join("/"));
    expect(readme).toMatch(/cdktf deploy|npm run pipeline/);
  });
});

describe("examples/README.md", () => {
  it("links every example and every other file under examples/", () => {
    const index = read("README.md");
    const entries = fs.readdirSync(EXAMPLES).filter((name) => name !== "README.md");
    const unlinked = entries.filter((name) => !index.includes(`](${name})`) && !index.includes(`](${name}/)`));
    expect(unlinked).toEqual([]);
  });
});

describe("the stacks table parser", () => {
  it("reads the first column's ids and ignores the header", () => {
    const readme = "text\n<!-- stacks -->\n| stack | holds |\n| --- | --- |\n| `a-release` | Gitpod |\n| `a-secrets` | keys |\n<!-- /stacks -->\n";
    expect(documentedStacks(readme)).toEqual(["a-release", "a-secrets"]);
  });

  it("says when the table is missing", () => {
    expect(() => documentedStacks("no table")).toThrow(/<!-- stacks -->/);
  });
});
