/**
 * npm run graph: the deployment graph read from a synthesized app, its Mermaid rendering, and the
 * README's embedded diagrams (generated, parseable by Mermaid, not stale).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { CdktfOutError, readCdktfOut, type SynthesizedApp, type SynthesizedStack } from "../../scripts/cdktf-out/read-cdktf-out";
import { deploymentGraph, deploymentWaves, readableOutputName } from "../../scripts/graph/deployment-graph";
import { isMainResourceType } from "../../scripts/graph/main-resources";
import { escape, mermaidIds, renderMermaid } from "../../scripts/graph/mermaid";
import { mermaidFence, readBlock, ReadmeBlockError, replaceBlock } from "../../scripts/graph/readme-blocks";
import { README_DIAGRAMS, renderReadmeDiagram } from "../../scripts/graph/readme-diagrams";
import { parseMermaid } from "../support/mermaid";
import { config, scratchDir, synthApp } from "../support/synth";
import { sourceArgs } from "../support/run-sources";

const ROOT = path.resolve(__dirname, "..", "..");
const GRAPH = sourceArgs("scripts/graph.ts");

interface ParsedDiagram {
  /** Stack id -> wave, providers and resource lines of its node. */
  nodes: Map<string, { wave: number; providers: string[]; resources: string[] }>;
  edges: { from: string; to: string; values: string[]; dotted: boolean }[];
}

/** Reads back the flowchart renderMermaid writes, so tests can check what a reader would see. */
function parseDiagram(text: string): ParsedDiagram {
  const nodes: ParsedDiagram["nodes"] = new Map();
  const stackOf = new Map<string, string>();
  const edges: ParsedDiagram["edges"] = [];
  let wave = 0;
  for (const line of text.split("\n")) {
    const subgraph = /^ {2}subgraph wave_([0-9]+)\[/.exec(line);
    const node = /^ {4}(\w+)\["<b>([^<]+)<\/b><br\/>providers: ([^<]*)((?:<br\/>[^<]+)*)"\]$/.exec(line);
    const edge = /^ {2}(\w+) (?:-- "([^"]*)" -->|(-\.->)) (\w+)$/.exec(line);
    if (subgraph) wave = Number(subgraph[1]);
    else if (node) {
      const [, id, stack, providers, rest] = node;
      stackOf.set(id, stack);
      nodes.set(stack, { wave, providers: providers.split(", "), resources: rest.split("<br/>").filter(Boolean) });
    } else if (edge) {
      const [, from, values, dotted, to] = edge;
      edges.push({ from, to, values: values === undefined ? [] : values.split("<br/>"), dotted: dotted !== undefined });
    }
  }
  return {
    nodes,
    edges: edges.map((e) => ({ ...e, from: stackOf.get(e.from) ?? `?${e.from}`, to: stackOf.get(e.to) ?? `?${e.to}` })),
  };
}

/** Synthesized once for the whole file: every test here only reads it. */
const app = synthApp(config());

