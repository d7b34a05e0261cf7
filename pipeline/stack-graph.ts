/**
 * The order stacks run in, from the dependencies cdktf records in manifest.json. Pure functions.
 *
 * Order: by depth (0 = no dependencies, else 1 + the deepest dependency), then by id. That is a
 * topological order with a stable tie-break, and the same one the `jq` loop in docs/pipelines.md computes,
 * so a shell pipeline and this command run the stacks identically.
 */

export interface StackNode {
  readonly id: string;
  readonly dependencies: readonly string[];
}

export type StackNodes = ReadonlyMap<string, StackNode>;

/** A dependency cycle as `a -> b -> a`, or undefined. Dependencies must name existing stacks. */
export function findCycle(stacks: StackNodes): string[] | undefined {
  const state = new Map<string, "visiting" | "done">();
  const trail: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === "done") return undefined;
    if (state.get(id) === "visiting") return [...trail.slice(trail.indexOf(id)), id];
    state.set(id, "visiting");
    trail.push(id);
    for (const dependency of stacks.get(id)?.dependencies ?? []) {
      const cycle = visit(dependency);
      if (cycle) return cycle;
    }
    trail.pop();
    state.set(id, "done");
    return undefined;
  };
  for (const id of [...stacks.keys()].sort()) {
    const cycle = visit(id);
    if (cycle) return cycle;
  }
  return undefined;
}

/** Depth of every stack: 0 without dependencies, else 1 + the deepest dependency. Needs no cycle. */
export function stackDepths(stacks: StackNodes): Map<string, number> {
  const depths = new Map<string, number>();
  const depth = (id: string): number => {
    const known = depths.get(id);
    if (known !== undefined) return known;
    const dependencies = stacks.get(id)?.dependencies ?? [];
    const value = dependencies.length === 0 ? 0 : 1 + Math.max(...dependencies.map(depth));
    depths.set(id, value);
    return value;
  };
  for (const id of stacks.keys()) depth(id);
  return depths;
}

/** The selected stacks (all when omitted) in the order they run. */
export function executionOrder(stacks: StackNodes, selected: ReadonlySet<string> = new Set(stacks.keys())): string[] {
  const depths = stackDepths(stacks);
  return [...selected].sort((a, b) => depths.get(a)! - depths.get(b)! || compareIds(a, b));
}

/** Every stack `id` depends on, directly or through other stacks. */
export function dependencyClosure(stacks: StackNodes, id: string): Set<string> {
  const closure = new Set<string>();
  const pending = [...(stacks.get(id)?.dependencies ?? [])];
  while (pending.length > 0) {
    const next = pending.pop()!;
    if (closure.has(next)) continue;
    closure.add(next);
    pending.push(...(stacks.get(next)?.dependencies ?? []));
  }
  return closure;
}

/**
 * For each selected stack, the selected stacks it must wait for: those it depends on directly or
 * through any other stack, selected or not. If one of them fails, the stack is skipped.
 */
export function selectedPrerequisites(stacks: StackNodes, selected: ReadonlySet<string>): Map<string, string[]> {
  return new Map(
    [...selected].map((id) => [id, [...dependencyClosure(stacks, id)].filter((dependency) => selected.has(dependency)).sort(compareIds)]),
  );
}

/**
 * For each selected stack that reads from stacks outside the selection, those stacks (direct
 * dependencies only: those are the remote states it reads). They are not run; their last applied
 * state is what the stack reads.
 */
export function unselectedDependencies(stacks: StackNodes, selected: ReadonlySet<string>): Map<string, string[]> {
  const missing = new Map<string, string[]>();
  for (const id of executionOrder(stacks, selected)) {
    const outside = (stacks.get(id)?.dependencies ?? []).filter((dependency) => !selected.has(dependency));
    if (outside.length > 0) missing.set(id, [...outside].sort(compareIds));
  }
  return missing;
}

/** Plain code-unit order, the same in every locale (and the same as jq's `sort`). */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
