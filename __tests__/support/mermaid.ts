import { spawnSync } from "child_process";
import * as path from "path";

export type MermaidParseResult = { ok: true; diagramType: string } | { ok: false; error: string };

/** Parses diagrams with the real Mermaid parser (in a child process: mermaid is ESM-only). */
export function parseMermaid(diagrams: readonly string[]): MermaidParseResult[] {
  const result = spawnSync(process.execPath, [path.join(__dirname, "mermaid-parse.mjs")], {
    input: JSON.stringify(diagrams),
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`mermaid-parse.mjs failed (${result.status}):\n${result.stderr}`);
  return JSON.parse(result.stdout) as MermaidParseResult[];
}
