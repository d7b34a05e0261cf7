/**
 * Generated blocks in the README, between `<!-- graph:<name> -->` and `<!-- /graph:<name> -->`.
 * Everything outside the markers is left byte for byte.
 */

export class ReadmeBlockError extends Error {}

function markers(name: string): { start: string; end: string } {
  return { start: `<!-- graph:${name} -->`, end: `<!-- /graph:${name} -->` };
}

function locate(readme: string, name: string): { from: number; to: number } {
  const { start, end } = markers(name);
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  if (from === -1 || to === -1 || to < from) {
    throw new ReadmeBlockError(`the README has no block ${start} ... ${end}: add both markers where the diagram belongs`);
  }
  if (readme.indexOf(start, from + 1) !== -1 || readme.indexOf(end, to + 1) !== -1) {
    throw new ReadmeBlockError(`the README has the block ${start} more than once: keep one`);
  }
  return { from: from + start.length, to };
}

/** The text between the markers, without the line breaks that surround it. */
export function readBlock(readme: string, name: string): string {
  const { from, to } = locate(readme, name);
  return readme.slice(from, to).replace(/^\n/, "").replace(/\n$/, "");
}

export function replaceBlock(readme: string, name: string, content: string): string {
  const { from, to } = locate(readme, name);
  return `${readme.slice(0, from)}\n${content.replace(/\n$/, "")}\n${readme.slice(to)}`;
}

/** A Mermaid diagram as a fenced block GitHub renders. */
export function mermaidFence(diagram: string): string {
  return "```mermaid\n" + diagram.replace(/\n$/, "") + "\n```";
}
