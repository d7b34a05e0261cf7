/** The mode constructors of each dependency: every mode of one returns what Gitpod consumes of it. */
import type { GitpodContainerRegistry, GitpodDatabase, GitpodObjectStorage } from "../modules/gitpod/dependencies";
import type { CertificateSource } from "../modules/tls/gitpod-certificate";
import { modesOf } from "./mode";

export const databaseMode = modesOf<GitpodDatabase>();
export const storageMode = modesOf<GitpodObjectStorage>();
export const registryMode = modesOf<GitpodContainerRegistry>();
export const tlsMode = modesOf<CertificateSource>();
/** DNS gives Gitpod nothing to consume: its records point at Gitpod's proxy. */
export const dnsMode = modesOf<void>();
