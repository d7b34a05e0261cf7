import { Token } from "cdktf";

/**
 * Terraform reads every string in its JSON syntax as a template: `${...}` interpolates and `%{...}`
 * is a directive. Text that must arrive verbatim (a shell script, a user's annotation) is escaped
 * with this. Use it only on plain text: a cdktf token inside would stop being a reference.
 *
 * (cdktf's Fn.rawString targets HCL expressions and doubles backslashes in JSON output.)
 */
export function terraformTemplateLiteral(text: string): string {
  // Replacer functions: in a replacement string "$$" would mean a single "$".
  return text.replace(/\$\{/g, () => "$${").replace(/%\{/g, () => "%%{");
}

/**
 * Escapes every string (keys included) of a plain data structure, except strings that carry cdktf
 * tokens: those are references this project built and must stay references.
 */
export function terraformTemplateLiterals<T>(value: T): T {
  if (typeof value === "string") {
    return (Token.isUnresolved(value) ? value : terraformTemplateLiteral(value)) as T;
  }
  if (Array.isArray(value)) return value.map((item) => terraformTemplateLiterals(item)) as T;
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [terraformTemplateLiterals(key), terraformTemplateLiterals(item)]),
    ) as T;
  }
  return value;
}
