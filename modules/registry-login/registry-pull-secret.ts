import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { Fn, TerraformLocal } from "cdktf";
import { Construct } from "constructs";
import { MANAGED_BY_LABEL } from "../helm-chart/kubernetes-object";
import { writeOnlyVersion } from "../terraform/write-only-version";

export interface RegistryLogin {
  /** The registry's host (and port): the key pods' pulls are matched against. */
  readonly server: string;
  readonly username: string;
  /** Sensitive (a variable or a reference). */
  readonly password: string;
}

/**
 * A `.dockerconfigjson` document for one registry login, as a Terraform expression: the format
 * Kubernetes pull secrets and Gitpod's registry secret share.
 */
export function dockerConfigJson(login: RegistryLogin): string {
  return Fn.jsonencode({
    auths: {
      [login.server]: {
        username: login.username,
        password: login.password,
        auth: Fn.base64encode(Fn.join(":", [login.username, login.password])),
      },
    },
  });
}

export interface RegistryPullSecretProps {
  /** Name of the secret, the same in every namespace. */
  readonly name: string;
  /**
   * Namespaces (names or references) whose pods pull with it, by a stable id (`gitpod`,
   * `cert-manager`...) that names each secret's Terraform resource.
   */
  readonly namespaces: Readonly<Record<string, string>>;
  readonly login: RegistryLogin;
}

/**
 * A pull secret (type kubernetes.io/dockerconfigjson) for one registry in several namespaces. Its
 * data is written write-only: the password is never in this stack's state.
 */
export class RegistryPullSecret extends Construct {
  readonly name: string;
  private readonly data: Record<string, string>;

  constructor(scope: Construct, id: string, props: RegistryPullSecretProps) {
    super(scope, id);
    this.name = props.name;
    // A local value: Terraform keeps locals in no state.
    this.data = new TerraformLocal(this, "data", { ".dockerconfigjson": dockerConfigJson(props.login) }).asStringMap;
    for (const [namespaceId, namespace] of Object.entries(props.namespaces)) this.addNamespace(namespaceId, namespace);
  }

  /** The secret in one more namespace; `namespaceId` names its Terraform resource. */
  addNamespace(namespaceId: string, namespace: string): SecretV1 {
    return new SecretV1(this, namespaceId, {
      metadata: { name: this.name, namespace, labels: { ...MANAGED_BY_LABEL } },
      type: "kubernetes.io/dockerconfigjson",
      dataWo: this.data,
      dataWoRevision: writeOnlyVersion(Fn.jsonencode(this.data)),
    });
  }
}
