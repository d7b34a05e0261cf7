import * as fs from "fs";
import * as path from "path";
import { App, type TerraformStack } from "cdktf";
import type { GitpodCdktfConfig } from "../config/schema";
import { buildDependency, keepsDataInNamespace, placementsOf } from "../modes";
import type { ModeContext, Placement } from "../modes/mode";
import { AwsServicesStack } from "./aws-services-stack";
import { ClusterPrerequisitesStack } from "./cluster-prerequisites-stack";
import { GitpodReleaseStack } from "./gitpod-release-stack";
import { required, sensitiveVariable } from "./gitpod-stack";
import { InClusterServicesStack } from "./in-cluster-services-stack";
import { InstallationSecretsStack } from "./installation-secrets-stack";
import { TerraformCloudBootstrapStack } from "./terraform-cloud-bootstrap-stack";

/** The concern of each stack; a stack's id is `<name>-<concern>`. */
export const STACK_CONCERNS = {
  secrets: "installation-secrets",
  cluster: "cluster-prerequisites",
  services: "in-cluster-services",
  aws: "aws-services",
  release: "release",
  terraformCloud: "terraform-cloud",
} as const satisfies Record<string, string>;

/**
 * Composes the stacks for one configuration. Stacks exchange values only through references
 * (cdktf turns them into outputs and remote state), so each depends on exactly the stacks whose
 * values it uses. The optional stacks exist when a chosen mode places resources in them.
 */
function buildGitpodStacks(app: App, config: GitpodCdktfConfig): void {
  const stackId = (concern: string) => `${config.name}-${concern}`;
  const { backend, kubernetes: cluster } = config;
  const placements = placementsOf(config);

  const secrets = new InstallationSecretsStack(app, stackId(STACK_CONCERNS.secrets), {
    backend,
    deletionProtection: config.database.deletionProtection,
  });
  const clusterStack = new ClusterPrerequisitesStack(app, stackId(STACK_CONCERNS.cluster), {
    backend,
    cluster,
    certManager: config.tls.certManager,
    gitpodNamespace: config.gitpod.namespace,
    protectNamespace: keepsDataInNamespace(config),
  });
  const services = placements.has("in-cluster-services")
    ? new InClusterServicesStack(app, stackId(STACK_CONCERNS.services), { backend, cluster })
    : undefined;
  const aws = placements.has("aws-services")
    ? new AwsServicesStack(app, stackId(STACK_CONCERNS.aws), { backend, aws: required(config.aws, "aws"), namePrefix: config.name })
    : undefined;

  const release = new GitpodReleaseStack(app, stackId(STACK_CONCERNS.release), {
    backend,
    cluster,
    namePrefix: config.name,
    domain: config.domain,
    gitpod: config.gitpod,
    namespace: clusterStack.gitpodNamespace,
    encryptionKeys: secrets.encryptionKeys,
    scmProviders: config.scm.providers,
    dependencies: (releaseStack) => {
      const stacks: Record<Placement, TerraformStack | undefined> = {
        "installation-secrets": secrets,
        "in-cluster-services": services,
        "aws-services": aws,
        release: releaseStack,
      };
      const context: ModeContext = {
        scope: (placement) => required(stacks[placement], `the ${placement} stack`),
        namePrefix: config.name,
        domain: config.domain,
        namespace: clusterStack.gitpodNamespace,
        namespaceName: config.gitpod.namespace,
        gitpod: config.gitpod,
        sensitiveVariable: (name, description) => sensitiveVariable(releaseStack, name, description),
      };
      return {
        database: buildDependency("database", config, context, config.aws),
        storage: buildDependency("storage", config, context, config.aws),
        registry: buildDependency("registry", config, context, config.aws),
        tls: buildDependency("tls", config, context, config.aws),
      };
    },
  });

  if (backend.type === "cloud" && backend.bootstrap) {
    new TerraformCloudBootstrapStack(app, stackId(STACK_CONCERNS.terraformCloud), {
      backend,
      bootstrap: backend.bootstrap,
      namePrefix: config.name,
      // Created last: it reads the others' dependencies when cdktf prepares it.
      stacks: [secrets, clusterStack, services, aws, release].filter((stack): stack is TerraformStack => stack !== undefined),
    });
  }
}

export interface SynthesizeOptions {
  /** Output folder; default cdktf.out (or $CDKTF_OUTDIR when run by the cdktf CLI). */
  readonly outdir?: string;
}

/**
 * Synthesizes the app. Stack folders left from an earlier configuration are removed, as the cdktf
 * CLI does, so pipelines that read cdktf.out/stacks/* never see a stack that no longer exists.
 */
export function synthesize(config: GitpodCdktfConfig, options: SynthesizeOptions = {}): { outdir: string; stackIds: string[] } {
  const app = new App({ outdir: options.outdir });
  buildGitpodStacks(app, config);
  app.synth();
  const stackIds = app.node.children.map((child) => child.node.id);
  const stacksDir = path.join(app.outdir, "stacks");
  for (const entry of fs.readdirSync(stacksDir)) {
    if (!stackIds.includes(entry)) fs.rmSync(path.join(stacksDir, entry), { recursive: true, force: true });
  }
  return { outdir: app.outdir, stackIds };
}
