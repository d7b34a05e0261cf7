/**
 * The documentation routes: README.md stays short and points into docs/, every relative link of
 * README.md, CONTRIBUTING.md, docs/*.md and examples/**\/README.md lands on a file that exists (and
 * on a heading that exists, for `#anchor` links into Markdown), and the README's outputs table
 * lists exactly the Terraform outputs the stacks declare.
 */
import * as fs from "fs";
import * as path from "path";
import { CONFIG_VARIANTS, variantConfig } from "./support/config-variants";
import { anchors, codeSpans, documentationFiles, isExternal, links, readDoc, ROOT, section, tableRows } from "./support/markdown";
import { synthApp } from "./support/synth";

const README_MAX_LINES = 250;

describe("the documentation's files", () => {
  const files = documentationFiles();

  it("are the README, CONTRIBUTING.md, the pages under docs/ and the examples' READMEs", () => {
    expect(files).toEqual(expect.arrayContaining(["README.md", "CONTRIBUTING.md", "docs/modes.md", "docs/operations.md", "examples/README.md"]));
    expect(files.filter((file) => file.startsWith("examples/")).length).toBeGreaterThan(3);
  });

  it(`keep the README to at most ${README_MAX_LINES} lines`, () => {
    const text = readDoc("README.md");
    expect(text.split("\n").length - (text.endsWith("\n") ? 1 : 0)).toBeLessThanOrEqual(README_MAX_LINES);
  });

  it("link only to files (and headings) that exist", () => {
    const broken = files.flatMap((file) =>
      links(readDoc(file))
        .filter(({ target }) => !isExternal(target))
        .flatMap(({ line, target }) => {
          const [filePart, anchor] = target.split("#", 2) as [string, string | undefined];
          const resolved = filePart === "" ? path.join(ROOT, file) : path.resolve(ROOT, path.dirname(file), decodeURIComponent(filePart));
          const where = `${file}:${line}: ${target}`;
          if (!resolved.startsWith(ROOT + path.sep) && resolved !== ROOT) return [`${where} (outside the repository)`];
          if (!fs.existsSync(resolved)) return [`${where} (no such file)`];
          if (anchor === undefined || anchor === "") return [];
          if (!resolved.endsWith(".md")) return [];
          return anchors(fs.readFileSync(resolved, "utf8")).has(decodeURIComponent(anchor)) ? [] : [`${where} (no such heading)`];
        }),
    );
    expect(broken).toEqual([]);
  });

  it("link to every page under docs/ from the README", () => {
    const linked = new Set(
      links(readDoc("README.md"))
        .map(({ target }) => target.split("#")[0])
        .filter((target) => target.startsWith("docs/")),
    );
    const pages = files.filter((file) => file.startsWith("docs/"));
    expect(pages.filter((page) => !linked.has(page))).toEqual([]);
  });
});

describe("the README's outputs table", () => {
  // | output | stack | when | description |
  const rows = tableRows(section(readDoc("README.md"), "## Outputs")).map(([output, stack, , description]) => ({
    output: codeSpans(output)[0],
    stack: codeSpans(stack)[0],
    description,
  }));

  // Every output the stacks declare, over configurations that use every mode and backend; the
  // outputs cdktf adds for cross-stack references are wiring, not for operators.
  const declared = new Map<string, { output: string; stack: string; description: string }>();
  for (const variant of CONFIG_VARIANTS) {
    const config = variantConfig(variant);
    const app = synthApp(config);
    for (const id of app.stackIds) {
      const stack = id.slice(config.name.length + 1);
      for (const [output, { description }] of Object.entries(app.stack(id).output ?? {})) {
        if (output.startsWith("cross-stack-output-")) continue;
        declared.set(`${stack} ${output}`, { output, stack, description: description ?? "" });
      }
    }
  }

  it("lists exactly the outputs the synthesized stacks declare, by stack", () => {
    const key = ({ stack, output }: { stack: string; output: string }) => `${stack} ${output}`;
    expect(rows.map(key).sort()).toEqual([...declared.keys()].sort());
  });

  it("describes each with the stack's own description", () => {
    for (const row of rows) expect(row).toEqual(declared.get(`${row.stack} ${row.output}`));
  });
});
