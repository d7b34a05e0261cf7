import { kubernetesName } from "../../config/primitives";
import { existingCertificateSecret } from "../../modules/tls/gitpod-certificate";
import { tlsMode } from "../dependencies";
import { tlsOptions } from "./tls-options";

export const secretTls = tlsMode({
  type: "secret",
  summary: "a TLS secret you keep in Gitpod's namespace yourself",
  entries: { secretName: kubernetesName, ...tlsOptions },
  placement: ["release"],
  build: (_, options) => existingCertificateSecret({ secretName: options.secretName }),
});
