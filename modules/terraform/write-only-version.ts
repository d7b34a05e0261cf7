import { Fn, Op, Token } from "cdktf";

/**
 * The version (`password_wo_version`, `data_wo_revision`...) to give a write-only argument whose
 * value is `value`: 1 + the first 48 bits of the value's SHA-256, so it changes exactly when the
 * value does. Providers send a write-only value again when its version differs from the last one
 * (any change, not only an increase); with a constant the value would be written once and a new one
 * silently never. 48 bits: a number Terraform, Go's int and JavaScript hold exactly, and at least 1,
 * as the providers require. The state keeps this number, never the value.
 */
export function writeOnlyVersion(value: string): number {
  return Token.asNumber(Op.add(Fn.parseint(Fn.substr(Fn.sha256(value), 0, 12), 16), 1));
}
