import { kubernetesName } from "../../config/primitives";
import { existingCertificateSecret } from "../../modules/tls/gitpod-certificate";
import { tlsMode } from "../dependencies";
import { certManagerOption } from "./cert-manager-option";

export const secretTls = tlsMode({
  type: "secret",
  summary: "a TLS secret you keep in Gitpod's namespace yourself",
  entries: { secretName: kubernetesName, ...certManagerOption },
  placement: ["release"],
  build: (_, options) => existingCertificateSecret({ secretName: options.secretName }),
});
