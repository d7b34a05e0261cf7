#!/usr/bin/env node
/**
 * npm run json-schema: writes schema/gitpod-cdktf.schema.json (the config's JSON Schema, for
 * editors) and docs/configuration.md (the reference of every key), both generated from the
 * configuration's valibot schema; --check only says whether the committed files are up to date.
 */
import * as fs from "fs";
import * as path from "path";
import { CommandError, parseArguments, runCommand, UsageError } from "./command-line";
import { generatedFiles } from "./json-schema/generated-files";
import { projectRoot } from "./project-root";

const USAGE = `usage: npm run json-schema [-- --check]

  writes schema/gitpod-cdktf.schema.json and docs/configuration.md from the config's schema
  --check   write nothing; exit 1 if either file is out of date
`;

function main(): number {
  const { values, positionals } = parseArguments({
    args: process.argv.slice(2),
    allowPositionals: true,
    options: { check: { type: "boolean", default: false }, help: { type: "boolean", short: "h", default: false } },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`no arguments expected (got ${positionals.join(", ")})`);
  const root = projectRoot();
  const stale: string[] = [];
  for (const [file, content] of Object.entries(generatedFiles())) {
    const target = path.join(root, file);
    if (fs.existsSync(target) && fs.readFileSync(target, "utf8") === content) continue;
    stale.push(file);
    if (!values.check) {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, content);
    }
  }
  if (values.check && stale.length > 0) throw new CommandError(`out of date: ${stale.join(", ")}; run npm run json-schema`);
  process.stderr.write(stale.length === 0 || values.check ? "json-schema: up to date\n" : `json-schema: wrote ${stale.join(", ")}\n`);
  return 0;
}

void runCommand("json-schema", USAGE, [], main);