describe("the deployment graph of the default configuration", () => {
  const graph = deploymentGraph(readCdktfOut(app.outdir));
  const diagram = renderMermaid(graph);
  const parsed = parseDiagram(diagram);

  it("has every stack of the manifest, once", () => {
    expect(graph.stacks.map((s) => s.id).sort()).toEqual(Object.keys(app.manifest.stacks).sort());
    expect([...parsed.nodes.keys()].sort()).toEqual(Object.keys(app.manifest.stacks).sort());
  });

  it("shows the providers each stack configures", () => {
    const expected = {
      "gitpod-installation-secrets": ["random"],
      "gitpod-cluster-prerequisites": ["helm", "kubernetes"],
      "gitpod-in-cluster-services": ["helm", "kubernetes", "random"],
      "gitpod-release": ["helm", "kubernetes", "random"],
    };
    for (const [stack, providers] of Object.entries(expected)) {
      expect(Object.keys(app.stack(stack).provider ?? {}).sort()).toEqual(providers);
      expect(parsed.nodes.get(stack)?.providers).toEqual(providers);
    }
  });

  it("names the main resources with their counts and counts the others", () => {
    expect(parsed.nodes.get("gitpod-in-cluster-services")?.resources).toEqual([
      "2 × helm_release",
      "2 × kubernetes_persistent_volume_claim_v1",
      "3 × random_password",
      "+ 3 supporting resources",
    ]);
    expect(parsed.nodes.get("gitpod-cluster-prerequisites")?.resources).toEqual(["1 × helm_release", "2 × kubernetes_namespace_v1"]);
    // Every resource is either named or counted.
    for (const stack of graph.stacks) {
      const total = Object.values(app.stack(stack.id).resource ?? {}).reduce((n, r) => n + Object.keys(r).length, 0);
      expect(stack.mainResources.reduce((n, r) => n + r.count, 0) + stack.supportingResources).toBe(total);
    }
  });

  it("links the stacks by every cross-stack output the consumers read, with readable names", () => {
    const expected = [
      { from: "gitpod-cluster-prerequisites", to: "gitpod-in-cluster-services", values: ["gitpod-namespace.metadata[0].name"], dotted: false },
      { from: "gitpod-cluster-prerequisites", to: "gitpod-release", values: ["gitpod-namespace.metadata[0].name", "installer-namespace.metadata[0].name"], dotted: false },
      {
        from: "gitpod-in-cluster-services",
        to: "gitpod-release",
        values: [
          "minio/root-password.result",
          "mysql/user-password.result",
        ],
        dotted: false,
      },
      { from: "gitpod-installation-secrets", to: "gitpod-release", values: ["encryption-keys/material.base64"], dotted: false },
    ];
    expect(parsed.edges).toEqual(expected);
    expect(graph.edges).toEqual(expected.map(({ from, to, values }) => ({ from, to, values })));
  });

  it("has one edge value per cross-stack output the producer declares and a consumer reads", () => {
    const produced = graph.stacks.flatMap((stack) =>
      Object.keys(app.stack(stack.id).output ?? {})
        .filter((name) => name.startsWith("cross-stack-output-"))
        .map((name) => `${stack.id} ${name}`),
    );
    const read = graph.edges.reduce((n, edge) => n + edge.values.length, 0);
    // The namespace is read by two stacks: one output, two edge values.
    expect(read).toBe(produced.length + 1);
  });

  it("orders the stacks in waves that follow manifest.json's dependencies", () => {
    expect(graph.waves).toEqual([
      ["gitpod-cluster-prerequisites", "gitpod-installation-secrets"],
      ["gitpod-in-cluster-services"],
      ["gitpod-release"],
    ]);
    for (const [stack, { dependencies }] of Object.entries(app.manifest.stacks)) {
      for (const dependency of dependencies) {
        expect(parsed.nodes.get(dependency)!.wave).toBeLessThan(parsed.nodes.get(stack)!.wave);
      }
    }
  });

  it("is the same for the same configuration synthesized elsewhere, and for any input order", () => {
    const again = synthApp(config());
    expect(again.outdir).not.toBe(app.outdir);
    expect(renderMermaid(deploymentGraph(readCdktfOut(again.outdir)))).toBe(diagram);
    const read = readCdktfOut(app.outdir);
    const reversed: SynthesizedApp = {
      stacks: [...read.stacks].reverse().map((stack) => ({ ...stack, dependencies: [...stack.dependencies].reverse(), json: reverseKeys(stack.json) })),
    };
    expect(renderMermaid(deploymentGraph(reversed))).toBe(diagram);
    expect(diagram).not.toContain(app.outdir);
  });
});

/** The same JSON with every object's keys in reverse order. */
function reverseKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(reverseKeys) as T;
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reverseKeys(v)])) as T;
}

describe("the graph of another configuration", () => {
  it("uses its stack ids", () => {
    const graph = deploymentGraph(readCdktfOut(synthApp(config({ name: "acme" })).outdir));
    expect(graph.waves).toEqual([["acme-cluster-prerequisites", "acme-installation-secrets"], ["acme-in-cluster-services"], ["acme-release"]]);
  });
});

/** A small synthesized app, by hand, for the rules the default config does not exercise. */
function stack(id: string, json: SynthesizedStack["json"], dependencies: string[] = []): SynthesizedStack {
  return { id, dependencies, json };
}

