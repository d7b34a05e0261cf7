import * as os from "os";
import * as path from "path";
import { certManagerPublicImages } from "../modules/cert-manager/cert-manager";
import { localStatePath } from "../stacks/gitpod-stack";
import { validateAgainstSchema } from "./support/kubernetes-schemas";
import {
  chartObjectsByRelease,
  config,
  parseYaml,
  releaseChartFiles,
  resourcesOf,
  scratchDir,
  synthApp,
  type SynthesizedApp,
  type TerraformJson,
} from "./support/synth";

const PEM = "-----BEGIN CERTIFICATE-----\nMIIBexample\n-----END CERTIFICATE-----\n";

const IDS = {
  secrets: "gitpod-installation-secrets",
  cluster: "gitpod-cluster-prerequisites",
  services: "gitpod-in-cluster-services",
  release: "gitpod-release",
};

const remoteStates = (json: TerraformJson) => Object.keys(json.data?.terraform_remote_state ?? {}).sort();
const providers = (json: TerraformJson) => Object.keys(json.provider ?? {}).sort();
const lifecycles = (json: TerraformJson, type: string) => Object.values(resourcesOf(json, type)).map((r) => r.lifecycle);

describe("the default configuration (everything in the cluster)", () => {
  const app = synthApp(config());

  it("has one stack per concern", () => {
    expect(app.stackIds.sort()).toEqual(Object.values(IDS).sort());
  });

  it("orders stacks by the data they use, and by nothing else", () => {
    const dependencies = Object.fromEntries(Object.entries(app.manifest.stacks).map(([id, s]) => [id, [...s.dependencies].sort()]));
    expect(dependencies).toEqual({
      [IDS.secrets]: [],
      [IDS.cluster]: [],
      [IDS.services]: [IDS.cluster],
      [IDS.release]: [IDS.cluster, IDS.services, IDS.secrets].sort(),
    });
  });

  it("links stacks only through remote state of the producers' outputs", () => {
    expect(remoteStates(app.stack(IDS.secrets))).toEqual([]);
    expect(remoteStates(app.stack(IDS.cluster))).toEqual([]);
    expect(remoteStates(app.stack(IDS.services))).toEqual([`cross-stack-reference-input-${IDS.cluster}`]);
    expect(remoteStates(app.stack(IDS.release))).toEqual(
      [IDS.cluster, IDS.services, IDS.secrets].map((id) => `cross-stack-reference-input-${id}`).sort(),
    );
  });

  it("reads each producer's state where the producer writes it", () => {
    const release = app.stack(IDS.release);
    for (const producer of [IDS.cluster, IDS.services, IDS.secrets]) {
      const producerBackend = app.stack(producer).terraform.backend!.local;
      expect(release.data!.terraform_remote_state[`cross-stack-reference-input-${producer}`]).toMatchObject({
        backend: "local",
        config: producerBackend,
      });
    }
  });

  it("keeps local state outside cdktf.out, at a path relative to each stack folder", () => {
    for (const id of app.stackIds) {
      expect(app.stack(id).terraform.backend).toEqual({ local: { path: localStatePath(id) } });
      // cdktf.out/stacks/<id>/../../../ is the folder holding cdktf.out.
      expect(path.resolve(app.outdir, "stacks", id, localStatePath(id))).toBe(path.resolve(app.outdir, "..", `terraform.${id}.tfstate`));
    }
  });

  it("initialises in each stack only the providers it uses", () => {
    expect(providers(app.stack(IDS.secrets))).toEqual(["random"]);
    expect(providers(app.stack(IDS.cluster))).toEqual(["helm", "kubernetes"]);
    expect(providers(app.stack(IDS.services))).toEqual(["helm", "kubernetes", "random"]);
    expect(providers(app.stack(IDS.release))).toEqual(["helm", "kubernetes", "random"]);
  });

  it("pins the provider versions of the prebuilt bindings", () => {
    expect(app.stack(IDS.release).terraform.required_providers).toEqual({
      helm: { source: "helm", version: "3.1.1" },
      kubernetes: { source: "kubernetes", version: "2.38.0" },
      random: { source: "hashicorp/random", version: "3.7.2" },
    });
  });

  it("installs cert-manager in the prerequisites, before anything that creates cert-manager objects", () => {
    expect(Object.keys(resourcesOf(app.stack(IDS.cluster), "helm_release"))).toHaveLength(1);
    // The release (which carries Certificates and Issuers) waits for the prerequisites stack.
    expect(app.manifest.stacks[IDS.release].dependencies).toContain(IDS.cluster);
  });

  it("protects every volume, the namespace that holds them, and the encryption keys", () => {
    expect(lifecycles(app.stack(IDS.cluster), "kubernetes_namespace_v1")).toEqual([{ prevent_destroy: true }]);
    expect(lifecycles(app.stack(IDS.services), "kubernetes_persistent_volume_claim_v1")).toEqual([
      { prevent_destroy: true },
      { prevent_destroy: true },
    ]);
    expect(lifecycles(app.stack(IDS.secrets), "random_bytes")).toEqual([{ prevent_destroy: true }]);
  });

  it("writes release chart objects that are valid against their schemas", () => {
    const templates = Object.entries(releaseChartFiles(app, IDS.release)).filter(([name]) => name.startsWith("templates/"));
    expect(templates.length).toBeGreaterThan(0);
    templates.forEach(([, text]) => validateAgainstSchema(parseYaml(text) as Record<string, unknown>));
  });

  it("outputs only non-secret values in the clear", () => {
    for (const id of app.stackIds) {
      for (const [name, output] of Object.entries(app.stack(id).output ?? {})) {
        if (name.startsWith("cross-stack-output-")) expect(output.sensitive).toBe(true);
        else expect(JSON.stringify(output.value)).not.toMatch(/random_|var\.|\.data\b/);
      }
    }
    expect(app.stack(IDS.release).output!.url.value).toBe("https://gitpod.acme.dev");
  });
});

