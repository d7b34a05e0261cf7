import type { Construct } from "constructs";
import type { BackendConfig } from "../config/schema";
import { GitpodEncryptionKeys } from "../modules/encryption-keys/gitpod-encryption-keys";
import { GitpodStack } from "./gitpod-stack";
import { randomProvider } from "./providers";

export interface InstallationSecretsStackProps {
  readonly backend: BackendConfig;
  /** Protect the encryption keys from destroy (as long as the database holds data). */
  readonly deletionProtection: boolean;
}

/**
 * Secrets whose lifetime is the installation's, not one component's: Gitpod's database encryption
 * keys must survive reinstalling the release or moving the database. Needs no cluster or cloud
 * access (random provider only), so nothing waits long for it. Only the release reads it: every
 * stack that reads a stack's outputs keeps all of them in its own state (terraform_remote_state), so
 * a secret another stack needs is generated in that stack, not here (the RDS master password lives
 * with the RDS instance; docs/modes.md, "Secrets").
 */
export class InstallationSecretsStack extends GitpodStack {
  /** Sensitive JSON for the `encryptionKeys` key of Gitpod's database secret. */
  readonly encryptionKeys: string;

  constructor(scope: Construct, id: string, props: InstallationSecretsStackProps) {
    super(scope, id, props.backend);
    randomProvider(this);
    this.encryptionKeys = new GitpodEncryptionKeys(this, "encryption-keys", {
      deletionProtection: props.deletionProtection,
    }).json;
  }
}
