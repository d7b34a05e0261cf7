import * as fs from "fs";
import * as path from "path";
import { App, type TerraformStack } from "cdktf";
import { mirroredImage } from "../config/mirror";
import { installerNamespaceOf, type GitpodCdktfConfig } from "../config/schema";
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
  const installerNamespace = installerNamespaceOf(config.name);

  const secrets = new InstallationSecretsStack(app, stackId(STACK_CONCERNS.secrets), {
    backend,
    deletionProtection: config.database.deletionProtection,
  });
  const clusterStack = new ClusterPrerequisitesStack(app, stackId(STACK_CONCERNS.cluster), {
    backend,
    cluster,
    certManager: config.tls.certManager,
    gitpodNamespace: config.gitpod.namespace,
    installerNamespace,
    protectNamespace: keepsDataInNamespace(config),
    mirror: config.mirror,
    namePrefix: config.name,
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
    installerNamespace: clusterStack.installerNamespace,
    installerNamespaceName: installerNamespace,
    encryptionKeys: secrets.encryptionKeys,
    scmProviders: config.scm.providers,
    caCertificate: config.tls.caCertificate,
    imagePullSecrets: clusterStack.imagePullSecrets,
    dependencies: (releaseStack) => {
      const stacks: Record<Placement, TerraformStack | undefined> = {
        "installation-secrets": secrets,
        "cluster-prerequisites": clusterStack,
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
        image: (publicReference) => mirroredImage(publicReference, config.mirror),
        imagePullSecrets: clusterStack.imagePullSecrets,
        chartRepository: config.mirror?.chartRepository,
        ownNamespace: (id, name) => clusterStack.namespaceWithPullSecret(id, name),
      };
      return {
        database: buildDependency("database", config, context, config.aws),
        storage: buildDependency("storage", config, context, config.aws),
        registry: buildDependency("registry", config, context, config.aws),
        tls: buildDependency("tls", config, context, config.aws),
        dns: buildDependency("dns", config, context, config.aws),
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
 * The output folder cannot be created (a part of its path is a file, no permission, a read-only
 * file system). Nothing was written. Entry points print `message` as it is, on one line.
 */
export class OutputFolderError extends Error {
  constructor(
    readonly outdir: string,
    readonly reason: string,
  ) {
    super(`cannot create the output folder ${shownPath(outdir)}: ${reason}`);
    this.name = "OutputFolderError";
  }
}

/** A path for a one-line message: as it is when plain, else quoted (control characters escaped) and cut. */
function shownPath(folder: string): string {
  if (folder.length <= 200 && !/[\u0000-\u001f\u007f]/.test(folder)) return folder;
  return `${JSON.stringify(folder.slice(0, 200))}${folder.length > 200 ? ` (cut, ${folder.length} characters)` : ""}`;
}

/**
 * Synthesizes the app. Stack folders left from an earlier configuration are removed, as the cdktf
 * CLI does, so pipelines that read cdktf.out/stacks/* never see a stack that no longer exists.
 * The output folder is created first, with its parents; if it cannot be, an OutputFolderError
 * says why, before anything is written.
 */
export function synthesize(config: GitpodCdktfConfig, options: SynthesizeOptions = {}): { outdir: string; stackIds: string[] } {
  const app = openApp(options.outdir);
  buildGitpodStacks(app, config);
  const stackIds = app.node.children.map((child) => child.node.id);
  const stacksDir = path.join(app.outdir, "stacks");
  // cdktf writes into these without looking: a file in their place would fail halfway through.
  // All are checked before any is created, so such a failure leaves the folder as it was.
  const folders = [stacksDir, ...stackIds.map((id) => path.join(stacksDir, id))];
  for (const folder of folders) refuseNonFolder(folder, app.outdir);
  for (const folder of folders) createFolder(folder, app.outdir);
  app.synth();
  for (const entry of fs.readdirSync(stacksDir)) {
    if (!stackIds.includes(entry)) fs.rmSync(path.join(stacksDir, entry), { recursive: true, force: true });
  }
  return { outdir: app.outdir, stackIds };
}

/**
 * cdktf's App creates its output folder and `stacks/` in it, but not the folders above, and fails
 * with a bare fs error. The folder comes from `outdir` or, when the cdktf CLI runs the app
 * (`cdktf synth --output <dir>`), from CDKTF_OUTDIR, which only App reads: when App cannot create
 * it, the folder it tried is created here, with its parents, and App is made again.
 */
function openApp(outdir: string | undefined): App {
  if (outdir !== undefined) createFolder(outdir, outdir);
  try {
    return new App({ outdir });
  } catch (error) {
    const failed = mkdirFailure(error);
    if (failed === undefined) throw error;
    createFolder(failed, outdir ?? (path.basename(failed) === "stacks" ? path.dirname(failed) : failed));
    try {
      return new App({ outdir });
    } catch (again) {
      const stillFailed = mkdirFailure(again);
      if (stillFailed === undefined) throw again;
      throw new OutputFolderError(stillFailed, describeFolderError(again, stillFailed));
    }
  }
}

/** The folder a failed `mkdir` was creating, if that is what `error` is. */
function mkdirFailure(error: unknown): string | undefined {
  const failure = error as NodeJS.ErrnoException | null;
  return failure?.syscall === "mkdir" && typeof failure.path === "string" ? failure.path : undefined;
}

/** An OutputFolderError naming `shown` if `folder` exists and is not a folder. */
function refuseNonFolder(folder: string, shown: string): void {
  let existing: fs.Stats;
  try {
    existing = fs.statSync(folder);
  } catch {
    return;
  }
  if (!existing.isDirectory()) throw new OutputFolderError(shown, `${folder === shown ? "it" : shownPath(folder)} is a file, not a folder`);
}

/** Creates `folder` with its parents; an OutputFolderError naming `shown` if it cannot be. */
function createFolder(folder: string, shown: string): void {
  refuseNonFolder(folder, shown);
  try {
    fs.mkdirSync(folder, { recursive: true });
  } catch (error) {
    throw new OutputFolderError(shown, describeFolderError(error, folder));
  }
}

/** Why a folder could not be created, in a few words (no stack, no errno prose). */
function describeFolderError(error: unknown, folder: string): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case "ENOTDIR":
    case "EEXIST": {
      const blocker = existingNonFolder(folder);
      if (blocker === undefined) return "a part of its path is not a folder";
      return `${blocker === folder ? "it" : shownPath(blocker)} is a file, not a folder`;
    }
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EROFS":
      return "the file system is read-only";
    case "ENOSPC":
      return "no space left on the device";
    case "ENAMETOOLONG":
      return "the path is too long";
    case "ELOOP":
      return "its path has a loop of symbolic links";
    default:
      return code ?? (error instanceof Error ? error.message.replace(/\s+/g, " ").slice(0, 200) : String(error));
  }
}

/** The deepest part of `folder`'s path that exists, if it is not a folder (as `folder` writes it). */
function existingNonFolder(folder: string): string | undefined {
  for (let current = folder; ; current = path.dirname(current)) {
    try {
      return fs.statSync(current).isDirectory() ? undefined : current;
    } catch {
      // Not there (or below a file): look one level up.
    }
    if (path.dirname(current) === current) return undefined;
  }
}
