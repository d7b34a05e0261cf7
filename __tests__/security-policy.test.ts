/**
 * The security model (docs/security.md) as policy checks on the synthesized output of every
 * configuration variant, in the spirit of Checkov, kube-score and the Pod Security Standards: what
 * a security team would block is a failing test here, whatever the configuration.
 */
import * as fs from "fs";
import * as path from "path";
import { loadAll } from "js-yaml";
import type { IPodSpec } from "kubernetes-models/v1/PodSpec";
import { CONFIG_VARIANTS, variantConfig } from "./support/config-variants";
import { restrictedViolations } from "./support/pod-security";
import { synthApp, type SynthesizedApp, type TerraformJson } from "./support/synth";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Every object of every chart the app ships, with the chart it is in. */
function chartObjects(app: SynthesizedApp): { chart: string; object: Json }[] {
  const found: { chart: string; object: Json }[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (path.basename(dir) === "templates" && entry.name.endsWith(".yaml")) {
        const chart = path.basename(path.dirname(dir));
        for (const object of loadAll(fs.readFileSync(full, "utf8").replace(/\{\{[^}]*\}\}/g, "x"))) if (object) found.push({ chart, object: object as Json });
      }
    }
  };
  walk(app.outdir);
  return found;
}

function podSpecOf(object: Json): IPodSpec | undefined {
  switch (object.kind) {
    case "Deployment":
    case "StatefulSet":
    case "DaemonSet":
    case "Job":
      return object.spec.template.spec;
    case "CronJob":
      return object.spec.jobTemplate.spec.template.spec;
    default:
      return undefined;
  }
}

const resources = (json: TerraformJson, type: string) => Object.values(json.resource?.[type] ?? {}) as Json[];

/** IAM policy documents synthesized as `${jsonencode({...})}`, turned back into data. */
function policyDocuments(json: TerraformJson): Json[] {
  const documents: Json[] = [];
  for (const type of ["aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_role"]) {
    for (const resource of resources(json, type)) {
      for (const field of ["policy", "assume_role_policy"]) {
        const text = resource[field];
        if (typeof text !== "string") continue;
        const inner = text.replace(/^\$\{jsonencode\(/, "").replace(/\)\}$/, "");
        try {
          documents.push(JSON.parse(inner.replace(/" = /g, '": ')));
        } catch {
          documents.push({ unparsed: text });
        }
      }
    }
  }
  return documents;
}

/** IAM actions that AWS only grants on every resource ("*"): nothing narrower exists. */
const ACTIONS_WITHOUT_RESOURCE_LEVEL = new Set(["ecr:GetAuthorizationToken", "route53:ListHostedZones"]);

describe.each(CONFIG_VARIANTS.map((variant) => [variant.name, variant] as const))("security policy: %s", (_, variant) => {
  const app = synthApp(variantConfig(variant));
  const objects = chartObjects(app);
  const stacks = app.stackIds.map((id) => [id, app.stack(id)] as const);

  it("runs every workload it generates under the restricted Pod Security Standard, with memory limits", () => {
    const problems: string[] = [];
    for (const { chart, object } of objects) {
      const pod = podSpecOf(object);
      if (!pod) continue;
      const where = `${chart}: ${object.kind} ${object.metadata?.name}`;
      for (const violation of restrictedViolations(pod)) problems.push(`${where}: ${violation}`);
      for (const container of [...(pod.initContainers ?? []), ...pod.containers]) {
        if (!container.resources?.limits?.memory) problems.push(`${where}: container ${container.name} has no memory limit`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("mounts a service-account token only into pods that talk to the Kubernetes API", () => {
    // The installer's Jobs apply Gitpod; the ECR refresher patches a secret and restarts three
    // workloads; the database-user Job needs none. Everything else never calls the API.
    const mayUseApi = (object: Json) => /installer|ecr-token-refresher/.test(String(object.metadata?.name));
    const problems = objects
      .filter(({ object }) => podSpecOf(object) && !mayUseApi(object))
      .filter(({ object }) => podSpecOf(object)!.automountServiceAccountToken !== false)
      .map(({ chart, object }) => `${chart}: ${object.kind} ${object.metadata?.name} mounts a service-account token`);
    expect(problems).toEqual([]);
  });

  it("pins every image by tag or digest, never latest", () => {
    const images = objects.flatMap(({ object }) => {
      const pod = podSpecOf(object);
      return pod ? [...(pod.initContainers ?? []), ...pod.containers].map((container) => String(container.image)) : [];
    });
    expect(images.length).toBeGreaterThan(0);
    expect(images.filter((image) => !/(:[\w][\w.-]*|@sha256:[a-f0-9]{64})$/.test(image) || /:latest$/.test(image))).toEqual([]);
  });

  it("binds cluster-admin to nothing in Gitpod's namespace", () => {
    const namespace = variantConfig(variant).gitpod.namespace;
    const bindings = [
      ...stacks.flatMap(([, json]) => resources(json, "kubernetes_cluster_role_binding_v1")),
      ...stacks.flatMap(([, json]) => resources(json, "kubernetes_role_binding_v1")),
    ];
    const offending = bindings.filter(
      (binding) => binding.role_ref?.name === "cluster-admin" && (binding.subject ?? []).some((subject: Json) => subject.namespace === namespace),
    );
    expect(offending).toEqual([]);
  });

  it("fetches charts over TLS only (https, or an OCI registry, which helm reaches over https)", () => {
    const repositories = stacks.flatMap(([, json]) => resources(json, "helm_release")).map((release) => release.repository).filter(Boolean);
    expect(repositories.filter((repository) => !/^(https|oci):\/\//.test(String(repository)))).toEqual([]);
  });

  it("grants IAM no wildcard action, and every resource only where AWS offers nothing narrower", () => {
    const problems: string[] = [];
    for (const [id, json] of stacks) {
      for (const document of policyDocuments(json)) {
        expect(document.unparsed).toBeUndefined();
        for (const statement of document.Statement ?? []) {
          if (statement.Effect !== "Allow") continue;
          const actions: string[] = [statement.Action ?? []].flat();
          const resourcesOf: string[] = [statement.Resource ?? []].flat();
          for (const action of actions) if (action.includes("*")) problems.push(`${id}: allows ${action}`);
          if (resourcesOf.includes("*") && actions.some((action) => !ACTIONS_WITHOUT_RESOURCE_LEVEL.has(action))) problems.push(`${id}: allows ${actions.join(", ")} on every resource`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it("keeps data stores private and encrypted", () => {
    for (const [, json] of stacks) {
      for (const block of resources(json, "aws_s3_bucket_public_access_block")) {
        expect(block).toMatchObject({ block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true });
      }
      expect(resources(json, "aws_s3_bucket").length).toBe(resources(json, "aws_s3_bucket_public_access_block").length);
      for (const instance of resources(json, "aws_db_instance")) {
        expect(instance.storage_encrypted).toBe(true);
        expect(instance.publicly_accessible ?? false).toBe(false);
      }
    }
  });

  it("marks every value that crosses stacks sensitive", () => {
    for (const [, json] of stacks) {
      for (const [name, output] of Object.entries(json.output ?? {})) {
        if (name.startsWith("cross-stack-output-")) expect([name, output.sensitive]).toEqual([name, true]);
      }
    }
  });
});
