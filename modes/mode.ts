/**
 * A mode is one way of providing one of Gitpod's dependencies (`database.type: rds`,
 * `registry.type: ecr`...), kept as one unit: the schema of its config section, the stacks its
 * resources live in, what it needs of the shared `aws` section, and how it builds the interface
 * Gitpod consumes (modules/gitpod/dependencies.ts). config/schema.ts makes each dependency's section
 * from its modes and stacks/gitpod-app.ts builds the chosen one, both from the list in
 * modes/index.ts: a new mode is one file here and one entry there (CONTRIBUTING.md walks through it).
 */
import * as v from "valibot";
import type { ITerraformDependable } from "cdktf";
import type { Construct } from "constructs";
import type { ReportProblem } from "../config/cross-field-check";
import type { AwsSection, GitpodSection } from "../config/sections";

/** The stacks a mode can put resources in. The optional ones exist only when a chosen mode names them. */
export type Placement = "installation-secrets" | "cluster-prerequisites" | "in-cluster-services" | "aws-services" | "release";

/** Fields of the `aws` section that only some modes need. */
export type AwsOptionalField = "vpcId" | "subnetIds" | "eksOidcProviderArn";

/** The `aws` section as a mode that needs `F` sees it: those fields are there. */
export type AwsWith<F extends AwsOptionalField> = AwsSection & { readonly [K in F]-?: NonNullable<AwsSection[K]> };

/** Why a mode needs each `aws` field it names (shown when the field is missing). */
export type AwsNeeds = Partial<Record<AwsOptionalField, string>>;

/** What a mode's `build` receives of the `aws` section: nothing unless it says it needs it. */
export type AwsFor<TNeeds extends AwsNeeds | undefined> = TNeeds extends AwsNeeds ? AwsWith<Extract<keyof TNeeds, AwsOptionalField>> : undefined;

/** What the app gives a mode to build with. */
export interface ModeContext {
  /** The stack for resources of `placement`; the mode must list it in its `placement`. */
  scope(placement: Placement): Construct;
  /** Prefix of resource names (the config's `name`). */
  readonly namePrefix: string;
  readonly domain: string;
  /** Gitpod's namespace as a reference to the stack that creates it (using it waits for that stack). */
  readonly namespace: string;
  /** The same namespace by name, for values fixed at synth time (IAM trust policies). */
  readonly namespaceName: string;
  readonly gitpod: GitpodSection;
  /** A required sensitive variable of the release stack, set as TF_VAR_<name>. */
  sensitiveVariable(name: string, description: string): string;
  /**
   * The reference a public third-party image (e.g. `docker.io/library/mysql:5.7.44`) is pulled
   * by: its copy in the mirror when the config has one. A mode's own image option, when given,
   * is used as it is instead.
   */
  image(publicReference: string): string;
  /** Pull secrets (in Gitpod's namespace) of every pod a mode creates there: the mirror's login, if any. */
  readonly imagePullSecrets: readonly string[];
  /** The chart repository of the mirror, the default of every chart's; undefined without one. */
  readonly chartRepository?: string;
  /**
   * A namespace of its own for a mode's workloads, made in the cluster-prerequisites stack with the
   * mirror's pull secret in it (when the mirror needs a login); `id` names its resources.
   */
  ownNamespace(id: string, name: string): ModeNamespace;
}

/** A namespace made for a mode's workloads. */
export interface ModeNamespace {
  /** Its name, as a reference (using it waits for the namespace). */
  readonly name: string;
  /** Pull secrets in it (the mirror's login), for its pods' `imagePullSecrets`. */
  readonly imagePullSecrets: readonly string[];
  /** What a workload there must wait for besides the namespace (its pull secret). */
  readonly dependsOn: readonly ITerraformDependable[];
}

type ModeSchema<TType extends string, TEntries extends v.ObjectEntries> = v.StrictObjectSchema<{ readonly type: v.LiteralSchema<TType, undefined> } & TEntries, undefined>;

/** The parsed config section of a mode (defaults applied). */
export type ModeOptions<TType extends string, TEntries extends v.ObjectEntries> = v.InferOutput<ModeSchema<TType, TEntries>>;

export interface ModeSpec<TProvides, TType extends string, TEntries extends v.ObjectEntries, TNeeds extends AwsNeeds | undefined> {
  /** The section's `type`. */
  readonly type: TType;
  /** One line on what this mode is, for documentation and preflight. */
  readonly summary: string;
  /** The section's fields besides `type`. */
  readonly entries: TEntries;
  /** Every stack `build` puts resources in. */
  readonly placement: readonly Placement[];
  /** The `aws` fields this mode needs, and why; present (even empty) when it needs the section at all. */
  readonly aws?: TNeeds;
  /** Rules across the section's own fields. */
  readonly checks?: readonly ((options: ModeOptions<TType, TEntries>, report: ReportProblem) => void)[];
  /** Whether it keeps data in Gitpod's namespace that must not go with the namespace. */
  readonly keepsDataInNamespace?: (options: ModeOptions<TType, TEntries>) => boolean;
  build(context: ModeContext, options: ModeOptions<TType, TEntries>, aws: AwsFor<TNeeds>): TProvides;
}

export interface Mode<TProvides, TType extends string = string, TEntries extends v.ObjectEntries = v.ObjectEntries, TNeeds extends AwsNeeds | undefined = AwsNeeds | undefined>
  extends ModeSpec<TProvides, TType, TEntries, TNeeds> {
  /** The section's schema: a variant of the dependency's section, keyed by `type`. */
  readonly schema: ModeSchema<TType, TEntries>;
}

/**
 * Defines the modes of a dependency that provides `TProvides` (e.g. `modesOf<GitpodDatabase>()`),
 * so every mode of it returns that interface.
 */
export function modesOf<TProvides>() {
  return <const TType extends string, const TEntries extends v.ObjectEntries, const TNeeds extends AwsNeeds | undefined = undefined>(
    spec: ModeSpec<TProvides, TType, TEntries, TNeeds>,
  ): Mode<TProvides, TType, TEntries, TNeeds> => ({
    ...spec,
    schema: v.strictObject({ type: v.literal(spec.type), ...spec.entries }) as ModeSchema<TType, TEntries>,
  });
}
