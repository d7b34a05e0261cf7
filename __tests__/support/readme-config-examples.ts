/**
 * The configuration examples of the documentation (README.md and docs/*.md), found as
 * __tests__/readme.test.ts finds them (support/doc-config-examples.ts): the yaml blocks whose
 * top-level keys are all keys of the reference block ("Every key, with its default", now in
 * docs/modes.md), which itself is not one (it holds <placeholders>). Many are fragments without
 * the required `domain`: README_EXAMPLE_DOMAIN stands in for it. Parsed as the app parses config
 * files (YAML 1.2's core schema).
 */
import { configExamples, EXAMPLE_DOMAIN } from "./doc-config-examples";

export const README_EXAMPLE_DOMAIN = EXAMPLE_DOMAIN;

export function readmeConfigExamples(): Record<string, unknown>[] {
  return configExamples().map(({ example }) => ({ domain: README_EXAMPLE_DOMAIN, ...example }));
}
