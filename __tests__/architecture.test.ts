/**
 * Rules of the code base that a reviewer should not have to check by hand.
 */
import * as fs from "fs";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..");

function sources(dir: string): string[] {
  const full = path.join(ROOT, dir);
  if (!fs.existsSync(full)) return [];
  if (fs.statSync(full).isFile()) return [dir];
  return fs.readdirSync(full, { withFileTypes: true }).flatMap((entry) => {
    const child = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(child);
    return entry.name.endsWith(".ts") ? [child] : [];
  });
}

const PRODUCT = ["main.ts", "config", "modes", "stacks", "modules", "preflight", "pipeline", "scripts", "bin", "util"].flatMap(sources);
const ALL = [...PRODUCT, ...sources("__tests__")];

/** Module specifiers of a file's imports and requires. */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(path.join(ROOT, file), "utf8");
  return [...text.matchAll(/(?:from\s+|require\(\s*|import\(\s*)["']([^"']+)["']/g)].map((m) => m[1]);
}

/** The top-level folder a relative import lands in (or "main"). */
function layerOf(file: string, specifier: string): string {
  const target = path.relative(ROOT, path.resolve(ROOT, path.dirname(file), specifier));
  return target.startsWith("main") ? "main" : target.split(path.sep)[0];
}

describe("architecture", () => {
  it("finds the sources it checks", () => {
    expect(PRODUCT).toContain("main.ts");
    expect(PRODUCT.filter((f) => f.startsWith("modules/")).length).toBeGreaterThan(5);
    expect(PRODUCT).toContain(path.join("scripts", "graph.ts"));
  });

  it("imports provider classes by deep path, never from a package barrel", () => {
    // A barrel import loads every resource of the provider (~2,300 modules, ~1 GB for aws).
    const barrels = ALL.flatMap((file) =>
      importsOf(file)
        .filter((s) => /^@cdktf\/provider-[a-z0-9-]+$/.test(s) || /^@cdktf\/provider-[a-z0-9-]+\/lib\/?$/.test(s))
        .map((s) => `${file}: ${s}`),
    );
    expect(barrels).toEqual([]);
  });

  it("points imports one way: main -> stacks -> modes -> modules, bin -> pipeline/preflight (config is read by the edges and stacks; scripts are tools on top)", () => {
    // bin/ holds entry points like main; pipeline/ only reads synthesized output, so it knows
    // nothing of how stacks are built. A mode is one unit of schema and build: the config schema
    // is assembled from the modes, which use config's field validators.
    const allowed: Record<string, string[]> = {
      main: ["config", "stacks"],
      scripts: ["config", "stacks", "modes", "modules", "pipeline", "scripts"],
      stacks: ["config", "modes", "modules", "stacks"],
      modes: ["config", "modes", "modules"],
      modules: ["modules"],
      config: ["config", "modes", "util"],
      pipeline: ["pipeline", "util"],
      // Helpers for reading untrusted input, shared by the edges; they import nothing of the project.
      util: ["util"],
      preflight: ["config", "modes", "preflight", "util"],
      bin: ["bin", "config", "stacks", "pipeline", "preflight"],
    };
    const violations = PRODUCT.flatMap((file) => {
      const layer = file === "main.ts" ? "main" : file.split(path.sep)[0];
      if (!(layer in allowed)) return [];
      return importsOf(file)
        .filter((s) => s.startsWith("."))
        .map((s) => [s, layerOf(file, s)] as const)
        .filter(([, target]) => !allowed[layer].includes(target))
        .map(([s, target]) => `${file} imports ${s} (${layer} -> ${target})`);
    });
    expect(violations).toEqual([]);
  });

  it("reads the environment only at the edge (main, bin and config loading)", () => {
    const readers = PRODUCT.filter((file) => /process\.env/.test(fs.readFileSync(path.join(ROOT, file), "utf8")));
    expect(readers.filter((file) => ["modules/", "stacks/", "preflight/", "pipeline/"].some((layer) => file.startsWith(layer)))).toEqual([]);
  });

  it("lets nothing import the command-line entry points under bin/ (except bin itself)", () => {
    const importers = PRODUCT.filter((file) => !file.startsWith("bin/")).flatMap((file) =>
      importsOf(file)
        .filter((s) => s.startsWith(".") && layerOf(file, s) === "bin")
        .map((s) => `${file} imports ${s}`),
    );
    expect(importers).toEqual([]);
  });
});
