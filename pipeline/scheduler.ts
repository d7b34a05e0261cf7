/**
 * Runs stacks in order, at most `parallelism` at a time, each only once every stack it depends on
 * has succeeded. A stack whose prerequisite failed is skipped, naming the failed stacks; stacks
 * that do not depend on a failed one still run.
 */

export interface StackRunResult {
  readonly succeeded: boolean;
}

export type ScheduledStack<R extends StackRunResult> =
  | { readonly id: string; readonly position: number; readonly status: "ran"; readonly result: R }
  /** Not run: `because` are the failed stacks it depends on (directly or transitively). */
  | { readonly id: string; readonly position: number; readonly status: "skipped"; readonly because: readonly string[] }
  /** Not run because the pipeline was interrupted before its turn. */
  | { readonly id: string; readonly position: number; readonly status: "cancelled" };

export interface SchedulerOptions<R extends StackRunResult> {
  /** Every stack to run, in execution order. */
  readonly order: readonly string[];
  /** For each stack, the stacks of `order` it must wait for (earlier in `order`). */
  readonly prerequisites: ReadonlyMap<string, readonly string[]>;
  readonly parallelism: number;
  /** Runs one stack; `position` is its 1-based index in `order`. Must not reject. */
  run(id: string, position: number): Promise<R>;
  /** Called when a stack is skipped, at the moment it is decided (for progress output). */
  onSkipped?(stack: ScheduledStack<R> & { status: "skipped" }): void;
  /** True once the pipeline is interrupted: no further stack is started. */
  isCancelled?(): boolean;
}

/** Returns every stack of `order`, in the order each was started or skipped (cancelled last). */
export async function runStacks<R extends StackRunResult>(options: SchedulerOptions<R>): Promise<ScheduledStack<R>[]> {
  const { order, prerequisites, parallelism } = options;
  const position = new Map(order.map((id, index) => [id, index + 1]));
  const decided: ScheduledStack<R>[] = [];
  const finished = new Map<string, ScheduledStack<R>>();
  const running = new Map<string, Promise<void>>();
  const started = new Set<string>();

  /** The failed stacks that stop `id`'s dependant: itself, or what stopped it. */
  const failedRoots = (id: string): readonly string[] => {
    const entry = finished.get(id);
    if (entry?.status === "ran") return entry.result.succeeded ? [] : [id];
    return entry?.status === "skipped" ? entry.because : [];
  };

  for (;;) {
    for (const id of order) {
      if (options.isCancelled?.()) break;
      if (started.has(id)) continue;
      const before = prerequisites.get(id) ?? [];
      if (!before.every((dependency) => finished.has(dependency))) continue;
      const because = [...new Set(before.flatMap(failedRoots))].sort();
      if (because.length > 0) {
        const skipped = { id, position: position.get(id)!, status: "skipped" as const, because };
        started.add(id);
        finished.set(id, skipped);
        decided.push(skipped);
        options.onSkipped?.(skipped);
        continue;
      }
      if (running.size >= parallelism) break;
      started.add(id);
      const index = decided.push({ id, position: position.get(id)!, status: "cancelled" }) - 1;
      running.set(
        id,
        options.run(id, position.get(id)!).then((result) => {
          const entry = { id, position: position.get(id)!, status: "ran" as const, result };
          decided[index] = entry;
          finished.set(id, entry);
          running.delete(id);
        }),
      );
      // With one slot, decide strictly in order (a later skip is reported after this stack).
      if (running.size >= parallelism) break;
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
  }

  for (const id of order) {
    if (!started.has(id)) decided.push({ id, position: position.get(id)!, status: "cancelled" });
  }
  return decided;
}
