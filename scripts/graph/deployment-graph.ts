/**
 * What a synthesized app deploys, as a graph: stacks with their providers and main resources,
 * the cross-stack values that link them, and the order they can be deployed in. Pure: built from
 * the parsed cdktf.out, so the same output always gives the same graph.
 */
import { declaredProviders } from "../cdktf-out/provider-usage";
import { compareIds, findCycle, stackDepths, type StackNodes } from "../../pipeline/stack-graph";
import { CdktfOutError, type SynthesizedApp, type SynthesizedStack } from "../cdktf-out/read-cdktf-out";
import { isMainResourceType } from "./main-resources";

export interface ResourceCount {
  readonly type: string;
  readonly count: number;
}

export interface StackNode {
  readonly id: string;
  readonly providers: readonly string[];
  /** Resources that run something, hold data or are generated secrets (see main-resources.ts), by type. */
  readonly mainResources: readonly ResourceCount[];
  /** How many other resources (secrets, config maps, RBAC...) the stack holds. */
  readonly supportingResources: number;
  /** 1-based: the stacks of wave n depend only on stacks of earlier waves. */
  readonly wave: number;
}

/** `to` reads values of `from` (cdktf's remote state), or depends on it without reading any. */
export interface StackEdge {
  readonly from: string;
  readonly to: string;
  /** Readable names of the cross-stack outputs `to` reads, sorted; empty for an ordering-only dependency. */
  readonly values: readonly string[];
}

export interface DeploymentGraph {
  /** By wave, then id. */
  readonly stacks: readonly StackNode[];
  /** By `from`, then `to`. */
  readonly edges: readonly StackEdge[];
  /** Stack ids per wave: a wave's stacks can be deployed in parallel once the earlier waves are. */
  readonly waves: readonly (readonly string[])[];
}

/** cdktf's names: a data source per producer stack, an output per value. */
const REMOTE_STATE_PREFIX = "cross-stack-reference-input-";
const CROSS_STACK_OUTPUT_PREFIX = "cross-stack-output-";
const REMOTE_OUTPUT_REFERENCE = /data\.terraform_remote_state\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)/g;

export function deploymentGraph(app: SynthesizedApp): DeploymentGraph {
  const byId = new Map(app.stacks.map((stack) => [stack.id, stack]));
  const edges = stackEdges(app.stacks, byId);
  const waves = deploymentWaves(
    app.stacks.map((stack) => stack.id),
    edges,
  );
  const waveOf = new Map(waves.flatMap((ids, index) => ids.map((id) => [id, index + 1] as const)));
  const stacks = app.stacks
    .map((stack) => stackNode(stack, waveOf.get(stack.id) ?? 0))
    .sort((a, b) => a.wave - b.wave || compareIds(a.id, b.id));
  return { stacks, edges, waves };
}

function stackNode(stack: SynthesizedStack, wave: number): StackNode {
  const counts = Object.entries(stack.json.resource ?? {})
    .map(([type, resources]) => ({ type, count: Object.keys(resources).length }))
    .sort((a, b) => compareIds(a.type, b.type));
  const main = counts.filter((entry) => isMainResourceType(entry.type));
  const supporting = counts.filter((entry) => !isMainResourceType(entry.type)).reduce((sum, entry) => sum + entry.count, 0);
  return { id: stack.id, providers: declaredProviders(stack.json), mainResources: main, supportingResources: supporting, wave };
}

/**
 * One edge per (producer, consumer): the values the consumer reads through its remote state of
 * the producer, plus ordering-only dependencies that manifest.json records.
 */