describe("deploymentGraph rules", () => {
  it("draws an ordering-only dependency as a dotted edge with no values", () => {
    const app: SynthesizedApp = { stacks: [stack("a", {}), stack("b", {}, ["a"])] };
    const graph = deploymentGraph(app);
    expect(graph.edges).toEqual([{ from: "a", to: "b", values: [] }]);
    expect(renderMermaid(graph)).toContain("  stack_a -.-> stack_b\n");
  });

  it("rejects a dependency cycle and a consumer of an unknown stack, saying which stacks", () => {
    expect(() => deploymentGraph({ stacks: [stack("a", {}, ["b"]), stack("b", {}, ["a"])] })).toThrow(
      new CdktfOutError("the stacks a, b depend on each other in a cycle"),
    );
    expect(() => deploymentGraph({ stacks: [stack("a", {}, ["ghost"])] })).toThrow(/stack a depends on stack ghost, which is not in manifest.json/);
    const reader = stack("a", {
      data: { terraform_remote_state: { "cross-stack-reference-input-ghost": {} } },
      resource: { x_y: { r: { v: "${data.terraform_remote_state.cross-stack-reference-input-ghost.outputs.cross-stack-output-zz}" } } },
    });
    expect(() => deploymentGraph({ stacks: [reader] })).toThrow(/stack a reads outputs of stack ghost, which is not in manifest.json/);
  });

  it("ignores remote state that cdktf did not make (another project's state)", () => {
    const reader = stack("a", {
      data: { terraform_remote_state: { network: {} } },
      resource: { x_y: { r: { v: "${data.terraform_remote_state.network.outputs.vpc_id}" } } },
    });
    expect(deploymentGraph({ stacks: [reader] }).edges).toEqual([]);
  });

  it("puts independent stacks in one wave, sorted, and each stack after all it depends on", () => {
    const edges = [
      { from: "b", to: "d" },
      { from: "a", to: "d" },
      { from: "d", to: "e" },
      { from: "c", to: "e" },
    ];
    expect(deploymentWaves(["e", "d", "c", "b", "a"], edges)).toEqual([["a", "b", "c"], ["d"], ["e"]]);
  });

  it("names a cross-stack value by construct path and attribute, else by its address, else by the output name", () => {
    const producer = stack("p", {
      resource: {
        random_password: { "db_pw_ABCDEF12": { "//": { metadata: { path: "p/db/pw", uniqueId: "db_pw_ABCDEF12" } } } },
        kubernetes_service_v1: { svc: {} },
      },
      data: { aws_caller_identity: { me: { "//": { metadata: { path: "p/me" } } } } },
      output: {
        "cross-stack-output-random_passworddb_pw_ABCDEF12result": { value: "${random_password.db_pw_ABCDEF12.result}" },
        "cross-stack-output-kubernetes_service_v1svcmetadata0name": { value: "${kubernetes_service_v1.svc.metadata[0].name}" },
        "cross-stack-output-dataaws_caller_identitymeaccount_id": { value: "${data.aws_caller_identity.me.account_id}" },
        "cross-stack-output-joined": { value: "${join(\",\", x.y.z)}" },
      },
    });
    expect(readableOutputName(producer, "cross-stack-output-random_passworddb_pw_ABCDEF12result")).toBe("db/pw.result");
    expect(readableOutputName(producer, "cross-stack-output-kubernetes_service_v1svcmetadata0name")).toBe("kubernetes_service_v1.svc.metadata[0].name");
    expect(readableOutputName(producer, "cross-stack-output-dataaws_caller_identitymeaccount_id")).toBe("me.account_id");
    expect(readableOutputName(producer, "cross-stack-output-joined")).toBe("joined");
    expect(readableOutputName(producer, "cross-stack-output-missing")).toBe("missing");
  });

  it("takes as main resources what runs, holds data or is generated once", () => {
    const main = ["helm_release", "kubernetes_namespace_v1", "kubernetes_deployment_v1", "kubernetes_stateful_set_v1",
      "kubernetes_persistent_volume_claim_v1", "random_password", "random_bytes", "aws_db_instance", "aws_s3_bucket", "aws_ecr_repository"];
    const supporting = ["kubernetes_secret_v1", "kubernetes_config_map_v1", "kubernetes_service_v1", "kubernetes_cluster_role_binding_v1",
      "aws_iam_role", "aws_s3_bucket_versioning", "aws_s3_bucket_public_access_block", "aws_s3_bucket_policy",
      "aws_db_subnet_group_association", "aws_security_group_rule", "aws_s3_bucket_server_side_encryption_configuration", "time_sleep"];
    expect(main.filter((type) => !isMainResourceType(type))).toEqual([]);
    expect(supporting.filter(isMainResourceType)).toEqual([]);
  });
});

describe("Mermaid text", () => {
  it("escapes what would end a label or open markup", () => {
    expect(escape('a"b<c>&#')).toBe("a#34;b#60;c#62;#38;#35;");
  });

  it("gives every stack a distinct id that cannot be a keyword", () => {
    expect([...mermaidIds(["end", "a-b", "a_b", "a.b"]).values()]).toEqual(["stack_end", "stack_a_b", "stack_a_b_2", "stack_a_b_3"]);
  });
});

