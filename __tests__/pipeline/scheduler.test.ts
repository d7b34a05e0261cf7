/**
 * The scheduler on its own, with stacks that finish when the test says so: which stacks start when,
 * how many at once, which are skipped and why.
 */
import { runStacks, type ScheduledStack } from "../../pipeline/scheduler";
import { executionOrder, selectedPrerequisites, type StackNodes } from "../../pipeline/stack-graph";

type Result = { succeeded: boolean };

function graph(dependencies: Record<string, string[]>): StackNodes {
  return new Map(Object.entries(dependencies).map(([id, deps]) => [id, { id, dependencies: deps }]));
}

/** Runs the scheduler; each stack waits until `finish(id, ok)` is called. */
function controlled(stacks: StackNodes, parallelism: number, options: { cancelled?: () => boolean } = {}) {
  const order = executionOrder(stacks);
  const pending = new Map<string, (result: Result) => void>();
  const started: string[] = [];
  let running = 0;
  let mostAtOnce = 0;
  const skipped: string[] = [];
  const done = runStacks<Result>({
    order,
    prerequisites: selectedPrerequisites(stacks, new Set(order)),
    parallelism,
    isCancelled: options.cancelled,
    onSkipped: (stack) => skipped.push(stack.id),
    run: (id) =>
      new Promise<Result>((resolve) => {
        started.push(id);
        running++;
        mostAtOnce = Math.max(mostAtOnce, running);
        pending.set(id, (result) => {
          running--;
          resolve(result);
        });
      }),
  });
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  return {
    started,
    skipped,
    done,
    mostAtOnce: () => mostAtOnce,
    running: () => [...pending.keys()].filter((id) => started.includes(id)),
    async finish(id: string, succeeded = true) {
      const resolve = pending.get(id);
      if (!resolve) throw new Error(`${id} is not running (started: ${started.join(", ")})`);
      pending.delete(id);
      resolve({ succeeded });
      await settle();
    },
    settle,
  };
}

const summary = (outcomes: ScheduledStack<Result>[]) =>
  outcomes.map((o) => (o.status === "ran" ? `${o.id}:${o.result.succeeded ? "ok" : "failed"}` : o.status === "skipped" ? `${o.id}:skipped(${o.because.join(",")})` : `${o.id}:${o.status}`));

const CHAIN = graph({ app: ["database", "network"], audit: [], database: ["network"], network: [] });

describe("runStacks", () => {
  it("with one slot, runs one stack at a time in order", async () => {
    const run = controlled(CHAIN, 1);
    await run.settle();
    expect(run.started).toEqual(["audit"]);
    for (const id of ["audit", "network", "database"]) await run.finish(id);
    expect(run.started).toEqual(["audit", "network", "database", "app"]);
    await run.finish("app");
    expect(summary(await run.done)).toEqual(["audit:ok", "network:ok", "database:ok", "app:ok"]);
    expect(run.mostAtOnce()).toBe(1);
  });

  it("with more slots, starts every stack whose dependencies are done, and no more than the slots", async () => {
    const stacks = graph({ a: [], b: [], c: [], d: ["a"], e: ["d", "b"] });
    const run = controlled(stacks, 2);
    await run.settle();
    expect(run.started).toEqual(["a", "b"]);
    await run.finish("b");
    expect(run.started).toEqual(["a", "b", "c"]); // d waits for a
    await run.finish("a");
    expect(run.started).toEqual(["a", "b", "c", "d"]);
    await run.finish("d");
    expect(run.started).toEqual(["a", "b", "c", "d", "e"]);
    await run.finish("c");
    await run.finish("e");
    expect(summary(await run.done)).toEqual(["a:ok", "b:ok", "c:ok", "d:ok", "e:ok"]);
    expect(run.mostAtOnce()).toBe(2);
  });

  it("skips what depends on a failed stack, transitively, naming it, and runs the rest", async () => {
    const stacks = graph({ base: [], solo: [], middle: ["base"], top: ["middle", "solo"], other: ["solo"] });
    const run = controlled(stacks, 1);
    await run.settle();
    await run.finish("base", false);
    await run.finish("solo");
    await run.finish("other");
    expect(summary(await run.done)).toEqual(["base:failed", "solo:ok", "middle:skipped(base)", "other:ok", "top:skipped(base)"]);
    expect(run.skipped).toEqual(["middle", "top"]);
    expect(run.started).toEqual(["base", "solo", "other"]);
  });

  it("names every failed stack a skipped one depends on", async () => {
    const stacks = graph({ a: [], b: [], c: ["a"], d: ["b", "c"] });
    const run = controlled(stacks, 2);
    await run.settle();
    await run.finish("a", false);
    await run.finish("b", false);
    expect(summary(await run.done)).toEqual(["a:failed", "b:failed", "c:skipped(a)", "d:skipped(a,b)"]);
  });

  it("waits for all of a stack's dependencies before deciding it is skipped", async () => {
    const stacks = graph({ a: [], b: [], c: ["a", "b"] });
    const run = controlled(stacks, 2);
    await run.settle();
    await run.finish("a", false);
    expect(run.skipped).toEqual([]);
    await run.finish("b", false);
    expect(summary(await run.done)).toEqual(["a:failed", "b:failed", "c:skipped(a,b)"]);
  });

  it("with one slot, reports in order even when a later stack is already known to be skipped", async () => {
    const stacks = graph({ a: [], b: [], c: ["a"] });
    const run = controlled(stacks, 1);
    await run.settle();
    await run.finish("a", false);
    expect(run.started).toEqual(["a", "b"]);
    expect(run.skipped).toEqual([]);
    await run.finish("b");
    expect(summary(await run.done)).toEqual(["a:failed", "b:ok", "c:skipped(a)"]);
  });

  it("starts nothing more once cancelled, lets running stacks finish, and reports the rest as cancelled", async () => {
    let cancelled = false;
    const run = controlled(graph({ a: [], b: [], c: ["a"] }), 1, { cancelled: () => cancelled });
    await run.settle();
    cancelled = true;
    await run.finish("a");
    expect(run.started).toEqual(["a"]);
    expect(summary(await run.done)).toEqual(["a:ok", "b:cancelled", "c:cancelled"]);
  });
});
