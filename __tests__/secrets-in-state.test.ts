/**
 * Which stack's state holds which secret (docs/modes.md, "Secrets"), as rules on the synthesized
 * output of every configuration variant. A stack's state keeps its resources' attributes, its
 * outputs and what its data sources read: a terraform_remote_state data source keeps EVERY output
 * of the stack it reads, used or not. Hence:
 *
 * - a stack that reads another stack's state uses every secret among that stack's outputs (else a
 *   secret lands in a state that has no use for it: the encryption keys in the AWS stack, once);
 * - Secrets the release writes to Kubernetes are written write-only (data_wo), so the values they
 *   carry from sensitive variables never reach any state;
 * - saved plans, which hold every value in clear text, are never committed.
 */
import * as fs from "fs";
import * as path from "path";
import { CONFIG_VARIANTS, variantConfig } from "./support/config-variants";
import { resourcesOf, synthApp, type SynthesizedApp, type TerraformJson } from "./support/synth";

const ROOT = path.resolve(__dirname, "..");

/** References that carry a secret: generated secrets, IAM secret keys, and sensitive variables. */
function secretReferences(json: TerraformJson, expression: string): string[] {
  const generated = expression.match(/\b(?:random_password\.[\w-]+\.result|random_bytes\.[\w-]+\.(?:base64|hex)|aws_iam_access_key\.[\w-]+\.secret)\b/g) ?? [];
  const variables = [...expression.matchAll(/\bvar\.([\w-]+)/g)].filter((m) => json.variable?.[m[1]]?.sensitive).map((m) => m[0]);
  return [...generated, ...variables];
}

/** The outputs of a stack whose value carries a secret. */
function secretOutputs(json: TerraformJson): string[] {
  return Object.entries(json.output ?? {})
    .filter(([, output]) => secretReferences(json, JSON.stringify(output.value)).length > 0)
    .map(([name]) => name);
}

/** For each remote state a stack reads (by producer stack id), the outputs of it the stack uses. */
function remoteStateUse(app: SynthesizedApp, stackId: string): Record<string, string[]> {
  const json = app.stack(stackId);
  const text = JSON.stringify({ ...json, data: { ...json.data, terraform_remote_state: undefined } });
  return Object.fromEntries(
    Object.keys(json.data?.terraform_remote_state ?? {}).map((name) => [
      name.replace(/^cross-stack-reference-input-/, ""),
      [...new Set([...text.matchAll(new RegExp(`terraform_remote_state\\.${name}\\.outputs\\.([\\w-]+)`, "g"))].map((m) => m[1]))],
    ]),
  );
}

describe.each(CONFIG_VARIANTS.map((variant) => [variant.name, variant] as const))("secrets in state: %s", (_, variant) => {
  const app = synthApp(variantConfig(variant));

  it("a stack reads another stack's state only to use every secret it outputs", () => {
    const unused: string[] = [];
    for (const reader of app.stackIds) {
      for (const [producer, used] of Object.entries(remoteStateUse(app, reader))) {
        for (const output of secretOutputs(app.stack(producer))) {
          if (!used.includes(output)) unused.push(`${reader} reads ${producer}'s state, so its own state holds ${output}, which it never uses`);
        }
      }
    }
    expect(unused).toEqual([]);
  });

  it("outputs meant for people carry no secret (only cross-stack outputs, all sensitive, do)", () => {
    for (const id of app.stackIds) {
      for (const [name, output] of Object.entries(app.stack(id).output ?? {})) {
        if (name.startsWith("cross-stack-output-")) expect(output.sensitive).toBe(true);
        else expect([id, name, secretReferences(app.stack(id), JSON.stringify(output.value))]).toEqual([id, name, []]);
      }
    }
  });

  it("the release writes its Secrets' data write-only; `data` only for placeholders that carry no reference", () => {
    const release = app.stackIds.find((id) => id.endsWith("-release"))!;
    const secrets = Object.entries(resourcesOf(app.stack(release), "kubernetes_secret_v1")) as [string, Record<string, unknown>][];
    expect(secrets.length).toBeGreaterThan(0);
    for (const [name, secret] of secrets) {
      if (secret.data_wo !== undefined) {
        expect([name, secret.data, typeof secret.data_wo_revision]).toEqual([name, undefined, "string"]);
      } else {
        // e.g. the ECR refresher's empty login, which the refresher fills in the cluster.
        expect([name, JSON.stringify(secret.data ?? {})]).toEqual([name, expect.not.stringContaining("${")]);
      }
    }
  });
});

describe("secrets in state: everything on AWS", () => {
  const allAws = CONFIG_VARIANTS.find((variant) => variant.name.startsWith("all-AWS:"))!;
  const app = synthApp(variantConfig(allAws));
  const AWS = "gitpod-aws-services";

  it("the rules see the secrets there are (the classification is not empty)", () => {
    expect(secretOutputs(app.stack("gitpod-installation-secrets"))).toEqual([expect.stringContaining("random_bytesencryption-keys")]);
    expect(secretOutputs(app.stack(AWS)).sort()).toEqual([
      expect.stringContaining("aws_iam_access_keyobject-storage"),
      expect.stringContaining("random_passwordrds-master-password"),
    ]);
  });

  it("the AWS stack reads no other stack's state: the encryption keys reach only the release's", () => {
    expect(app.stack(AWS).data?.terraform_remote_state).toBeUndefined();
    expect(app.manifest.stacks[AWS].dependencies).toEqual([]);
    const readers = app.stackIds.filter((id) => "gitpod-installation-secrets" in remoteStateUse(app, id));
    expect(readers).toEqual(["gitpod-release"]);
  });

  it("the RDS master password lives in the AWS stack that uses it, and reaches the release that writes it for Gitpod", () => {
    expect(Object.keys(resourcesOf(app.stack(AWS), "random_password"))).toEqual(["rds-master-password"]);
    expect(resourcesOf(app.stack("gitpod-installation-secrets"), "random_password")).toEqual({});
    expect(remoteStateUse(app, "gitpod-release")[AWS]).toContain("cross-stack-output-random_passwordrds-master-passwordresult");
  });
});

describe("saved plans and local state stay out of git", () => {
  const ignored = fs.readFileSync(path.join(ROOT, ".gitignore"), "utf8").split("\n").map((line) => line.trim());

  it.each(["*.tfplan", "*.tfstate", "*.tfstate.*", "cdktf.out/"])(".gitignore has %s", (pattern) => {
    expect(ignored).toContain(pattern);
  });
});
