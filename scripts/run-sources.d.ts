/** The types of what scripts/run-sources.js exports, for the TypeScript that requires it (the bench). */

/** The environment variable that moves the transpile cache. */
export const CACHE_ENV_VAR: "GITPOD_CDKTF_TRANSPILE_CACHE";
/** node_modules/.cache/gitpod-cdktf/transpiled in the project. */
export const DEFAULT_CACHE_DIR: string;
/** The cache folder this process uses. */
export const CACHE_DIR: string;
/** Where the transpiled output of `filename`, as the file is now, is cached in `cacheDir` (default CACHE_DIR). */
export function cacheFileFor(filename: string, cacheDir?: string): string;
