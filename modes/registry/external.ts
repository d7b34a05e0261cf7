import { HOST_AND_PORT, matching, nonEmptyString } from "../../config/primitives";
import { SENSITIVE_VARIABLES } from "../../config/sections";
import { externalContainerRegistry } from "../../modules/external/container-registry";
import { registryMode } from "../dependencies";

export const externalRegistry = registryMode({
  type: "external",
  summary: "a Docker Registry HTTP API V2 registry you run (Harbor, Artifactory...); preflight checks it before apply",
  entries: {
    /**
     * Docker Registry HTTP API V2 registry with the path Gitpod pushes below, no scheme:
     * `registry.acme.dev/gitpod` -> `registry.acme.dev/gitpod/base-images`, `.../workspace-images`.
     * The password is the variable `registry_password`.
     */
    url: matching(
      new RegExp(`^${HOST_AND_PORT}(/[a-z0-9]+([._-][a-z0-9]+)*)*$`),
      "must be a registry host with an optional path, without scheme, e.g. registry.acme.dev/gitpod",
    ),
    username: nonEmptyString,
  },
  placement: ["release"],
  build: (context, registry) =>
    externalContainerRegistry({
      url: registry.url,
      username: registry.username,
      password: context.sensitiveVariable(SENSITIVE_VARIABLES.registryPassword, `Password of ${registry.username} at ${registry.url}`),
    }),
});
