import { selfSignedCertificate } from "../../modules/tls/gitpod-certificate";
import { tlsMode } from "../dependencies";
import { tlsOptions } from "./tls-options";

export const selfSignedTls = tlsMode({
  type: "self-signed",
  summary: "a private CA made by cert-manager; workspaces trust it, browsers need it imported",
  entries: tlsOptions,
  placement: ["release"],
  build: (context) => selfSignedCertificate({ domain: context.domain, namePrefix: context.namePrefix }),
});
