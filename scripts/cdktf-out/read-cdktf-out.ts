/**
 * Reads a synthesized app (`cdktf.out`): manifest.json and every stack's cdk.tf.json. The only
 * file access of the graph and the bench's output checks; everything after it is pure.
 */
import * as fs from "fs";
import * as path from "path";
import { compareIds } from "../../pipeline/stack-graph";
import type { TerraformJson } from "./terraform-json";

export interface SynthesizedStack {
  readonly id: string;
  /** Stacks that must be deployed first, as recorded by cdktf in manifest.json. */
  readonly dependencies: readonly string[];
  readonly json: TerraformJson;
}

export interface SynthesizedApp {
  /** Sorted by id. */
  readonly stacks: readonly SynthesizedStack[];
}

/** A folder that is not a synthesized app; the message says what to do. */
export class CdktfOutError extends Error {}

interface Manifest {
  readonly stacks?: Record<string, { readonly dependencies?: string[]; readonly synthesizedStackPath?: string }>;
}

export function readCdktfOut(dir: string): SynthesizedApp {
  const manifestFile = path.join(dir, "manifest.json");
  if (!fs.existsSync(manifestFile)) {
    throw new CdktfOutError(
      `${manifestFile} does not exist: synthesize first (npm run synth), or pass the folder of a synthesized app`,
    );
  }
  const manifest = parseJson<Manifest>(manifestFile);
  if (typeof manifest.stacks !== "object" || manifest.stacks === null) {
    throw new CdktfOutError(`${manifestFile} has no "stacks": is it a cdktf manifest?`);
  }
  const stacks = Object.entries(manifest.stacks)
    .map(([id, entry]) => {
      const stackFile = path.join(dir, entry.synthesizedStackPath ?? path.join("stacks", id, "cdk.tf.json"));
      if (!fs.existsSync(stackFile)) {
        throw new CdktfOutError(`${stackFile} (stack ${id} of ${manifestFile}) does not exist: synthesize again`);
      }
      return { id, dependencies: [...(entry.dependencies ?? [])].sort(), json: parseJson<TerraformJson>(stackFile) };
    })
    .sort((a, b) => compareIds(a.id, b.id));
  return { stacks };
}

function parseJson<T>(file: string): T {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as T;
  } catch (error) {
    throw new CdktfOutError(`${file} is not valid JSON (${(error as Error).message}): synthesize again`);
  }
}
