/**
 * Runs every check the inputs call for, one dependency after the other (so the progress reads
 * in order), and returns one result per check.
 */
import type { CheckResult, Progress } from "./checks";
import { CLUSTER, checkCluster, type OpenKubernetesApi } from "./cluster";
import { DATABASE, checkDatabase } from "./database";
import type { PreflightInputs } from "./inputs";
import { OBJECT_STORAGE, checkObjectStorage } from "./object-storage";
import { REGISTRY, checkRegistry } from "./registry";
import { checkScmProvider } from "./scm";

/**
 * Loaded on first use: @kubernetes/client-node is large (about half a second to load) and
 * ESM-only (Node.js >= 20.19 loads it with require()); runs without a kubeconfig never need it.
 */
const openKubernetesApi: OpenKubernetesApi = async (configPath, context, timeoutMs) =>
  (await import("./kubernetes-api")).openKubernetesApi(configPath, context, timeoutMs);

export async function runPreflight(inputs: PreflightInputs, progress: Progress, open: OpenKubernetesApi = openKubernetesApi): Promise<CheckResult[]> {
  const results: CheckResult[] = inputs.notChecked.map(({ dependency, detail }) => ({ dependency, check: "mode", status: "skip", detail }));
  if (inputs.database) results.push(...(await checkDatabase(inputs.database, progress)));
  if (inputs.objectStorage) results.push(...(await checkObjectStorage(inputs.objectStorage, progress)));
  if (inputs.registry) results.push(...(await checkRegistry(inputs.registry, progress)));
  for (const provider of inputs.scm) results.push(...(await checkScmProvider(provider, progress)));
  results.push(...(await checkCluster(inputs.cluster, progress, open)));
  // Dependencies in one order whatever was checked: database, object storage, registry, scm, cluster.
  const rank = (dependency: string) => {
    const index = [DATABASE, OBJECT_STORAGE, REGISTRY].indexOf(dependency);
    return index >= 0 ? index : dependency === CLUSTER ? 4 : 3;
  };
  return results.map((result, index) => ({ result, index })).sort((a, b) => rank(a.result.dependency) - rank(b.result.dependency) || a.index - b.index).map(({ result }) => result);
}
