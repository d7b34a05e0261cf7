import * as v from "valibot";
import { kubernetesName, section } from "../../config/primitives";
import { issuedCertificate } from "../../modules/tls/gitpod-certificate";
import { tlsMode } from "../dependencies";
import { tlsOptions } from "./tls-options";

export const issuerTls = tlsMode({
  type: "issuer",
  summary: "a certificate from a cert-manager issuer the cluster already has (Let's Encrypt, a corporate CA...)",
  entries: {
    issuerRef: section({
      name: kubernetesName,
      kind: v.optional(v.picklist(["ClusterIssuer", "Issuer"]), "ClusterIssuer"),
      group: v.optional(v.string(), "cert-manager.io"),
    }),
    ...tlsOptions,
  },
  placement: ["release"],
  build: (context, options) => issuedCertificate({ domain: context.domain, issuerRef: options.issuerRef }),
});
