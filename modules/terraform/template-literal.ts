/**
 * Terraform reads every string in its JSON syntax as a template: `${...}` interpolates and `%{...}`
 * is a directive. Text that must arrive verbatim (a shell script, a file) is escaped with this.
 * Use it only on plain text: a cdktf token inside would stop being a reference.
 *
 * (cdktf's Fn.rawString targets HCL expressions and doubles backslashes in JSON output.)
 */
export function terraformTemplateLiteral(text: string): string {
  // Replacer functions: in a replacement string "$$" would mean a single "$".
  return text.replace(/\$\{/g, () => "$${").replace(/%\{/g, () => "%%{");
}
