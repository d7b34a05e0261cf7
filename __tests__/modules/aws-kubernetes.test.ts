import * as fs from "fs";
import { ECR_REFRESH_SCRIPT_PATH, EcrCredentialRefresher } from "../../modules/ecr-credentials/ecr-credential-refresher";
import { AcmeRoute53Issuer } from "../../modules/tls/acme-route53-issuer";
import { validateAgainstSchema } from "../support/kubernetes-schemas";
import { moduleStack, onlyResource, resourcesOf, synthStack, unescapeTerraformTemplate } from "../support/synth";

describe("EcrCredentialRefresher", () => {
  const stack = moduleStack();
  const refresher = new EcrCredentialRefresher(stack, "ecr", {
    namespace: "gitpod",
    namePrefix: "gitpod",
    registryServer: "123456789012.dkr.ecr.eu-west-1.amazonaws.com",
    region: "eu-west-1",
    roleArn: "arn:aws:iam::123456789012:role/gitpod-ecr-token-refresher",
    awsCliImage: "public.ecr.aws/aws-cli/aws-cli:2.27.49",
    kubectlImage: "eu.gcr.io/gitpod-core-dev/build/installer:release-2022.11.3",
    intervalHours: 4,
  });
  const json = synthStack(stack);
  const [cronJob, firstRun] = refresher.manifests as readonly any[];
  const pod = firstRun.spec.template.spec;
  const release = onlyResource(json, "helm_release") as any;

  it("refreshes every few hours, well inside the 12 hours an ECR token lives", () => {
    expect(cronJob.spec.schedule).toBe("17 */4 * * *");
    expect(cronJob.spec.concurrencyPolicy).toBe("Forbid");
    expect(cronJob.spec.jobTemplate.spec.template.spec).toEqual(pod);
  });

  it("bounds every refresh, so a hung one cannot block the next ones (Forbid) until the token expires", () => {
    for (const spec of [cronJob.spec.jobTemplate.spec, firstRun.spec]) {
      expect(spec.activeDeadlineSeconds).toBeGreaterThan(0);
      expect(spec.activeDeadlineSeconds).toBeLessThanOrEqual(3600);
    }
    // The Helm release waits for the first run: it must not give up before the run's deadline.
    expect(release.timeout).toBeGreaterThanOrEqual(firstRun.spec.activeDeadlineSeconds);
  });

  it("stores the first token before Gitpod is installed (a hook Job the release waits for)", () => {
    expect(firstRun.metadata.annotations).toEqual({
      "helm.sh/hook": "post-install,post-upgrade",
      "helm.sh/hook-delete-policy": "before-hook-creation",
    });
    expect(release).toMatchObject({ wait: true, atomic: true, namespace: "gitpod", chart: refresher.workloads.chart.chartPath });
    expect(refresher.secretName).toBe("gitpod-ecr-auth");
  });

  it("installs its workloads only after the secret, the permission and the script exist", () => {
    expect(release.depends_on).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^kubernetes_secret_v1\./),
        expect.stringMatching(/^kubernetes_role_binding_v1\./),
        expect.stringMatching(/^kubernetes_config_map_v1\./),
      ]),
    );
  });

  it("runs the first-run hook again when the script or the role changes", () => {
    expect(release.values).toHaveLength(1);
    expect(release.values[0]).toContain("sha256");
    expect(release.values[0]).toContain("arn:aws:iam::123456789012:role/gitpod-ecr-token-refresher");
  });

  it("writes a CronJob and a Job that are valid against their schemas, as the chart's only templates", () => {
    refresher.manifests.forEach((manifest) => validateAgainstSchema(manifest as unknown as Record<string, unknown>));
    const templates = Object.keys(refresher.workloads.chart.files).filter((f) => f.startsWith("templates/"));
    expect(templates).toEqual(["templates/00-cronjob-gitpod-ecr-token-refresher.yaml", "templates/01-job-gitpod-ecr-token-refresher-now.yaml"]);
  });

  it("logs in with the IAM role of its service account (IRSA), then patches the secret", () => {
    const serviceAccount = onlyResource(json, "kubernetes_service_account_v1") as any;
    expect(serviceAccount.metadata.annotations).toEqual({ "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/gitpod-ecr-token-refresher" });
    expect(pod.serviceAccountName).toBe("gitpod-ecr-token-refresher");
    expect(pod.initContainers[0]).toMatchObject({
      image: "public.ecr.aws/aws-cli/aws-cli:2.27.49",
      command: ["/bin/sh", "/scripts/ecr-refresh.sh", "login"],
      env: [
        { name: "HOME", value: "/home/refresher" },
        { name: "AWS_REGION", value: "eu-west-1" },
      ],
    });
    expect(pod.containers[0]).toMatchObject({
      command: ["/bin/sh", "/scripts/ecr-refresh.sh", "store"],
      env: [
        { name: "HOME", value: "/home/refresher" },
        { name: "REGISTRY_SERVER", value: "123456789012.dkr.ecr.eu-west-1.amazonaws.com" },
        { name: "SECRET_NAME", value: "gitpod-ecr-auth" },
        { name: "NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
        { name: "RESTART_WORKLOADS", value: "deployment/image-builder-mk3 daemonset/registry-facade deployment/blobserve" },
      ],
    });
    // The token lives in memory only.
    expect(pod.volumes[0]).toEqual({ name: "token", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } });
  });

  // What kubectl really requests with these rules is checked in ecr-refresh-script.test.ts.
  it("may only read and patch its one secret, and restart the three workloads that mount it with subPath", () => {
    const role = onlyResource(json, "kubernetes_role_v1") as any;
    expect(role.metadata.namespace).toBe("gitpod");
    expect(role.rule).toEqual([
      { api_groups: [""], resources: ["secrets"], resource_names: ["gitpod-ecr-auth"], verbs: ["get", "patch"] },
      { api_groups: ["apps"], resources: ["deployments"], resource_names: ["image-builder-mk3", "blobserve"], verbs: ["get", "patch"] },
      { api_groups: ["apps"], resources: ["daemonsets"], resource_names: ["registry-facade"], verbs: ["get", "patch"] },
    ]);
  });

  it("creates the secret as a dockerconfigjson placeholder and leaves its content to the refresher", () => {
    const secret = onlyResource(json, "kubernetes_secret_v1") as any;
    expect(secret).toMatchObject({ type: "kubernetes.io/dockerconfigjson", lifecycle: { ignore_changes: ["data"] } });
  });

  it("ships its script verbatim", () => {
    const script = (onlyResource(json, "kubernetes_config_map_v1") as any).data["ecr-refresh.sh"];
    expect(unescapeTerraformTemplate(script)).toBe(fs.readFileSync(ECR_REFRESH_SCRIPT_PATH, "utf8"));
  });
});

