import type { ExternalContainerRegistry } from "../gitpod/dependencies";

export interface ExternalContainerRegistryProps {
  /** Registry host with the path prefix Gitpod pushes below, e.g. `registry.acme.dev/gitpod`. */
  readonly url: string;
  readonly username: string;
  /** Sensitive. */
  readonly password: string;
}

/**
 * A Docker Registry HTTP API V2 registry the user already runs. Gitpod pushes to
 * `<url>/base-images` and `<url>/workspace-images` with these credentials.
 */
export function externalContainerRegistry(props: ExternalContainerRegistryProps): ExternalContainerRegistry {
  const server = props.url.split("/")[0];
  return { kind: "external", url: props.url, auth: { server, username: props.username, password: props.password } };
}
