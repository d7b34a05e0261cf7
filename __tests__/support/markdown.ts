/**
 * Reading the project's Markdown the way GitHub renders it, for the tests that check the docs:
 * which files are documentation, their sections, fenced blocks, relative links and the anchors
 * their headings get.
 */
import * as fs from "fs";
import * as path from "path";

export const ROOT = path.resolve(__dirname, "..", "..");

/** Project-relative paths of the documentation: README.md, CONTRIBUTING.md, docs/*.md, examples' READMEs. */
export function documentationFiles(): string[] {
  const docs = fs
    .readdirSync(path.join(ROOT, "docs"))
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => `docs/${name}`);
  const exampleReadmes = (dir: string): string[] =>
    fs
      .readdirSync(path.join(ROOT, dir), { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name))
      .flatMap((entry) => {
        const child = `${dir}/${entry.name}`;
        if (entry.isDirectory()) return exampleReadmes(child);
        return entry.name === "README.md" ? [child] : [];
      });
  return ["README.md", "CONTRIBUTING.md", ...docs, ...exampleReadmes("examples")].filter((file) => fs.existsSync(path.join(ROOT, file)));
}

export function readDoc(file: string): string {
  return fs.readFileSync(path.join(ROOT, file), "utf8");
}

/** The text with every fenced code block blanked out (line count kept), so its lines are not read as Markdown. */
export function withoutFences(text: string): string {
  const lines = text.split("\n");
  let fence: string | undefined;
  return lines
    .map((line) => {
      const marker = /^\s*(```+|~~~+)/.exec(line)?.[1];
      if (fence === undefined && marker !== undefined) {
        fence = marker;
        return "";
      }
      if (fence !== undefined) {
        if (marker !== undefined && marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker) fence = undefined;
        return "";
      }
      return line;
    })
    .join("\n");
}

/** Contents of the fenced blocks of a language (```yaml ... ```). */
export function fencedBlocks(text: string, language: string): string[] {
  return [...text.matchAll(new RegExp("^```" + language + "\\n([\\s\\S]*?)^```", "gm"))].map((match) => match[1]);
}

/** ATX headings outside code blocks. */
export function headings(text: string): { level: number; text: string }[] {
  return withoutFences(text)
    .split("\n")
    .map((line) => /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({ level: match[1].length, text: match[2] }));
}

/**
 * GitHub's anchor for a heading: the rendered text lower-cased, everything but letters, digits,
 * `-`, `_` and spaces dropped, spaces as `-`. Repeated anchors get `-1`, `-2`...
 */
export function headingSlug(heading: string): string {
  const rendered = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1") // links and images: their text
    .replace(/<[^>]+>/g, ""); // inline HTML tags
  return rendered
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, "")
    .replace(/ /g, "-");
}

/** Every anchor a Markdown file offers through its headings. */
export function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const heading of headings(text)) {
    const slug = headingSlug(heading.text);
    const count = seen.get(slug) ?? 0;
    result.add(count === 0 ? slug : `${slug}-${count}`);
    seen.set(slug, count + 1);
  }
  return result;
}

export interface MarkdownLink {
  readonly line: number;
  readonly target: string;
}

/** Inline links and images outside code (fenced blocks and `inline code`). */
export function links(text: string): MarkdownLink[] {
  return withoutFences(text)
    .split("\n")
    .flatMap((line, index) =>
      [...line.replace(/`[^`]*`/g, (code) => " ".repeat(code.length)).matchAll(/\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g)].map((match) => ({
        line: index + 1,
        target: match[1],
      })),
    );
}

/** Whether a link leaves the repository (a URL with a scheme, or mail). */
export function isExternal(target: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("//");
}

/**
 * The text of a section: from its heading (the exact line, e.g. "## Secrets") to the next heading
 * of the same or a higher level, outside code blocks.
 */
export function section(text: string, heading: string): string {
  const level = /^#+/.exec(heading)![0].length;
  const lines = text.split("\n");
  const masked = withoutFences(text).split("\n");
  const start = masked.indexOf(heading);
  if (start === -1) throw new Error(`no section "${heading}"`);
  let end = start + 1;
  while (end < lines.length && !(/^#+\s/.test(masked[end]) && /^#+/.exec(masked[end])![0].length <= level)) end++;
  return lines.slice(start, end).join("\n");
}

/** Rows of the first Markdown table in `text`, as trimmed cells (header and separator left out). */
export function tableRows(text: string): string[][] {
  const lines = text.split("\n");
  const start = lines.findIndex((line) => line.startsWith("|"));
  if (start === -1) return [];
  const rows: string[][] = [];
  for (let index = start + 2; index < lines.length && lines[index].startsWith("|"); index++) {
    rows.push(
      lines[index]
        .replace(/^\|/, "")
        .replace(/\|\s*$/, "")
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim()),
    );
  }
  return rows;
}

/** The `code` spans of a table cell. */
export function codeSpans(cell: string): string[] {
  return [...cell.matchAll(/`([^`]+)`/g)].map((match) => match[1]);
}
