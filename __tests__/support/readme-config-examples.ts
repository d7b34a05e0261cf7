/**
 * The configuration examples of README.md, found as __tests__/readme.test.ts finds them: the yaml
 * blocks whose top-level keys are all keys of the reference block ("Every key, with its default"),
 * which itself is not one (it holds <placeholders>). Many are fragments without the required
 * `domain`: README_EXAMPLE_DOMAIN stands in for it. Parsed as the app parses config files (YAML
 * 1.2's core schema).
 */
import * as fs from "fs";
import * as path from "path";
import { CORE_SCHEMA, load } from "js-yaml";

export const README_EXAMPLE_DOMAIN = "gitpod.acme.dev";

const README = fs.readFileSync(path.join(__dirname, "..", "..", "README.md"), "utf8");
const REFERENCE_HEADING = "### Every key, with its default";

const parse = (text: string): unknown => load(text, { schema: CORE_SCHEMA });

export function readmeConfigExamples(): Record<string, unknown>[] {
  const yamlBlocks = [...README.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1]);
  const reference = README.slice(README.indexOf(REFERENCE_HEADING)).match(/```yaml\n([\s\S]*?)```/)![1];
  const configKeys = new Set(Object.keys(parse(reference) as object));
  return yamlBlocks
    .filter((block) => block !== reference)
    .map((block) => parse(block) as Record<string, unknown>)
    .filter((value) => value !== null && typeof value === "object" && Object.keys(value).every((key) => configKeys.has(key)))
    .map((example) => ({ domain: README_EXAMPLE_DOMAIN, ...example }));
}