function stackEdges(stacks: readonly SynthesizedStack[], byId: ReadonlyMap<string, SynthesizedStack>): StackEdge[] {
  const values = new Map<string, Set<string>>();
  const key = (from: string, to: string) => JSON.stringify([from, to]);
  const add = (from: string, to: string, value?: string) => {
    const set = values.get(key(from, to)) ?? new Set<string>();
    if (value !== undefined) set.add(value);
    values.set(key(from, to), set);
  };
  for (const consumer of stacks) {
    const producerOf = remoteStateProducers(consumer);
    for (const [, dataName, outputName] of JSON.stringify(consumer.json).matchAll(REMOTE_OUTPUT_REFERENCE)) {
      const producerId = producerOf.get(dataName);
      if (producerId === undefined) continue; // a remote state of something outside this app
      const producer = byId.get(producerId);
      if (producer === undefined) {
        throw new CdktfOutError(`stack ${consumer.id} reads outputs of stack ${producerId}, which is not in manifest.json`);
      }
      add(producerId, consumer.id, readableOutputName(producer, outputName));
    }
    for (const dependency of consumer.dependencies) {
      if (!byId.has(dependency)) {
        throw new CdktfOutError(`stack ${consumer.id} depends on stack ${dependency}, which is not in manifest.json`);
      }
      add(dependency, consumer.id);
    }
  }
  return [...values.entries()]
    .map(([edgeKey, set]) => {
      const [from, to] = JSON.parse(edgeKey) as [string, string];
      return { from, to, values: [...set].sort(compareIds) };
    })
    .sort((a, b) => compareIds(a.from, b.from) || compareIds(a.to, b.to));
}

/** The consumer's cdktf remote-state data sources: data source name -> producer stack id. */
function remoteStateProducers(consumer: SynthesizedStack): Map<string, string> {
  const remoteStates = consumer.json.data?.terraform_remote_state ?? {};
  return new Map(
    Object.keys(remoteStates)
      .filter((name) => name.startsWith(REMOTE_STATE_PREFIX))
      .map((name) => [name, name.slice(REMOTE_STATE_PREFIX.length)]),
  );
}

/**
 * A readable name for a cross-stack output. cdktf names the output after the address it holds,
 * with the punctuation removed (`cross-stack-output-random_passwordmysql_user-password_F7532F6Dresult`).
 * The producer's output value has the address intact, and the resource records the construct
 * that made it, so the name becomes `mysql/user-password.result`.
 */
export function readableOutputName(producer: SynthesizedStack, outputName: string): string {
  const fallback = outputName.startsWith(CROSS_STACK_OUTPUT_PREFIX) ? outputName.slice(CROSS_STACK_OUTPUT_PREFIX.length) : outputName;
  const value = producer.json.output?.[outputName]?.value;
  if (typeof value !== "string") return fallback;
  const address = /^\$\{((?:data\.)?[a-z0-9_]+)\.([A-Za-z0-9_-]+)((?:\.[A-Za-z0-9_-]+|\[[0-9]+\])+)\}$/.exec(value);
  if (address === null) return fallback;
  const [, type, name, attribute] = address;
  const blocks = type.startsWith("data.") ? producer.json.data?.[type.slice("data.".length)] : producer.json.resource?.[type];
  const constructPath = blocks?.[name]?.["//"]?.metadata?.path;
  const stackPrefix = `${producer.id}/`;
  if (constructPath !== undefined && constructPath.startsWith(stackPrefix)) {
    return `${constructPath.slice(stackPrefix.length)}${attribute}`;
  }
  return `${type}.${name}${attribute}`;
}

/**
 * Layers the stacks: wave 1 holds the stacks that depend on nothing, wave n those whose
 * dependencies are all in earlier waves. That is the order `cdktf deploy '*'` follows, running a
 * wave's stacks side by side, and the depth `npm run pipeline` orders by.
 */
export function deploymentWaves(stackIds: readonly string[], edges: readonly Pick<StackEdge, "from" | "to">[]): string[][] {
  const stacks: StackNodes = new Map(stackIds.map((id) => [id, { id, dependencies: edges.filter((edge) => edge.to === id).map((edge) => edge.from) }]));
  const cycle = findCycle(stacks);
  if (cycle) throw new CdktfOutError(`the stacks ${[...new Set(cycle)].sort(compareIds).join(", ")} depend on each other in a cycle`);
  const depths = stackDepths(stacks);
  const waves: string[][] = [];
  for (const id of [...stackIds].sort(compareIds)) (waves[depths.get(id)!] ??= []).push(id);
  return waves;
}
