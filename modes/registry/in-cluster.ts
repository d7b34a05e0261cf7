import { deletionProtection } from "../../config/primitives";
import { registryMode } from "../dependencies";

export const inClusterRegistry = registryMode({
  type: "in-cluster",
  summary: "Gitpod's own registry, deployed by its installer on a volume in Gitpod's namespace",
  entries: { deletionProtection },
  placement: ["release"],
  keepsDataInNamespace: (options) => options.deletionProtection,
  build: (_, options) => ({ kind: "in-cluster", keepVolumeOnUninstall: options.deletionProtection }),
});