describe("AcmeRoute53Issuer", () => {
  const stack = moduleStack();
  const issuer = new AcmeRoute53Issuer(stack, "acme", {
    namespace: "gitpod",
    namePrefix: "gitpod",
    domain: "gitpod.acme.dev",
    email: "ops@acme.dev",
    server: "https://acme-staging-v02.api.letsencrypt.org/directory",
    region: "eu-west-1",
    hostedZoneId: "Z0123456789ABCDEFGHIJ",
    roleArn: "arn:aws:iam::123456789012:role/gitpod-acme-dns01",
    certManagerNamespace: "cert-manager",
    certManagerServiceAccount: "cert-manager",
  });
  const json = synthStack(stack);
  const manifest = (onlyResource(json, "kubernetes_manifest") as any).manifest;

  it("is a valid Issuer in Gitpod's namespace (not a ClusterIssuer) with a DNS01 Route53 solver (wildcards need DNS01)", () => {
    validateAgainstSchema(manifest);
    expect(manifest.kind).toBe("Issuer");
    expect(manifest.metadata).toMatchObject({ name: "gitpod-letsencrypt", namespace: "gitpod" });
    expect(manifest.spec.acme).toMatchObject({
      email: "ops@acme.dev",
      server: "https://acme-staging-v02.api.letsencrypt.org/directory",
      privateKeySecretRef: { name: "gitpod-letsencrypt-account" },
      solvers: [
        {
          selector: { dnsZones: ["gitpod.acme.dev"] },
          dns01: {
            route53: {
              region: "eu-west-1",
              hostedZoneID: "Z0123456789ABCDEFGHIJ",
              role: "arn:aws:iam::123456789012:role/gitpod-acme-dns01",
              // No audiences: cert-manager requests the token for sts.amazonaws.com, which the role's trust requires.
              auth: { kubernetes: { serviceAccountRef: { name: "gitpod-acme-dns01" } } },
            },
          },
        },
      ],
    });
  });

  it("keeps its service account in Gitpod's namespace, with no IRSA annotation (only cert-manager requests its tokens)", () => {
    const serviceAccount = onlyResource(json, "kubernetes_service_account_v1") as any;
    expect(serviceAccount.metadata).toEqual({ name: "gitpod-acme-dns01", namespace: "gitpod", labels: { "app.kubernetes.io/managed-by": "gitpod-cdktf" } });
  });

  it("lets cert-manager's controller request tokens for that one service account only, in Gitpod's namespace", () => {
    const role = onlyResource(json, "kubernetes_role_v1") as any;
    expect(role.metadata.namespace).toBe("gitpod");
    expect(role.rule).toEqual([{ api_groups: [""], resources: ["serviceaccounts/token"], resource_names: ["gitpod-acme-dns01"], verbs: ["create"] }]);
    const binding = onlyResource(json, "kubernetes_role_binding_v1") as any;
    expect(binding.metadata.namespace).toBe("gitpod");
    expect(binding.role_ref).toEqual({ api_group: "rbac.authorization.k8s.io", kind: "Role", name: expect.stringMatching(/^\$\{kubernetes_role_v1\.acme_token-request_\w+\.metadata\[0\]\.name\}$/) });
    expect(binding.subject).toEqual([{ kind: "ServiceAccount", name: "cert-manager", namespace: "cert-manager" }]);
    expect((onlyResource(json, "kubernetes_manifest") as any).depends_on).toEqual([expect.stringMatching(/^kubernetes_role_binding_v1\./)]);
  });

  it("gives Gitpod a certificate from the issuer, ready only after the issuer exists", () => {
    expect(issuer.certificate.secretName).toBe("https-certificates");
    expect(issuer.certificate.manifests).toHaveLength(1);
    expect((issuer.certificate.manifests[0] as any).spec.issuerRef).toEqual({ group: "cert-manager.io", kind: "Issuer", name: "gitpod-letsencrypt" });
    expect(issuer.certificate.prerequisites).toEqual([issuer.issuer]);
    expect(Object.keys(resourcesOf(json, "kubernetes_service_account_v1"))).toHaveLength(1);
  });
});
