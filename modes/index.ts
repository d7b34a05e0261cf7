/**
 * Every way of providing each of Gitpod's dependencies. This list is the one place a mode is
 * registered: the config's sections, the stacks that get created, preflight's labels and the docs
 * are all derived from it.
 */
import * as v from "valibot";
import { crossFieldCheck, type ReportProblem } from "../config/cross-field-check";
import { mapping } from "../config/primitives";
import type { AwsSection } from "../config/sections";
import type { GitpodContainerRegistry, GitpodDatabase, GitpodObjectStorage } from "../modules/gitpod/dependencies";
import type { CertificateSource } from "../modules/tls/gitpod-certificate";
import { externalMysql } from "./database/external-mysql";
import { inClusterMysql } from "./database/in-cluster-mysql";
import { rdsMysql } from "./database/rds-mysql";
import type { AwsNeeds, AwsOptionalField, ModeContext, Placement } from "./mode";
import { externalDnsRoute53 } from "./dns/external-dns-route53";
import { noDns } from "./dns/none";
import { ecrRegistry } from "./registry/ecr";
import { externalRegistry } from "./registry/external";
import { inClusterRegistry } from "./registry/in-cluster";
import { s3BackedRegistry } from "./registry/s3-backed";
import { awsS3Storage } from "./storage/aws-s3";
import { externalS3 } from "./storage/external-s3";
import { inClusterMinio } from "./storage/in-cluster-minio";
import { acmeRoute53Tls } from "./tls/acme-route53";
import { issuerTls } from "./tls/issuer";
import { secretTls } from "./tls/secret";
import { selfSignedTls } from "./tls/self-signed";

/** By dependency (its config section), its modes; the first is the default. */
export const MODES = {
  database: [inClusterMysql, externalMysql, rdsMysql],
  storage: [inClusterMinio, externalS3, awsS3Storage],
  registry: [inClusterRegistry, externalRegistry, s3BackedRegistry, ecrRegistry],
  tls: [selfSignedTls, issuerTls, secretTls, acmeRoute53Tls],
  dns: [noDns, externalDnsRoute53],
} as const;

export type Dependency = keyof typeof MODES;
export const DEPENDENCIES = Object.keys(MODES) as Dependency[];

/** What Gitpod consumes of each dependency, whichever mode provides it. */
export interface ProvidedDependencies {
  readonly database: GitpodDatabase;
  readonly storage: GitpodObjectStorage;
  readonly registry: GitpodContainerRegistry;
  readonly tls: CertificateSource;
  readonly dns: void;
}

/** What every mode has, whatever its options (functions take `never`: any mode's fit). */
export interface AnyMode {
  readonly type: string;
  readonly summary: string;
  readonly placement: readonly Placement[];
  readonly aws?: AwsNeeds;
  readonly schema: v.StrictObjectSchema<v.ObjectEntries & { readonly type: v.LiteralSchema<string, undefined> }, undefined>;
  readonly checks?: readonly ((options: never, report: ReportProblem) => void)[];
  readonly keepsDataInNamespace?: (options: never) => boolean;
  build(context: ModeContext, options: never, aws: never): unknown;
}

type Schemas<T extends readonly AnyMode[]> = { readonly [I in keyof T]: T[I]["schema"] };
type SectionVariants<T extends readonly AnyMode[]> = v.VariantSchema<"type", Schemas<T>, undefined>;
type SectionSchema<T extends readonly AnyMode[]> = v.SchemaWithPipe<
  readonly [typeof mapping, SectionVariants<T>, v.RawCheckAction<v.InferOutput<SectionVariants<T>>>]
>;

/** A dependency's config section: one variant per mode, keyed by `type`, each with its own rules. */
export function sectionSchema<const T extends readonly AnyMode[]>(modes: T): SectionSchema<T> {
  // Typed by the signature: valibot's pipe cannot be checked against a generic list of variants.
  const variants = v.variant("type", modes.map((mode) => mode.schema));
  return v.pipe(
    mapping,
    variants,
    // valibot's variant options are plain objects, so each mode's rules run on the union.
    crossFieldCheck<{ type?: unknown }>((options, report) => {
      for (const check of modeOf(modes, String(options.type)).checks ?? []) check(options as never, report);
    }),
  ) as unknown as SectionSchema<T>;
}

function modeOf(modes: readonly AnyMode[], type: string): AnyMode {
  const mode = modes.find((candidate) => candidate.type === type);
  if (mode === undefined) throw new Error(`no mode "${type}" among ${modes.map((m) => m.type).join(", ")}`);
  return mode;
}

/** The mode a configuration chose for each dependency. */
export type ChosenModes = Readonly<Record<Dependency, { readonly type: string }>>;

export function chosenMode(config: ChosenModes, dependency: Dependency): AnyMode {
  return modeOf(MODES[dependency], config[dependency].type);
}

/** The `aws` fields the chosen modes need, with the reason of the first that needs each. */
export function awsNeeds(config: ChosenModes): { readonly needed: boolean; readonly fields: ReadonlyArray<{ field: AwsOptionalField; because: string; why: string }> } {
  const fields: Array<{ field: AwsOptionalField; because: string; why: string }> = [];
  let needed = false;
  for (const dependency of DEPENDENCIES) {
    const mode = chosenMode(config, dependency);
    if (mode.aws === undefined) continue;
    needed = true;
    for (const [field, why] of Object.entries(mode.aws) as [AwsOptionalField, string][]) {
      fields.push({ field, because: `${dependency}.type is ${mode.type}`, why });
    }
  }
  return { needed, fields };
}

/** Every stack the chosen modes put resources in. */
export function placementsOf(config: ChosenModes): ReadonlySet<Placement> {
  return new Set(DEPENDENCIES.flatMap((dependency) => chosenMode(config, dependency).placement));
}

/** Whether some chosen mode keeps data in Gitpod's namespace (which must then outlive the release). */
export function keepsDataInNamespace(config: ChosenModes): boolean {
  return DEPENDENCIES.some((dependency) => chosenMode(config, dependency).keepsDataInNamespace?.(config[dependency] as never) === true);
}

/**
 * Builds what Gitpod consumes of `dependency` with the chosen mode. The schema has already made
 * sure the `aws` fields the mode needs are there; this hands them over typed.
 */
export function buildDependency<D extends Dependency>(dependency: D, config: ChosenModes, context: ModeContext, aws: AwsSection | undefined): ProvidedDependencies[D] {
  const mode = chosenMode(config, dependency);
  const modeContext: ModeContext = {
    ...context,
    scope: (placement) => {
      if (!mode.placement.includes(placement)) throw new Error(`${dependency}.type ${mode.type} puts resources in the ${placement} stack, which its placement does not list`);
      return context.scope(placement);
    },
  };
  if (mode.aws !== undefined) {
    const missing = [aws === undefined ? "aws" : undefined, ...Object.keys(mode.aws).filter((field) => aws?.[field as AwsOptionalField] === undefined)].filter(Boolean);
    if (missing.length > 0) throw new Error(`${dependency}.type ${mode.type} lacks ${missing.join(", ")}, which the configuration schema requires`);
  }
  return mode.build(modeContext, config[dependency] as never, (mode.aws === undefined ? undefined : aws) as never) as ProvidedDependencies[D];
}
