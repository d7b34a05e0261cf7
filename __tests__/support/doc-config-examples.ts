/**
 * The configuration examples of the documentation (README.md and docs/*.md): the yaml blocks whose
 * top-level keys are all keys of the reference block ("Every key, with its default", in
 * docs/modes.md), which itself is not one (it holds <placeholders>). Many are fragments without
 * the required `domain`: EXAMPLE_DOMAIN stands in for it. Parsed as the app parses config files
 * (YAML 1.2's core schema).
 */
import { CORE_SCHEMA, load } from "js-yaml";
import { documentationFiles, fencedBlocks, readDoc, section, withoutFences } from "./markdown";

export const EXAMPLE_DOMAIN = "gitpod.acme.dev";

/** Where the hand-written reference block lives, and its heading. */
export const REFERENCE_FILE = "docs/modes.md";
export const REFERENCE_HEADING = "## Every key, with its default";

/** The files whose yaml blocks are searched for configuration examples. */
export function configExampleFiles(): string[] {
  // Examples' READMEs show commands; their configs are checked by examples.test.ts. The generated
  // reference's examples are fragments of one key, each loaded in json-schema.test.ts.
  return ["README.md", ...documentationFiles().filter((file) => file.startsWith("docs/") && file !== "docs/configuration.md")];
}

export const parseConfigYaml = (text: string): unknown => load(text, { schema: CORE_SCHEMA });

/** The reference block: every top-level key, with its default or a <placeholder>. */
export function referenceBlock(): string {
  const text = readDoc(REFERENCE_FILE);
  if (!withoutFences(text).split("\n").includes(REFERENCE_HEADING)) throw new Error(`${REFERENCE_FILE} has no "${REFERENCE_HEADING}"`);
  const block = fencedBlocks(section(text, REFERENCE_HEADING), "yaml")[0];
  if (block === undefined) throw new Error(`"${REFERENCE_HEADING}" in ${REFERENCE_FILE} has no yaml block`);
  return block;
}

export interface ConfigExample {
  /** Where it is shown: the file and its position among the file's yaml blocks. */
  readonly where: string;
  /** As written (fragments without `domain` stay so). */
  readonly example: Record<string, unknown>;
}

/** Every configuration example, file by file, as written. */
export function configExamples(): ConfigExample[] {
  const reference = referenceBlock();
  const configKeys = new Set(Object.keys(parseConfigYaml(reference) as object));
  return configExampleFiles().flatMap((file) =>
    fencedBlocks(readDoc(file), "yaml")
      .map((block, index) => ({ block, index }))
      .filter(({ block }) => block !== reference)
      .map(({ block, index }) => ({ where: `${file} yaml block ${index + 1}`, example: parseConfigYaml(block) as Record<string, unknown> }))
      .filter(({ example }) => example !== null && typeof example === "object" && !Array.isArray(example))
      .filter(({ example }) => Object.keys(example).every((key) => configKeys.has(key))),
  );
}
