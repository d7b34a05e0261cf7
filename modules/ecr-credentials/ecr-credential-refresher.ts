import * as fs from "fs";
import * as path from "path";
import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { RoleBindingV1 } from "@cdktf/provider-kubernetes/lib/role-binding-v1";
import { RoleV1 } from "@cdktf/provider-kubernetes/lib/role-v1";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
import { Fn } from "cdktf";
import { Construct } from "constructs";
import type { ICronJob } from "kubernetes-models/batch/v1/CronJob";
import type { IJob } from "kubernetes-models/batch/v1/Job";
import type { IPodSpec } from "kubernetes-models/v1/PodSpec";
import { ChartRelease, helmHookAnnotations } from "../helm-chart/chart-release";
import { imagePullSecretsOf, MANAGED_BY_LABEL } from "../helm-chart/kubernetes-object";
import { terraformTemplateLiteral } from "../terraform/template-literal";

/** The script both steps of the refresher run; shipped next to this file. */
export const ECR_REFRESH_SCRIPT_PATH = path.join(__dirname, "ecr-refresh.sh");

/**
 * A refresh (all tries) gets this long: with `concurrencyPolicy: Forbid`, one hung run would
 * otherwise block every later refresh until the token expires. Each kubectl call has its own timeout.
 */
const REFRESH_DEADLINE_SECONDS = 600;

export interface EcrCredentialRefresherProps {
  /** Gitpod's namespace: the secret, the refresher and the workloads it restarts are all there. */
  readonly namespace: string;
  /** Prefix of the refresher's objects. */
  readonly namePrefix: string;
  /** `<account>.dkr.ecr.<region>.amazonaws.com`. */
  readonly registryServer: string;
  readonly region: string;
  /** IAM role (IRSA) of the refresher's service account `<namePrefix>-ecr-token-refresher`. */
  readonly roleArn: string;
  /** An image with the aws CLI and /bin/sh. */
  readonly awsCliImage: string;
  /** An image with kubectl and /bin/sh (Gitpod's installer image has both). */
  readonly kubectlImage: string;
  /**
   * Secrets in the namespace to pull the images with (a mirror's login).
   * @default none
   */
  readonly imagePullSecrets?: readonly string[];
  /** How often to refresh; ECR tokens live 12 hours. */
  readonly intervalHours: number;
}

/**
 * Gitpod 2022.11.3's workloads that mount the registry's `.dockerconfigjson` with `subPath`, which
 * never sees updates of the secret (docs/gitpod-installer.md, "Run time: what a Terraform apply cannot see"): the refresher
 * restarts them after each refresh, or they would keep the expired token. Fixed names, in the
 * Gitpod namespace. (Upstream dropped these subPath mounts after this release.)
 */
export const GITPOD_REGISTRY_SECRET_SUBPATH_WORKLOADS = [
  { kind: "deployment", name: "image-builder-mk3" },
  { kind: "daemonset", name: "registry-facade" },
  { kind: "deployment", name: "blobserve" },
] as const;

/** The service account the ECR role trusts, for a name prefix. */
export function ecrTokenRefresherServiceAccount(namePrefix: string): string {
  return `${namePrefix}-ecr-token-refresher`;
}

/**
 * Keeps a `.dockerconfigjson` secret for ECR valid: a CronJob refreshes it well inside the token's
 * 12 hours, and a Job runs when the refresher is installed or changed (a Helm hook the release
 * waits for), so the first token exists before Gitpod starts. After storing a token it restarts
 * Gitpod's workloads that cannot see a secret's updates (GITPOD_REGISTRY_SECRET_SUBPATH_WORKLOADS),
 * skipping those not installed yet. The refresher may only patch that one secret and restart those
 * workloads, by name. Its service account, role and secret are Terraform resources (the account
 * carries the IAM role known only at apply); its workloads are a generated chart. It runs in the
 * Gitpod namespace.
 */
export class EcrCredentialRefresher extends Construct {
  /** Name of the secret (type kubernetes.io/dockerconfigjson) Gitpod is given. */
  readonly secretName: string;
  /** Ready once the first token is stored. */
  readonly workloads: ChartRelease;
  readonly manifests: readonly [ICronJob, IJob];

