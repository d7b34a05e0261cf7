import { Password } from "@cdktf/provider-random/lib/password";
import type { Construct } from "constructs";
import type { BackendConfig } from "../config/schema";
import { GitpodEncryptionKeys } from "../modules/encryption-keys/gitpod-encryption-keys";
import { GitpodStack } from "./gitpod-stack";
import { randomProvider } from "./providers";

export interface InstallationSecretsStackProps {
  readonly backend: BackendConfig;
  /** Protect the encryption keys from destroy (as long as the database holds data). */
  readonly deletionProtection: boolean;
  /** Generate the master password of an RDS database. */
  readonly rdsMasterPassword: boolean;
}

/**
 * Secrets whose lifetime is the installation's, not one component's: Gitpod's database encryption
 * keys must survive reinstalling the release or moving the database. Needs no cluster or cloud
 * access (random provider only), so nothing waits long for it.
 */
export class InstallationSecretsStack extends GitpodStack {
  /** Sensitive JSON for the `encryptionKeys` key of Gitpod's database secret. */
  readonly encryptionKeys: string;
  /** Sensitive; only with `rdsMasterPassword`. */
  readonly rdsMasterPassword?: string;

  constructor(scope: Construct, id: string, props: InstallationSecretsStackProps) {
    super(scope, id, props.backend);
    randomProvider(this);
    this.encryptionKeys = new GitpodEncryptionKeys(this, "encryption-keys", {
      deletionProtection: props.deletionProtection,
    }).json;
    if (props.rdsMasterPassword) {
      // Generated here, not in the AWS stack, which uses the aws provider only. RDS allows at most
      // 41 characters; alphanumeric, because Gitpod's jobs pass it through shell commands.
      this.rdsMasterPassword = new Password(this, "rds-master-password", {
        length: 40,
        special: false,
        lifecycle: { preventDestroy: props.deletionProtection },
      }).result;
    }
  }
}
