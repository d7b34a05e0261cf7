/**
 * `gitpod-cdktf images [--json]`: what an installation pulls from the internet, for filling a
 * private mirror (docs/air-gapped.md). Loads the config like the app, synthesizes it into a
 * temporary folder (removed afterwards; nothing is written into the project) and lists, from that
 * output alone (pipeline/image-inventory.ts): the container images the stacks deploy, the charts
 * they install from repositories, the Terraform providers each stack requires, and how to list
 * Gitpod's own images with its installer. With a `mirror` section, the app is also synthesized
 * without it, so each mirror reference names the public image it is a copy of.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { NO_CONFIG_FILE } from "../config/load";
import { loadCommandConfig } from "./command-config";
import { mirroredImage } from "../config/mirror";
import type { GitpodCdktfConfig } from "../config/schema";
import { DEFAULT_IMAGE_REPOSITORY } from "../config/sections";
import { readImageInventory, withPublicOrigins, type GitpodInstallerConfig, type ImageInventory } from "../pipeline/image-inventory";
import { answerUsage, describeError, oneLine, parseCommandOptions, type CommandIo } from "./command-io";

const NAME = "gitpod-cdktf images";
const SEE_HELP = `run "${NAME} --help" (npm run images -- --help) for the options`;

/** Version of the --json document; raised only when a field changes meaning or disappears. */
export const IMAGES_JSON_FORMAT_VERSION = 1;

export const IMAGES_USAGE = `usage: gitpod-cdktf images [--json]

Lists what an installation of this config pulls from the internet, to copy into a private mirror
(docs/air-gapped.md): every container image the synthesized stacks deploy, the Helm charts they
install from repositories, the Terraform providers each stack requires (for terraform providers
mirror), and the commands that list Gitpod's own images (only its installer knows them). Reads
the config like the app ($GITPOD_CDKTF_CONFIG, ./gitpod-cdktf.yaml, else the built-in defaults)
and synthesizes it into a temporary folder: nothing is written into the project. With a mirror
section, each mirror reference also names the public image or chart it is a copy of. In the
project folder: npm run images (npm run --silent images -- --json for the JSON alone).

options:
  --json       print one JSON document on stdout (fields below)
  -h, --help   show this help

--json fields (format 1; lists sorted, every field present unless marked optional):
  formatVersion   1
  config          where the config came from: a path, or "built-in defaults"
  stacks[]        the synthesized stack ids
  images[]        reference (as the cluster pulls it), copyOf (optional: the public image it is the
                  mirror's copy of), locations[] {stack, resource, file (optional: the file of a
                  chart the stack carries), field}
  charts[]        repository, chart, version (optional), copyOf (optional: {repository, chart,
                  version}), images[] (those its values name), locations[] {stack, resource}
  providers[]     source (registry.terraform.io/<namespace>/<name>), version, stacks[]
  gitpod[]        stack, workingDirectory, configMap {resource, type, resourceName, name, key},
                  repository (optional), repositoryCopyOf (optional), installerImages[], commands[] (to run
                  on a connected machine in the project folder), note
  warnings[]      what may be missing from the lists, one line each (also on stderr)

exit codes: 0 listed, 1 an unexpected failure, 2 bad arguments or config
`;

/**
 * The config as it would be without its `mirror` section: the public images and charts the
 * mirror's copies come from. Only Gitpod's repository and installer image are resolved from the
 * mirror when the config is read (config/schema.ts); everything else is resolved while the stacks
 * are built, so it follows by itself. Values the user set stay as they are.
 */
export function withoutMirror(config: GitpodCdktfConfig): GitpodCdktfConfig {
  const { mirror, ...rest } = config;
  if (mirror === undefined) return config;
  const mirroredRepository = mirroredImage(DEFAULT_IMAGE_REPOSITORY, mirror);
  const installer = (repository: string) => `${repository}/installer:release-${config.gitpod.version}`;
  return {
    ...rest,
    gitpod: {
      ...config.gitpod,
      repository: config.gitpod.repository === mirroredRepository ? DEFAULT_IMAGE_REPOSITORY : config.gitpod.repository,
      installerImage: config.gitpod.installerImage === installer(mirroredRepository) ? installer(DEFAULT_IMAGE_REPOSITORY) : config.gitpod.installerImage,
    },
  };
}