  constructor(scope: Construct, id: string, props: EcrCredentialRefresherProps) {
    super(scope, id);
    const name = ecrTokenRefresherServiceAccount(props.namePrefix);
    const namespace = props.namespace;
    const labels = { "app.kubernetes.io/name": "ecr-token-refresher", ...MANAGED_BY_LABEL };
    this.secretName = `${props.namePrefix}-ecr-auth`;

    const secret = new SecretV1(this, "auth", {
      metadata: { name: this.secretName, namespace, labels },
      type: "kubernetes.io/dockerconfigjson",
      // A placeholder: the refresher owns the content from its first run on.
      data: { ".dockerconfigjson": '{"auths":{}}' },
      lifecycle: { ignoreChanges: ["data"] },
    });
    const serviceAccount = new ServiceAccountV1(this, "service-account", {
      metadata: { name, namespace, labels, annotations: { "eks.amazonaws.com/role-arn": props.roleArn } },
    });
    const role = new RoleV1(this, "role", {
      metadata: { name, namespace, labels },
      rule: [
        // `kubectl patch` reads, then patches.
        { apiGroups: [""], resources: ["secrets"], resourceNames: [this.secretName], verbs: ["get", "patch"] },
        // `kubectl get --ignore-not-found`, then `kubectl rollout restart` (a read, then a patch of
        // the pod template's restartedAt annotation).
        ...(["deployment", "daemonset"] as const).map((kind) => ({
          apiGroups: ["apps"],
          resources: [`${kind}s`],
          resourceNames: GITPOD_REGISTRY_SECRET_SUBPATH_WORKLOADS.filter((w) => w.kind === kind).map((w) => w.name),
          verbs: ["get", "patch"],
        })),
      ],
    });
    const binding = new RoleBindingV1(this, "role-binding", {
      metadata: { name, namespace, labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
      subject: [{ kind: "ServiceAccount", name: serviceAccount.metadata.name, namespace }],
    });
    const script = new ConfigMapV1(this, "script", {
      metadata: { name, namespace, labels },
      data: { "ecr-refresh.sh": terraformTemplateLiteral(fs.readFileSync(ECR_REFRESH_SCRIPT_PATH, "utf8")) },
    });

    const step = (stepName: string, image: string, action: "login" | "store", env: { name: string; value?: string; valueFrom?: object }[]) => ({
      name: stepName,
      image,
      command: ["/bin/sh", "/scripts/ecr-refresh.sh", action],
      // The aws and kubectl CLIs keep caches below $HOME: a writable folder of the pod's own.
      env: [{ name: "HOME", value: "/home/refresher" }, ...env],
      securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
      volumeMounts: [
        { name: "token", mountPath: "/token" },
        { name: "home", mountPath: "/home/refresher" },
        { name: "script", mountPath: "/scripts", readOnly: true },
      ],
      resources: { requests: { cpu: "10m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
    });
    const pod: IPodSpec = {
      serviceAccountName: name,
      restartPolicy: "Never",
      ...imagePullSecretsOf(props.imagePullSecrets),
      // The restricted Pod Security profile: neither CLI needs root. Both steps run as one user, so
      // the token file the first writes (mode 0600) is the second's to read.
      securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534, seccompProfile: { type: "RuntimeDefault" } },
      initContainers: [step("login", props.awsCliImage, "login", [{ name: "AWS_REGION", value: props.region }])],
      containers: [
        step("store", props.kubectlImage, "store", [
          { name: "REGISTRY_SERVER", value: props.registryServer },
          { name: "SECRET_NAME", value: this.secretName },
          { name: "NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
          { name: "RESTART_WORKLOADS", value: GITPOD_REGISTRY_SECRET_SUBPATH_WORKLOADS.map((w) => `${w.kind}/${w.name}`).join(" ") },
        ]),
      ],
      volumes: [
        // In memory only: the token never touches a node's disk.
        { name: "token", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } },
        { name: "home", emptyDir: { sizeLimit: "64Mi" } },
        { name: "script", configMap: { name } },
      ],
    };
    const cronJob: ICronJob = {
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: { name, labels },
      spec: {
        schedule: `17 */${props.intervalHours} * * *`,
        concurrencyPolicy: "Forbid",
        successfulJobsHistoryLimit: 1,
        failedJobsHistoryLimit: 3,
        jobTemplate: { metadata: { labels }, spec: { backoffLimit: 3, activeDeadlineSeconds: REFRESH_DEADLINE_SECONDS, template: { metadata: { labels }, spec: pod } } },
      },
    };
    const firstRun: IJob = {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: {
        name: `${name}-now`,
        labels,
        // It runs at every install and upgrade of the refresher, and Helm waits for it.
        annotations: helmHookAnnotations("post-install,post-upgrade"),
      },
      spec: { backoffLimit: 3, activeDeadlineSeconds: REFRESH_DEADLINE_SECONDS, template: { metadata: { labels }, spec: pod } },
    };
    this.manifests = [cronJob, firstRun];
    this.workloads = new ChartRelease(this, "workloads", {
      chartName: name,
      version: "1.0.0",
      description: "Refreshes Gitpod's ECR login (generated by gitpod-cdktf)",
      manifests: this.manifests,
      releaseName: name,
      namespace,
      timeoutSeconds: 600,
      // A new script or role runs the first-run hook again.
      checksums: { script: Fn.sha256(Fn.jsonencode(script.data)), role: props.roleArn },
      dependsOn: [secret, binding, script],
    });
  }
}
