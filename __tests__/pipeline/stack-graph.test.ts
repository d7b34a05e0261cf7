import { parseManifest } from "../../pipeline/manifest";
import {
  dependencyClosure,
  executionOrder,
  findCycle,
  selectedPrerequisites,
  stackDepths,
  unselectedDependencies,
  type StackNodes,
} from "../../pipeline/stack-graph";
import { config, synthApp } from "../support/synth";

function graph(dependencies: Record<string, string[]>): StackNodes {
  return new Map(Object.entries(dependencies).map(([id, deps]) => [id, { id, dependencies: deps }]));
}

// network <- database <- app, app also reads network; audit alone.
const CHAIN = graph({ app: ["database", "network"], audit: [], database: ["network"], network: [] });

describe("execution order", () => {
  it("runs dependencies first, whatever the ids say", () => {
    expect(executionOrder(CHAIN)).toEqual(["audit", "network", "database", "app"]);
  });

  it("orders by depth, then by id: a stack waits for the deepest of its dependencies", () => {
    const stacks = graph({ w: [], x: [], y: ["x"], z: [], a: ["y"], b: ["w"] });
    expect(stackDepths(stacks)).toEqual(new Map([["w", 0], ["x", 0], ["y", 1], ["z", 0], ["a", 2], ["b", 1]]));
    expect(executionOrder(stacks)).toEqual(["w", "x", "z", "b", "y", "a"]);
  });

  it("does not depend on the order stacks are listed in", () => {
    const reversed = new Map([...CHAIN.entries()].reverse());
    expect(executionOrder(reversed)).toEqual(executionOrder(CHAIN));
  });

  it("orders ids by code unit (upper case first), like jq's sort", () => {
    expect(executionOrder(graph({ b: [], B: [], a: [], "a-b": [], a_b: [] }))).toEqual(["B", "a", "a-b", "a_b", "b"]);
  });

  it("keeps the full graph's order for a subset, even through stacks left out", () => {
    expect(executionOrder(CHAIN, new Set(["app", "network", "audit"]))).toEqual(["audit", "network", "app"]);
  });

  it("orders the app's own stacks: prerequisites and secrets, then services, then the release", () => {
    const app = synthApp(config());
    const manifest = parseManifest(app.manifest, "manifest.json");
    expect(executionOrder(manifest.stacks)).toEqual([
      "gitpod-cluster-prerequisites",
      "gitpod-installation-secrets",
      "gitpod-in-cluster-services",
      "gitpod-release",
    ]);
  });
});

describe("dependency closure", () => {
  it("follows dependencies transitively", () => {
    expect([...dependencyClosure(CHAIN, "app")].sort()).toEqual(["database", "network"]);
    expect([...dependencyClosure(graph({ a: ["b"], b: ["c"], c: [] }), "a")].sort()).toEqual(["b", "c"]);
    expect(dependencyClosure(CHAIN, "audit").size).toBe(0);
  });

  it("makes a selected stack wait for selected stacks it reaches only through unselected ones", () => {
    const prerequisites = selectedPrerequisites(graph({ a: ["b"], b: ["c"], c: [], d: [] }), new Set(["a", "c", "d"]));
    expect(prerequisites).toEqual(new Map([["a", ["c"]], ["c", []], ["d", []]]));
  });

  it("names the direct dependencies a subset reads without running them", () => {
    expect(unselectedDependencies(CHAIN, new Set(["app", "audit"]))).toEqual(new Map([["app", ["database", "network"]]]));
    expect(unselectedDependencies(CHAIN, new Set(["app", "database"]))).toEqual(new Map([["app", ["network"]], ["database", ["network"]]]));
    expect(unselectedDependencies(CHAIN, new Set(CHAIN.keys())).size).toBe(0);
  });
});

describe("cycles", () => {
  it("finds one and shows it as a path", () => {
    expect(findCycle(graph({ a: ["b"], b: ["c"], c: ["a"], d: [] }))).toEqual(["a", "b", "c", "a"]);
    expect(findCycle(graph({ x: [], a: ["x"], b: ["a", "b"] }))).toEqual(["b", "b"]);
  });

  it("finds none in a DAG with shared dependencies", () => {
    expect(findCycle(CHAIN)).toBeUndefined();
  });
});
