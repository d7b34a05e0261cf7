/**
 * The diagrams the README embeds: one entry per configuration. `npm run graph -- --update-readme`
 * regenerates them, and a test fails when one is stale. To show another configuration, add an
 * entry (and its markers in the README).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadConfig, validateConfig } from "../../config/load";
import { BUILT_IN_DEFAULTS, type GitpodCdktfConfig } from "../../config/schema";
import { synthesize } from "../../stacks/gitpod-app";
import { readCdktfOut } from "../cdktf-out/read-cdktf-out";
import { deploymentGraph } from "./deployment-graph";
import { renderMermaid } from "./mermaid";
import { mermaidFence } from "./readme-blocks";

export interface ReadmeDiagram {
  /** Marker name: `<!-- graph:<block> -->`. */
  readonly block: string;
  /** Config file relative to the project root; none = the built-in defaults. */
  readonly configFile?: string;
}

export const README_DIAGRAMS: readonly ReadmeDiagram[] = [{ block: "default" }, { block: "all-aws", configFile: "examples/all-aws/gitpod-cdktf.yaml" }];

export function diagramConfig(diagram: ReadmeDiagram, root: string): GitpodCdktfConfig {
  if (diagram.configFile === undefined) return validateConfig(BUILT_IN_DEFAULTS, "built-in defaults");
  return loadConfig({ env: { GITPOD_CDKTF_CONFIG: diagram.configFile }, cwd: root }).config;
}

/** Synthesizes the diagram's config in this process, into a scratch folder, and renders it. */
export function renderReadmeDiagram(diagram: ReadmeDiagram, root: string): string {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "gitpod-cdktf-graph-"));
  try {
    const outdir = path.join(scratch, "cdktf.out");
    synthesize(diagramConfig(diagram, root), { outdir });
    return mermaidFence(renderMermaid(deploymentGraph(readCdktfOut(outdir))));
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