describe("configuration variants", () => {
  it("uses the name as prefix of stacks and objects", () => {
    const app = synthApp(config({ name: "acme" }));
    expect(app.stackIds.sort()).toEqual(["acme-cluster-prerequisites", "acme-in-cluster-services", "acme-installation-secrets", "acme-release"]);
    const deployments = Object.values(chartObjectsByRelease(app, "acme-in-cluster-services"))
      .flat()
      .filter((o) => o.kind === "Deployment")
      .map((d: any) => d.metadata.name);
    expect(deployments.sort()).toEqual(["acme-minio", "acme-mysql"]);
  });

  it("leaves cert-manager alone when the cluster already has it (no helm provider in the prerequisites)", () => {
    const app = synthApp(config({ tls: { type: "self-signed", certManager: { install: false } } }));
    expect(resourcesOf(app.stack(IDS.cluster), "helm_release")).toEqual({});
    expect(providers(app.stack(IDS.cluster))).toEqual(["kubernetes"]);
  });

  it("pins a different cert-manager version or chart mirror when asked", () => {
    const app = synthApp(config({ tls: { type: "self-signed", certManager: { version: "v1.14.7", chartRepository: "https://charts.acme.dev/jetstack" } } }));
    const [release] = Object.values(resourcesOf(app.stack(IDS.cluster), "helm_release")) as any[];
    expect(release).toMatchObject({ version: "v1.14.7", repository: "https://charts.acme.dev/jetstack" });
    // Every image written out, tagged with the release: the startupapicheck before v1.12 ran cert-manager-ctl.
    const image = (name: string) => ({ image: { repository: `quay.io/jetstack/cert-manager-${name}`, tag: "v1.14.7" } });
    expect(parseYaml(release.values[0])).toEqual({
      installCRDs: true,
      ...image("controller"),
      webhook: image("webhook"),
      cainjector: image("cainjector"),
      acmesolver: image("acmesolver"),
      startupapicheck: image("startupapicheck"),
    });
    expect(certManagerPublicImages("v1.11.5").startupapicheck).toBe("quay.io/jetstack/cert-manager-ctl:v1.11.5");
  });

  it.each([
    ["issuer", { type: "issuer", issuerRef: { name: "letsencrypt-prod" } }, ["Certificate/https-certificates"]],
    ["secret", { type: "secret", secretName: "wildcard-tls" }, []],
  ])("tls %s: the release carries only the objects that mode needs", (_, tls, certObjects) => {
    const app = synthApp(config({ tls }));
    const kinds = Object.entries(releaseChartFiles(app, IDS.release))
      .filter(([name]) => name.startsWith("templates/"))
      .map(([, text]) => parseYaml(text) as any)
      .filter((o) => o.kind !== "Job")
      .map((o) => `${o.kind}/${o.metadata.name}`);
    expect(kinds).toEqual(certObjects);
  });

  it("declares one sensitive variable per SCM provider, in the release stack only", () => {
    const app = synthApp(
      config({
        scm: {
          providers: [
            { id: "Public-GitHub", type: "GitHub", clientId: "a" },
            { id: "gitlab", type: "GitLab", host: "gitlab.acme.dev", clientId: "b" },
          ],
        },
      }),
    );
    const variables = app.stack(IDS.release).variable!;
    expect(Object.keys(variables).sort()).toEqual(["scm_gitlab_client_secret", "scm_public_github_client_secret"]);
    Object.values(variables).forEach((v) => expect(v).toMatchObject({ type: "string", sensitive: true }));
    for (const id of [IDS.secrets, IDS.cluster, IDS.services]) expect(app.stack(id).variable).toBeUndefined();
  });

  it("removes every protection when deletion protection is off everywhere", () => {
    const off = { deletionProtection: false };
    const app = synthApp(config({ database: { type: "in-cluster", ...off }, storage: { type: "in-cluster", ...off }, registry: { type: "in-cluster", ...off } }));
    expect(lifecycles(app.stack(IDS.cluster), "kubernetes_namespace_v1")).toEqual([{ prevent_destroy: false }]);
    expect(lifecycles(app.stack(IDS.services), "kubernetes_persistent_volume_claim_v1")).toEqual([{ prevent_destroy: false }, { prevent_destroy: false }]);
    expect(lifecycles(app.stack(IDS.secrets), "random_bytes")).toEqual([{ prevent_destroy: false }]);
  });

  it("keeps the namespace protected while any volume in it is", () => {
    const app = synthApp(config({ database: { type: "in-cluster", deletionProtection: false } }));
    expect(lifecycles(app.stack(IDS.cluster), "kubernetes_namespace_v1")).toEqual([{ prevent_destroy: true }]);
  });

  it("with every dependency brought by the user: no volume in the namespace, but the encryption keys stay protected", () => {
    const app = synthApp(
      config({
        database: { type: "external", host: "db.acme.dev", username: "gitpod" },
        storage: { type: "external", endpoint: "s3.acme.dev", bucket: "gitpod", accessKeyId: "a" },
        registry: { type: "external", url: "registry.acme.dev/gitpod", username: "robot" },
      }),
    );
    expect(app.stackIds).not.toContain(IDS.services);
    expect(lifecycles(app.stack(IDS.cluster), "kubernetes_namespace_v1")).toEqual([{ prevent_destroy: false }]);
    expect(lifecycles(app.stack(IDS.secrets), "random_bytes")).toEqual([{ prevent_destroy: true }]);
    const apply = Object.entries(releaseChartFiles(app, IDS.release)).find(([name]) => name.endsWith("job-gitpod-installer-apply.yaml"))!;
    const env = (parseYaml(apply[1]) as any).spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: "KEEP_VOLUMES", value: "false" });
  });

  it("creates only the in-cluster services that are asked for", () => {
    const app = synthApp(config({ storage: { type: "external", endpoint: "s3.acme.dev", bucket: "gitpod", accessKeyId: "a" } }));
    expect(Object.keys(chartObjectsByRelease(app, IDS.services))).toEqual(["gitpod-mysql"]);
    expect(Object.keys(resourcesOf(app.stack(IDS.services), "kubernetes_persistent_volume_claim_v1"))).toHaveLength(1);
  });

  it("configures the providers from KUBE_* variables when no kubeconfig is given", () => {
    const app = synthApp(config({ kubernetes: { configPath: "", context: "prod" } }));
    expect(app.stack(IDS.release).provider).toEqual({ helm: [{ kubernetes: { config_context: "prod" } }], kubernetes: [{ config_context: "prod" }], random: [{}] });
  });
});