describe("README blocks", () => {
  const readme = "intro\n<!-- graph:x -->\nold\n<!-- /graph:x -->\noutro\n";

  it("replaces only the text between the markers", () => {
    const updated = replaceBlock(readme, "x", "new\nlines\n");
    expect(updated).toBe("intro\n<!-- graph:x -->\nnew\nlines\n<!-- /graph:x -->\noutro\n");
    expect(readBlock(updated, "x")).toBe("new\nlines");
    expect(replaceBlock(updated, "x", "new\nlines")).toBe(updated);
  });

  it("says which markers are missing or repeated", () => {
    expect(() => readBlock(readme, "y")).toThrow(new ReadmeBlockError("the README has no block <!-- graph:y --> ... <!-- /graph:y -->: add both markers where the diagram belongs"));
    expect(() => readBlock(readme + readme, "x")).toThrow(/more than once/);
  });

  it("fences a diagram as mermaid", () => {
    expect(mermaidFence("flowchart LR\n  a --> b\n")).toBe("```mermaid\nflowchart LR\n  a --> b\n```");
  });
});

describe("the README's generated diagrams", () => {
  const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");

  it.each(README_DIAGRAMS.map((diagram) => [diagram.block, diagram] as const))(
    "%s is up to date (else run: npm run graph -- --update-readme)",
    (_block, diagram) => {
      expect(readBlock(readme, diagram.block)).toBe(renderReadmeDiagram(diagram, ROOT));
    },
  );

});

describe("Mermaid's own parser", () => {
  // One child process for all diagrams: loading mermaid takes a second or so.
  const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
  const unfence = (block: string) => block.replace(/^```mermaid\n/, "").replace(/```$/, "");
  const diagrams: Record<string, string> = {
    "default configuration": renderMermaid(deploymentGraph(readCdktfOut(app.outdir))),
    "ordering-only dependency": renderMermaid(deploymentGraph({ stacks: [stack("a", {}), stack("b", {}, ["a"])] })),
    "escaped labels": `flowchart LR\n  a["${escape('say "hi" <b> & #1')}"] -- "${escape('"quoted" value')}" --> b\n`,
    ...Object.fromEntries(README_DIAGRAMS.map((diagram) => [`README ${diagram.block}`, unfence(readBlock(readme, diagram.block))])),
  };
  const broken = 'flowchart LR\n  a -- "a "quoted" value" --> b\n'; // what an unescaped label would give
  const results = parseMermaid([...Object.values(diagrams), broken]);

  it("accepts every diagram this project draws, as flowcharts", () => {
    const byName = Object.fromEntries(Object.keys(diagrams).map((name, index) => [name, results[index]]));
    for (const name of Object.keys(diagrams)) expect([name, byName[name]]).toEqual([name, { ok: true, diagramType: "flowchart-v2" }]);
  });

  it("rejects a broken one (the check can fail)", () => {
    expect(results[results.length - 1]).toMatchObject({ ok: false, error: expect.stringContaining("Parse error") });
  });
});

describe("npm run graph (scripts/graph.ts)", () => {
  const run = (args: string[], cwd: string, env: Record<string, string> = {}) =>
    spawnSync(process.execPath, [...GRAPH, ...args], { cwd, encoding: "utf8", env: { PATH: process.env.PATH, TMPDIR: process.env.TMPDIR, ...env } });
  const expected = renderMermaid(deploymentGraph(readCdktfOut(app.outdir)));

  it("prints the diagram of ./cdktf.out", () => {
    const result = run([], path.dirname(app.outdir));
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(expected);
  });

  it("writes the diagram of the given folder with --output, both relative to where npm was run", () => {
    const userDir = path.dirname(app.outdir);
    const result = run(["cdktf.out", "--output", "graph.mmd"], ROOT, { INIT_CWD: userDir });
    expect(result.status).toBe(0);
    expect(result.stdout).toBe("");
    expect(fs.readFileSync(path.join(userDir, "graph.mmd"), "utf8")).toBe(expected);
  });

  it("says what to do when there is nothing synthesized, without a stack trace", () => {
    const dir = scratchDir("graph-");
    const result = run([], dir);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`graph: ${path.join(dir, "cdktf.out", "manifest.json")} does not exist: synthesize first (npm run synth), or pass the folder of a synthesized app\n`);
  });

  it("rejects unknown options with the usage", () => {
    const result = run(["--colour"], ROOT);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("graph: Unknown option '--colour'");
    expect(result.stderr).toContain("usage: npm run graph");
  });
});
