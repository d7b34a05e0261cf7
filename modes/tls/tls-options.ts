import * as v from "valibot";
import { pemCertificate } from "../../config/primitives";
import { certManagerSchema } from "../../config/sections";

/** What every TLS mode has besides its own fields. */
export const tlsOptions = {
  /** How cert-manager is installed: Gitpod's own release needs it in any case. */
  certManager: v.optional(certManagerSchema, {}),
  /**
   * A private CA (PEM, certificates only) Gitpod trusts besides the public ones: its workspaces,
   * image builds and registry pulls, e.g. a corporate CA that signed Gitpod's certificate, a
   * GitLab's or the mirror's. Usually given as `caCertificateFile: <path relative to the config>`.
   * With `self-signed`, Gitpod trusts both this and its own CA. The nodes' containerd needs
   * `config_path` for it (docs/operations.md, "A private CA on the nodes").
   */
  caCertificate: v.optional(pemCertificate),
};
