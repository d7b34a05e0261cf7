/**
 * Renders a deployment graph as a Mermaid flowchart: one box per deployment wave, one node per
 * stack (its providers and main resources), one arrow per pair of linked stacks, labelled with
 * the values that cross. Deterministic: the graph is sorted, and nothing of the machine or the
 * time goes in.
 */
import type { DeploymentGraph, StackEdge, StackNode } from "./deployment-graph";

export function renderMermaid(graph: DeploymentGraph): string {
  const ids = mermaidIds(graph.stacks.map((stack) => stack.id));
  const lines = ["flowchart LR"];
  graph.waves.forEach((wave, index) => {
    lines.push(`  subgraph wave_${index + 1}["${waveTitle(index + 1, wave.length)}"]`);
    for (const stack of graph.stacks.filter((node) => node.wave === index + 1)) {
      lines.push(`    ${ids.get(stack.id)}["${stackLabel(stack)}"]`);
    }
    lines.push("  end");
  });
  for (const edge of graph.edges) lines.push(`  ${edgeLine(edge, ids)}`);
  return `${lines.join("\n")}\n`;
}

function waveTitle(wave: number, stacks: number): string {
  const order = wave === 1 ? "deployed first" : `after wave ${wave - 1}`;
  return `wave ${wave}: ${order}${stacks > 1 ? ", in parallel" : ""}`;
}

function stackLabel(stack: StackNode): string {
  const lines = [`<b>${escape(stack.id)}</b>`, `providers: ${stack.providers.map(escape).join(", ") || "none"}`];
  for (const { type, count } of stack.mainResources) lines.push(`${count} × ${escape(type)}`);
  if (stack.supportingResources > 0) {
    lines.push(`+ ${stack.supportingResources} supporting resource${stack.supportingResources === 1 ? "" : "s"}`);
  }
  return lines.join("<br/>");
}

function edgeLine(edge: StackEdge, ids: ReadonlyMap<string, string>): string {
  const from = ids.get(edge.from);
  const to = ids.get(edge.to);
  if (edge.values.length === 0) return `${from} -.-> ${to}`; // ordering only: nothing crosses
  return `${from} -- "${edge.values.map(escape).join("<br/>")}" --> ${to}`;
}

/**
 * Mermaid node ids: letters, digits and `_` only, prefixed so that no stack can be named like a
 * keyword (`end`), and numbered if two stack ids would map to the same one.
 */
export function mermaidIds(stackIds: readonly string[]): Map<string, string> {
  const ids = new Map<string, string>();
  const used = new Set<string>();
  for (const stackId of stackIds) {
    const base = `stack_${stackId.replace(/[^A-Za-z0-9]/g, "_")}`;
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}_${n}`;
    used.add(id);
    ids.set(stackId, id);
  }
  return ids;
}

/** Mermaid's entity codes, so text from the output cannot end a label or inject markup. */
export function escape(text: string): string {
  return text.replace(/[#"<>&]/g, (char) => `#${char.charCodeAt(0)};`);
}
