#!/usr/bin/env node
/**
 * npm run graph: a Mermaid diagram of a synthesized app (stacks, providers, main resources, the
 * values that link them, the deployment order), or the README's embedded diagrams regenerated.
 */
import * as fs from "fs";
import * as path from "path";
import { ConfigError } from "../config/errors";
import { CdktfOutError, readCdktfOut } from "./cdktf-out/read-cdktf-out";
import { CommandError, parseArguments, runCommand, UsageError, userPath } from "./command-line";
import { deploymentGraph } from "./graph/deployment-graph";
import { renderMermaid } from "./graph/mermaid";
import { ReadmeBlockError, replaceBlock } from "./graph/readme-blocks";
import { projectRoot } from "./project-root";

const USAGE = `usage: npm run graph -- [<cdktf.out folder>] [--output <file>]
       npm run graph -- --update-readme

  <cdktf.out folder>  a synthesized app (default: cdktf.out)
  --output, -o FILE   write the diagram to FILE instead of stdout
  --update-readme     synthesize each configuration the README shows (scripts/graph/readme-diagrams.ts)
                      and rewrite its diagram between the <!-- graph:<name> --> markers
`;

async function main(): Promise<number> {
  const { values, positionals } = parseArguments({
    args: process.argv.slice(2),
    allowPositionals: true,
    options: {
      output: { type: "string", short: "o" },
      "update-readme": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError(`one cdktf.out folder at most (got ${positionals.join(", ")})`);
  if (values["update-readme"]) {
    if (positionals.length > 0 || values.output !== undefined) {
      throw new UsageError("--update-readme synthesizes the configurations itself: give it no folder and no --output");
    }
    return await updateReadme();
  }
  // Default: ./cdktf.out where the command runs (the project root under npm); a folder the user
  // names is relative to where they ran npm.
  const dir = positionals[0] === undefined ? path.resolve("cdktf.out") : userPath(positionals[0], process.env, process.cwd());
  const diagram = renderMermaid(deploymentGraph(readCdktfOut(dir)));
  if (values.output === undefined) {
    process.stdout.write(diagram);
  } else {
    const file = userPath(values.output, process.env, process.cwd());
    if (!fs.existsSync(path.dirname(file))) throw new CommandError(`--output ${values.output}: the folder ${path.dirname(file)} does not exist`);
    fs.writeFileSync(file, diagram);
    process.stderr.write(`graph: wrote ${values.output}\n`);
  }
  return 0;
}

async function updateReadme(): Promise<number> {
  // Loaded only here: synthesizing loads cdktf and the providers, which drawing a cdktf.out does not need.
  const { README_DIAGRAMS, renderReadmeDiagram } = await import("./graph/readme-diagrams");
  const root = projectRoot();
  const readmeFile = path.join(root, "README.md");
  const before = fs.readFileSync(readmeFile, "utf8");
  let readme = before;
  for (const diagram of README_DIAGRAMS) {
    process.stderr.write(`graph: synthesizing ${diagram.configFile ?? "the built-in defaults"} for <!-- graph:${diagram.block} -->\n`);
    readme = replaceBlock(readme, diagram.block, renderReadmeDiagram(diagram, root));
  }
  if (readme === before) {
    process.stderr.write(`graph: README.md is up to date (${README_DIAGRAMS.length} diagram${README_DIAGRAMS.length === 1 ? "" : "s"})\n`);
  } else {
    fs.writeFileSync(readmeFile, readme);
    process.stderr.write("graph: README.md updated\n");
  }
  return 0;
}

void runCommand("graph", USAGE, [CdktfOutError, ReadmeBlockError, ConfigError], main);