describe("stateful resources keep their Terraform addresses", () => {
  // Renaming a construct renames its Terraform address, and Terraform would destroy the resource
  // and create a new, empty one. Changing any of these needs a `terraform state mv` and a note in
  // docs/operations.md.
  const app = synthApp(config());
  it.each([
    [IDS.secrets, "random_bytes", "encryption-keys_material_598C171F"],
    [IDS.cluster, "kubernetes_namespace_v1", "gitpod-namespace"],
    [IDS.services, "kubernetes_persistent_volume_claim_v1", "mysql_server_data_C2A7B6DB"],
    [IDS.services, "kubernetes_persistent_volume_claim_v1", "minio_server_data_DCF8BB80"],
    [IDS.services, "random_password", "mysql_root-password_C671C28D"],
    [IDS.services, "random_password", "mysql_user-password_F7532F6D"],
    [IDS.services, "random_password", "minio_root-password_0883C601"],
    [IDS.release, "random_password", "gitpod_render-seed_8239EDE5"],
  ])("%s: %s.%s", (stack, type, name) => {
    expect(Object.keys(resourcesOf(app.stack(stack), type))).toContain(name);
  });
});

describe("portable, deterministic output", () => {
  const first = synthApp(config());
  const second = synthApp(config(), path.join(scratchDir("elsewhere-"), "nested", "cdktf.out"));

  it("is byte-identical when synthesized twice, in different folders", () => {
    const a = first.files();
    const b = second.files();
    expect(Object.keys(b)).toEqual(Object.keys(a));
    for (const file of Object.keys(a)) expect(b[file]).toBe(a[file]);
  });

  it("contains no absolute path of the build machine", () => {
    const machinePaths = [first.outdir, path.dirname(first.outdir), process.cwd(), os.homedir(), os.tmpdir()];
    // A path starts a string or follows a separator, and ends the string or continues with "/".
    const asPath = (p: string) => new RegExp(`(^|["'\\s=:])${p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}($|["'\\s/])`, "m");
    for (const [file, content] of Object.entries(first.files())) {
      for (const machinePath of machinePaths) {
        if (asPath(machinePath).test(content)) throw new Error(`${file} contains ${machinePath}`);
      }
    }
    // The check itself works:
    expect(asPath(os.homedir()).test(`"config_path": "${os.homedir()}/.kube/config"`)).toBe(true);
    expect(asPath("/root").test('"path": "stack/mysql/root-password"')).toBe(false);
  });
});

