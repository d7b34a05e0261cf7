import { Bytes } from "@cdktf/provider-random/lib/bytes";
import { Fn } from "cdktf";
import { Construct } from "constructs";

export interface GitpodEncryptionKeysProps {
  /** Refuse to destroy or replace the key material (Terraform `prevent_destroy`). */
  readonly deletionProtection: boolean;
}

/**
 * The keys Gitpod encrypts tokens in its database with (`encryptionKeys` of the database secret).
 * Generated once at apply time; losing or changing them makes the stored tokens unreadable, so
 * they live as long as the installation, whatever database it uses.
 */
export class GitpodEncryptionKeys extends Construct {
  /** Sensitive JSON: `[{"name":"general","version":1,"primary":true,"material":"<base64>"}]`. */
  readonly json: string;

  constructor(scope: Construct, id: string, props: GitpodEncryptionKeysProps) {
    super(scope, id);
    const material = new Bytes(this, "material", {
      length: 32,
      lifecycle: { preventDestroy: props.deletionProtection },
    });
    this.json = Fn.jsonencode([{ name: "general", version: 1, primary: true, material: material.base64 }]);
  }
}
