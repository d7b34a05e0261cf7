import type { Construct } from "constructs";
import type { BackendConfig } from "../config/schema";
import { GitpodStack } from "./gitpod-stack";
import { helmProvider, kubernetesProvider, randomProvider, type ClusterAccess } from "./providers";

export interface InClusterServicesStackProps {
  readonly backend: BackendConfig;
  readonly cluster: ClusterAccess;
}

/**
 * The stateful services Gitpod uses when they are not brought by the user (the in-cluster modes
 * put MySQL and MinIO here), on volumes of their own and outside Gitpod's release, so upgrading or
 * reinstalling Gitpod never touches their data. Exists only when a chosen mode needs it.
 */
export class InClusterServicesStack extends GitpodStack {
  constructor(scope: Construct, id: string, props: InClusterServicesStackProps) {
    super(scope, id, props.backend);
    kubernetesProvider(this, props.cluster);
    helmProvider(this, props.cluster);
    randomProvider(this);
  }
}
