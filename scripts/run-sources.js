#!/usr/bin/env node
// Runs the project's TypeScript sources as they are now: what `cdktf synth`, `cdktf deploy` and the
// npm scripts run, with no build step and no dist/ that can go stale.
//
//   node scripts/run-sources.js main.ts [args...]     run an entry point (it sees itself as main)
//   node -r ./scripts/run-sources.js -e "..."         only teach require() to load .ts files
//
// Each .ts file is transpiled on its own (TypeScript's transpileModule: types erased, no type
// check; `npm test` and `npm run typecheck` type-check) and the result is cached under
// node_modules/.cache/gitpod-cdktf/ by a hash of the file's path and content, the compiler options
// and the TypeScript version. A warm run reads and hashes the sources and never loads the compiler;
// an edit re-transpiles only the files that changed. CONTRIBUTING.md ("Speed") has the measurements
// against the alternatives.
//
//   GITPOD_CDKTF_TRANSPILE_CACHE=DIR   keep the transpiled files in DIR instead (relative to the
//                                      current folder); `npm run bench` uses a scratch one
//
// require("./scripts/run-sources.js").cacheFileFor(file) is where a source file's output is cached
// (the bench removes it to measure the first run after an edit).
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const Module = require("module");
const path = require("path");

const ROOT = path.resolve(__dirname, "..");
const CACHE_ENV_VAR = "GITPOD_CDKTF_TRANSPILE_CACHE";
const DEFAULT_CACHE_DIR = path.join(ROOT, "node_modules", ".cache", "gitpod-cdktf", "transpiled");
const CACHE_DIR = process.env[CACHE_ENV_VAR] ? path.resolve(process.env[CACHE_ENV_VAR]) : DEFAULT_CACHE_DIR;
// Bump when the way files are transpiled changes.
const FORMAT = "1";

let compiler; // TypeScript and the compiler options, loaded on the first cache miss only.
let settings; // What, besides a file's content, decides its output.

function currentSettings() {
  if (settings === undefined) {
    const tsconfig = fs.readFileSync(path.join(ROOT, "tsconfig.json"), "utf8");
    const typescriptVersion = JSON.parse(fs.readFileSync(require.resolve("typescript/package.json", { paths: [ROOT] }), "utf8")).version;
    settings = `${FORMAT}\0${typescriptVersion}\0${tsconfig}`;
  }
  return settings;
}

function loadCompiler() {
  if (compiler === undefined) {
    const ts = require(require.resolve("typescript", { paths: [ROOT] }));
    const config = ts.readConfigFile(path.join(ROOT, "tsconfig.json"), ts.sys.readFile);
    if (config.error) throw new Error(`tsconfig.json: ${ts.flattenDiagnosticMessageText(config.error.messageText, "\n")}`);
    const { options } = ts.convertCompilerOptionsFromJson(config.config.compilerOptions, ROOT);
    // One file at a time, nothing written by the compiler itself.
    const compilerOptions = { ...options, noEmit: false, incremental: false, composite: false, declaration: false, sourceMap: false, inlineSourceMap: false };
    delete compilerOptions.tsBuildInfoFile;
    delete compilerOptions.outDir;
    compiler = { ts, compilerOptions };
  }
  return compiler;
}

function cachedOutput(source, filename, cacheDir) {
  const key = crypto.createHash("sha256").update(currentSettings()).update("\0").update(filename).update("\0").update(source).digest("hex");
  return path.join(cacheDir, key.slice(0, 2), `${key.slice(2)}.js`);
}

/**
 * The file that holds (or will hold) the transpiled output of a source file as it is now.
 * @param {string} filename the .ts file
 * @param {string} [cacheDir] the cache folder (default: the one this process uses)
 */
function cacheFileFor(filename, cacheDir = CACHE_DIR) {
  const absolute = path.resolve(filename);
  return cachedOutput(fs.readFileSync(absolute, "utf8"), absolute, path.resolve(cacheDir));
}

function transpile(source, filename) {
  const cached = cachedOutput(source, filename, CACHE_DIR);
  try {
    return fs.readFileSync(cached, "utf8");
  } catch (error) {
    if (error.code !== "ENOENT") throw error;
  }
  const { ts, compilerOptions } = loadCompiler();
  const output = ts.transpileModule(source, { compilerOptions, fileName: filename, reportDiagnostics: false }).outputText;
  try {
    // Written whole, then renamed: parallel runs (tests, cdktf) never read half a file.
    fs.mkdirSync(path.dirname(cached), { recursive: true });
    const temporary = `${cached}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, output);
    fs.renameSync(temporary, cached);
  } catch {
    // A read-only cache only costs speed.
  }
  return output;
}

function register() {
  if (Module._extensions[".ts"]?.gitpodCdktf) return;
  const load = (module, filename) => module._compile(transpile(fs.readFileSync(filename, "utf8"), filename), filename);
  load.gitpodCdktf = true;
  // Node's own .ts support (type stripping) is replaced: it handles only part of TypeScript and
  // re-parses every file on every run.
  Module._extensions[".ts"] = load;
}

register();
// Node's own cache of compiled JavaScript (Node.js >= 22.1): cdktf and the provider bindings are
// ~4 MB of JavaScript that V8 otherwise parses anew on every synth. It lives next to the
// transpiled files and is keyed by Node itself on each file's content.
Module.enableCompileCache?.(path.join(path.dirname(CACHE_DIR), "v8"));

module.exports = { cacheFileFor, CACHE_DIR, CACHE_ENV_VAR, DEFAULT_CACHE_DIR };

if (require.main === module) {
  const entry = process.argv[2];
  if (!entry) {
    process.stderr.write("usage: node scripts/run-sources.js <file.ts> [arguments...]\n");
    process.exit(2);
  }
  // The entry point sees the arguments (and itself as require.main) as if run directly.
  process.argv.splice(1, 2, path.resolve(entry));
  Module.runMain();
}