/** A shell word: as it is when plain, else in single quotes. */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The commands that list Gitpod's own images, for one installer config of the output. */
export function gitpodListCommands(entry: GitpodInstallerConfig, installerImage: string | undefined): string[] {
  const { configMap } = entry;
  // Every ConfigMap resource of that type, keeping the one with the key: no construct id to keep in step.
  const filter = `.resource.${configMap.type}[] | .data[${JSON.stringify(configMap.key)}] // empty`;
  const stackFile = ["cdktf.out", ...entry.workingDirectory.split(/[\\/]/), "cdk.tf.json"].join("/");
  return [
    "npm run synth",
    // The config holds Terraform references (the namespace), known only at apply: any name will do
    // for listing images.
    `jq -r ${shellWord(filter)} ${shellWord(stackFile)} | sed 's/\\\${[^}]*}/gitpod/g' > gitpod.config.yaml`,
    `docker run --rm -v "$PWD:/w" ${shellWord(installerImage ?? "<the installer image>")} mirror list --config /w/gitpod.config.yaml`,
  ];
}

const GITPOD_NOTE =
  "Gitpod's own images (its components, the third-party images its installer renders, the default workspace image) are known only to its installer: " +
  "`installer mirror list` reads the installer config (the gitpod.config.yaml key of the ConfigMap above, in the synthesized stack) and prints, as JSON, " +
  "each image's original and its target below the repository above. Copy every original to its target; the installer image itself is in the images list.";

/** The --json document. */
export function imagesJson(inventory: ImageInventory, source: string): Record<string, unknown> {
  return {
    formatVersion: IMAGES_JSON_FORMAT_VERSION,
    config: source,
    stacks: inventory.stacks,
    images: inventory.images,
    charts: inventory.charts,
    providers: inventory.providers,
    gitpod: inventory.gitpod.map((entry) => ({
      ...entry,
      commands: gitpodListCommands(entry, publicInstallerImage(inventory, entry)),
      note: GITPOD_NOTE,
    })),
    warnings: inventory.warnings,
  };
}

/** The installer image to run on a connected machine: the public one, when the config's is a mirror copy. */
function publicInstallerImage(inventory: ImageInventory, entry: GitpodInstallerConfig): string | undefined {
  const image = entry.installerImages[0];
  if (image === undefined) return undefined;
  return inventory.images.find((candidate) => candidate.reference === image)?.copyOf ?? image;
}

/** Rows as aligned columns, each line indented. */
function columns(rows: readonly (readonly string[])[], indent = "  "): string {
  const widths = rows.reduce<number[]>((max, row) => row.map((cell, index) => Math.max(max[index] ?? 0, cell.length)), []);
  return rows.map((row) => `${indent}${row.map((cell, index) => (index === row.length - 1 ? cell : cell.padEnd(widths[index]))).join("  ")}`.trimEnd()).join("\n");
}