describe("secrets", () => {
  let app: SynthesizedApp;
  const planted = "planted-secret-value-7f3a";
  beforeAll(() => {
    // Even with secrets in the environment (as TF_VAR_*), synth must never read them into the output.
    const saved = { ...process.env };
    process.env.TF_VAR_scm_public_github_client_secret = planted;
    process.env.MYSQL_PASSWORD = planted;
    try {
      app = synthApp(config({ scm: { providers: [{ id: "Public-GitHub", type: "GitHub", clientId: "abc" }] } }));
    } finally {
      process.env = saved;
    }
  });

  it("never appear in the synthesized output", () => {
    for (const [file, content] of Object.entries(app.files())) {
      if (content.includes(planted)) throw new Error(`${file} contains a secret from the environment`);
    }
  });

  it("are generated at apply time or passed as sensitive variables", () => {
    const generated = app.stackIds.flatMap((id) => [
      ...Object.keys(resourcesOf(app.stack(id), "random_password")),
      ...Object.keys(resourcesOf(app.stack(id), "random_bytes")),
    ]);
    expect(generated).toHaveLength(5);
    expect(app.stack(IDS.release).variable!.scm_public_github_client_secret.sensitive).toBe(true);
  });
});

describe("with AWS managed services", () => {
  const OIDC = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC";
  const allAws = config({
    aws: { region: "eu-west-1", vpcId: "vpc-0123456789abcdef0", subnetIds: ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"], eksOidcProviderArn: OIDC },
    database: { type: "rds", allowedSecurityGroupIds: ["sg-0123456789abcdef0"], caCertificate: PEM },
    storage: { type: "s3" },
    registry: { type: "ecr" },
    tls: { type: "acme-route53", email: "ops@acme.dev", hostedZoneId: "Z0123456789ABCDEFGHIJ" },
  });
  const app = synthApp(allAws);
  const AWS = "gitpod-aws-services";

  it("puts the AWS resources in one stack, with the random provider only for the RDS master password", () => {
    expect(app.stackIds.sort()).toEqual([AWS, IDS.cluster, IDS.secrets, IDS.release].sort());
    expect(providers(app.stack(AWS))).toEqual(["aws", "random"]);
    expect(Object.keys(app.stack(AWS).terraform.required_providers).sort()).toEqual(["aws", "random"]);
    const withoutRds = synthApp(config({ aws: allAws.aws, storage: { type: "s3" }, registry: { type: "ecr" } }));
    expect(providers(withoutRds.stack(AWS))).toEqual(["aws"]);
    expect(Object.keys(withoutRds.stack(AWS).terraform.required_providers)).toEqual(["aws"]);
  });

  it("makes no AWS stack for an aws section that no mode uses (e.g. after moving back in-cluster)", () => {
    const idle = synthApp(config({ aws: allAws.aws }));
    expect(idle.stackIds.sort()).toEqual([IDS.cluster, IDS.services, IDS.secrets, IDS.release].sort());
  });

  it("the AWS stack reads no other stack, and cert-manager's waits for no AWS stack: they deploy side by side", () => {
    expect(app.manifest.stacks[IDS.cluster].dependencies).toEqual([]);
    expect(app.manifest.stacks[AWS].dependencies).toEqual([]);
    expect(remoteStates(app.stack(AWS))).toEqual([]);
    expect(app.manifest.stacks[IDS.release].dependencies.sort()).toEqual([AWS, IDS.cluster, IDS.secrets].sort());
  });

  it("generates the RDS master password in the AWS stack, at most 41 characters, and sets it on RDS whenever it changes", () => {
    const passwords = Object.values(resourcesOf(app.stack(AWS), "random_password")) as any[];
    expect(passwords).toEqual([expect.objectContaining({ length: 40, special: false, lifecycle: { prevent_destroy: true } })]);
    expect(resourcesOf(app.stack(IDS.secrets), "random_password")).toEqual({});
    const [instance] = Object.values(resourcesOf(app.stack(AWS), "aws_db_instance")) as any[];
    expect(instance.password).toBeUndefined();
    expect(instance.password_wo).toBe("${random_password.rds-master-password.result}");
    // Derived from the password: a new password (rotated, or generated anew) reaches RDS too.
    expect(instance.password_wo_version).toBe("${(parseint(substr(sha256(random_password.rds-master-password.result), 0, 12), 16) + 1)}");
  });

  it("keeps the Terraform addresses of stateful AWS resources", () => {
    // A changed address makes Terraform destroy and recreate: these must never move.
    const addresses = (type: string) => Object.keys(resourcesOf(app.stack(AWS), type)).sort();
    expect(addresses("aws_db_instance")).toEqual(["rds-mysql_instance_3852527F"]);
    expect(addresses("aws_s3_bucket")).toEqual(["object-storage_bucket_3141A098"]);
    expect(addresses("aws_ecr_repository")).toEqual(["ecr_base-images_12145ABE", "ecr_workspace-images_590C8358"]);
    // The address it had in the installation secrets stack: `terraform state mv` moves it over as it is.
    expect(Object.keys(resourcesOf(app.stack(AWS), "random_password"))).toEqual(["rds-master-password"]);
    const registryOnS3 = synthApp(config({ aws: { region: "eu-west-1" }, registry: { type: "s3" } }));
    expect(Object.keys(resourcesOf(registryOnS3.stack(AWS), "aws_s3_bucket"))).toEqual(["registry-storage_registry_bucket_61CCDCFC"]);
  });

  it("creates the ECR refresher, the ACME issuer and Gitpod's database user in the release stack, and installs Gitpod after them", () => {
    const release = app.stack(IDS.release);
    const releases = Object.values(resourcesOf(release, "helm_release")) as any[];
    expect(releases.map((r) => r.name).sort()).toEqual(["gitpod-ecr-token-refresher", "gitpod-installer", "gitpod-mysql-user-setup"]);
    const helm = releases.find((r) => r.name === "gitpod-installer");
    expect(helm.depends_on).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^kubernetes_manifest\.acme-issuer_/),
        expect.stringMatching(/^helm_release\.ecr-credentials_workloads_release_/),
        expect.stringMatching(/^helm_release\.rds-gitpod-user_setup_release_/),
      ]),
    );
  });
});
