import { dump } from "js-yaml";

/**
 * YAML as a person (or kubectl) would write it: every object spelled out, no anchors or aliases,
 * no line folding. js-yaml quotes strings that YAML 1.1 readers (Helm, Go) would take for booleans
 * or numbers, such as `off` or `0755`.
 */
export function plainYaml(value: unknown): string {
  return dump(value, { noRefs: true, lineWidth: -1 });
}
