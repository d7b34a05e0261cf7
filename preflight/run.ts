/**
 * Runs every check the inputs call for, one dependency after the other (so the progress reads
 * in order), and returns one result per check.
 */
import type { CheckResult, Progress } from "./checks";
import { checkCluster, type OpenKubernetesApi } from "./cluster";
import { DATABASE, checkDatabase } from "./database";
import { checkInstallerImage } from "./images";
import type { PreflightInputs } from "./inputs";
import { OBJECT_STORAGE, checkObjectStorage } from "./object-storage";
import { REGISTRY, checkRegistry } from "./registry";
import { checkScmProvider } from "./scm";
import { checkSignUps } from "./sign-ups";

/**
 * Loaded on first use: @kubernetes/client-node is large (about half a second to load) and
 * ESM-only (Node.js >= 22.19 loads it with require()); runs without a kubeconfig never need it.
 */
const openKubernetesApi: OpenKubernetesApi = async (configPath, context, timeoutMs) =>
  (await import("./kubernetes-api")).openKubernetesApi(configPath, context, timeoutMs);

export async function runPreflight(inputs: PreflightInputs, progress: Progress, open: OpenKubernetesApi = openKubernetesApi): Promise<CheckResult[]> {
  // A dependency the config does not ask to check (in-cluster) gets one "skip" row in its place.
  const notChecked = (dependency: string): CheckResult[] =>
    inputs.notChecked.filter((row) => row.dependency === dependency).map(({ detail }) => ({ dependency, check: "mode", status: "skip", detail }));
  // Always in this order: database, object storage, registry, scm, cluster, then the config's images and sign-ups.
  const results: CheckResult[] = [];
  results.push(...(inputs.database ? await checkDatabase(inputs.database, progress) : notChecked(DATABASE)));
  results.push(...(inputs.objectStorage ? await checkObjectStorage(inputs.objectStorage, progress) : notChecked(OBJECT_STORAGE)));
  results.push(...(inputs.registry ? await checkRegistry(inputs.registry, progress) : notChecked(REGISTRY)));
  for (const provider of inputs.scm) results.push(...(await checkScmProvider(provider, progress)));
  results.push(...(await checkCluster(inputs.cluster, progress, open)));
  results.push(checkInstallerImage(inputs.installerImage));
  results.push(checkSignUps(inputs.signUps));
  return results;
}
