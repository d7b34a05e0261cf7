// Parses Mermaid diagrams (a JSON array of strings on stdin) with Mermaid's own parser, the one
// GitHub renders README diagrams with, and prints one result per diagram as JSON. A separate
// process because mermaid is ESM-only; jsdom provides the DOM its label sanitizer needs.
import { JSDOM } from "jsdom";

const { window } = new JSDOM("");
globalThis.window = window;
globalThis.document = window.document;
const mermaid = (await import("mermaid")).default;

let input = "";
for await (const chunk of process.stdin) input += chunk;
const results = [];
for (const diagram of JSON.parse(input)) {
  try {
    const { diagramType } = await mermaid.parse(diagram);
    results.push({ ok: true, diagramType });
  } catch (error) {
    results.push({ ok: false, error: String(error.message ?? error) });
  }
}
process.stdout.write(JSON.stringify(results));