/** The text report. */
export function imagesText(inventory: ImageInventory): string {
  const mirrored = inventory.images.some((image) => image.copyOf !== undefined) || inventory.charts.some((chart) => chart.copyOf !== undefined);
  const lines: string[] = [];
  const stacksOf = (stacks: readonly string[]) => stacks.join(", ");

  lines.push(`Container images (${inventory.images.length}), as the cluster pulls them${mirrored ? "; <- the public image each is a copy of" : ""}:`);
  if (inventory.images.length === 0) lines.push("  (none)");
  else {
    lines.push(
      columns(
        inventory.images.map((image) => [
          image.reference,
          ...(mirrored ? [image.copyOf === undefined ? "" : `<- ${image.copyOf}`] : []),
          `(${stacksOf([...new Set(image.locations.map((location) => location.stack))])})`,
        ]),
      ),
    );
  }

  lines.push("", `Helm charts from repositories (${inventory.charts.length}): repository, chart, version${mirrored ? "; <- the public repository" : ""}:`);
  if (inventory.charts.length === 0) lines.push("  (none)");
  else {
    lines.push(
      columns(
        inventory.charts.map((chart) => [
          chart.repository === "" ? "(a repository alias)" : chart.repository,
          chart.chart,
          chart.version ?? "(latest)",
          ...(mirrored ? [chart.copyOf === undefined ? "" : `<- ${chart.copyOf.repository}`] : []),
          `(${stacksOf([...new Set(chart.locations.map((location) => location.stack))])})`,
        ]),
      ),
    );
  }

  lines.push("", `Terraform providers (${inventory.providers.length}), for terraform providers mirror in each stack's folder (cdktf.out/stacks/<stack>):`);
  lines.push(inventory.providers.length === 0 ? "  (none)" : columns(inventory.providers.map((provider) => [provider.source, provider.version, `(${stacksOf(provider.stacks)})`])));

  for (const entry of inventory.gitpod) {
    lines.push("", "Gitpod's own images: listed by Gitpod's installer only, from its config.");
    lines.push(`  installer config: key ${entry.configMap.key} of ConfigMap ${entry.configMap.name} (${entry.configMap.resource}) in stack ${entry.stack}`);
    if (entry.repository !== undefined) {
      lines.push(`  Gitpod's repository: ${entry.repository}${entry.repositoryCopyOf === undefined ? "" : ` (copy of ${entry.repositoryCopyOf})`}`);
    }
    if (entry.installerImages.length > 0) lines.push(`  installer image: ${entry.installerImages.join(", ")}`);
    lines.push("  On a connected machine with jq and docker, in the project folder (the same config):");
    for (const command of gitpodListCommands(entry, publicInstallerImage(inventory, entry))) lines.push(`    ${command}`);
    lines.push("  It prints each image's original and its target below Gitpod's repository: copy every original to its target.");
  }
  if (inventory.gitpod.length === 0) lines.push("", "Gitpod's own images: no installer config (a ConfigMap with gitpod.config.yaml) in the output.");
  return `${lines.join("\n")}\n`;
}

interface Options {
  readonly json: boolean;
}

function parseOptions(args: readonly string[]): Options | { help: true } | { error: string } {
  const parsed = parseCommandOptions(args, {
    command: "images",
    options: { json: { type: "boolean", default: false }, help: { type: "boolean", short: "h", default: false } },
    described: "--json and --help",
  });
  if (parsed.error !== undefined) return { error: parsed.error };
  if (parsed.values.help) return { help: true };
  return { json: parsed.values.json ?? false };
}

export async function imagesCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const options = parseOptions(args);
  if ("error" in options || "help" in options) return answerUsage(options, io, { name: NAME, text: IMAGES_USAGE, seeHelp: SEE_HELP });

  let stage = "reading the configuration";
  let scratch: string | undefined;
  try {
    const loaded = loadCommandConfig(io, NAME, "listed");
    if (typeof loaded === "number") return loaded;
    io.stderr.write(`${NAME}: ${loaded.usedDefaults ? `${NO_CONFIG_FILE}: listing the built-in defaults` : `config: ${loaded.source}`}\n`);

    // Loaded on demand, as preflight loads its checks: the other commands never need the stacks.
    stage = "loading the stacks";
    const { synthesize } = await import("../stacks/gitpod-app");

    stage = "synthesizing the stacks into a temporary folder";
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "gitpod-cdktf-images-"));
    const outdir = path.join(scratch, "cdktf.out");
    synthesize(loaded.config, { outdir });
    let publicOutdir: string | undefined;
    if (loaded.config.mirror !== undefined) {
      stage = "synthesizing the stacks without the mirror";
      publicOutdir = path.join(scratch, "public");
      synthesize(withoutMirror(loaded.config), { outdir: publicOutdir });
    }

    stage = "reading the synthesized output";
    let inventory = readImageInventory(outdir);
    if (publicOutdir !== undefined) inventory = withPublicOrigins(inventory, readImageInventory(publicOutdir));

    stage = "writing the list";
    io.stdout.write(options.json ? `${JSON.stringify(imagesJson(inventory, loaded.source), null, 2)}\n` : imagesText(inventory));
    for (const warning of inventory.warnings) io.stderr.write(`${NAME}: warning: ${oneLine(warning, 500)}\n`);
    return 0;
  } catch (error) {
    io.stderr.write(`${NAME}: ${stage} failed unexpectedly: ${describeError(error)}\n`);
    if (io.env.GITPOD_CDKTF_DEBUG === "1" && error instanceof Error) io.stderr.write(`${error.stack}\n`);
    return 1;
  } finally {
    if (scratch !== undefined) fs.rmSync(scratch, { recursive: true, force: true });
  }
}
