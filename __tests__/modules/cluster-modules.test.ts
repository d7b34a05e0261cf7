import { CertManager, certManagerValues } from "../../modules/cert-manager/cert-manager";
import { TerraformOutput } from "cdktf";
import { GitpodEncryptionKeys } from "../../modules/encryption-keys/gitpod-encryption-keys";
import { moduleStack, onlyResource, parseYaml, synthStack } from "../support/synth";

describe("CertManager", () => {
  const stack = moduleStack();
  new CertManager(stack, "cert-manager", { version: "v1.16.5", namespace: "cert-manager", chartRepository: "https://charts.jetstack.io" });
  const release = onlyResource(synthStack(stack), "helm_release") as any;

  it("installs the pinned jetstack chart with its CRDs and waits until it is ready", () => {
    expect(release).toMatchObject({
      name: "cert-manager",
      repository: "https://charts.jetstack.io",
      chart: "cert-manager",
      version: "v1.16.5",
      namespace: "cert-manager",
      create_namespace: true,
      wait: true,
      wait_for_jobs: true,
      atomic: true,
    });
    expect(parseYaml(release.values[0])).toEqual({ crds: { enabled: true, keep: true } });
  });

  it("uses the CRD switch of the chart version", () => {
    expect(certManagerValues("v1.15.0")).toEqual({ crds: { enabled: true, keep: true } });
    expect(certManagerValues("v1.14.7")).toEqual({ installCRDs: true });
    expect(certManagerValues("v2.0.0")).toEqual({ crds: { enabled: true, keep: true } });
  });

  it("pins the components' images by digest, as the chart writes them (a digest wins over a tag)", () => {
    const digest = `sha256:${"ab".repeat(32)}`;
    const values = certManagerValues("v1.16.5", {
      controller: `quay.io/jetstack/cert-manager-controller:v1.16.5@${digest}`,
      webhook: `mirror.acme.dev:5000/jetstack/cert-manager-webhook@${digest}`,
      cainjector: "mirror.acme.dev/jetstack/cert-manager-cainjector:v1.16.5",
    });
    expect(values).toEqual({
      crds: { enabled: true, keep: true },
      image: { repository: "quay.io/jetstack/cert-manager-controller", digest },
      webhook: { image: { repository: "mirror.acme.dev:5000/jetstack/cert-manager-webhook", digest } },
      cainjector: { image: { repository: "mirror.acme.dev/jetstack/cert-manager-cainjector", tag: "v1.16.5" } },
    });
  });
});

describe("GitpodEncryptionKeys", () => {
  const stack = moduleStack();
  const keys = new GitpodEncryptionKeys(stack, "keys", { deletionProtection: true });
  const json = synthStack(stack);

  // docs/gitpod-installer.md, "Secret keys": encryptionKeys is a JSON array with 32 random bytes of material.
  it("is 32 random bytes generated at apply time, never at synth time", () => {
    expect(onlyResource(json, "random_bytes")).toMatchObject({ length: 32, lifecycle: { prevent_destroy: true } });
  });

  it("renders Gitpod's key list around the material", () => {
    expect(keys.json).toMatch(/^\$\{TfToken\[TOKEN\.\d+\]\}$/);
    const other = moduleStack();
    const unprotected = new GitpodEncryptionKeys(other, "keys", { deletionProtection: false });
    new TerraformOutput(other, "keys_json", { value: unprotected.json, sensitive: true });
    const out = synthStack(other);
    expect(out.output!.keys_json.value).toMatch(
      /^\$\{jsonencode\(\[\{"name" = "general", "version" = 1, "primary" = true, "material" = random_bytes\.[\w-]+\.base64\}\]\)\}$/,
    );
    expect(onlyResource(out, "random_bytes")).toMatchObject({ lifecycle: { prevent_destroy: false } });
  });
});
