/**
 * Files named by input (the config and the CA files it names, the kubeconfig and the files it
 * names, the pipeline's manifest.json) looked at without trusting them: the type is checked before anything is opened (a FIFO
 * with no writer would block the read forever, a device would never end), reads are bounded, and
 * every problem is a short phrase for a message. Used by config loading, preflight and the
 * pipeline (manifest.json, stack folders); util/ imports nothing of the project.
 */
import * as fs from "fs";

/** "a folder", "a named pipe (FIFO)"...: what a path is, for "X is <kind>, not a file". */
export function describeKind(stats: fs.Stats): string {
  if (stats.isFile()) return "a file";
  if (stats.isDirectory()) return "a folder";
  if (stats.isFIFO()) return "a named pipe (FIFO)";
  if (stats.isSocket()) return "a socket";
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return "a device";
  return "not a file or folder";
}

/** Why a path could not be looked at or read, from a Node.js fs error. */
export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case "ENOENT":
      return "does not exist";
    case "ENOTDIR":
      return "cannot exist: a part of its path is a file, not a folder";
    case "EACCES":
    case "EPERM":
      return "cannot be read (permission denied)";
    case "ELOOP":
      return "is a loop of symbolic links";
    case "ENAMETOOLONG":
      return "is a path too long for this system";
    case "EISDIR":
      return "is a folder, not a file";
    case "ERR_INVALID_ARG_VALUE":
    case "ERR_INVALID_ARG_TYPE":
      return "is not a valid path";
    default:
      return `cannot be read (${code ?? "unknown error"})`;
  }
}

/** The path's type (symbolic links followed), or why it cannot be looked at. */
export function statPath(file: string): { readonly stats: fs.Stats } | { readonly problem: string; readonly missing: boolean } {
  try {
    return { stats: fs.statSync(file) };
  } catch (error) {
    return { problem: describeFsError(error), missing: (error as NodeJS.ErrnoException).code === "ENOENT" };
  }
}

const CHUNK = 64 * 1024;

/**
 * A regular file of at most `maxBytes`, decoded as UTF-8 (a byte-order mark dropped), or why not.
 * Only a regular file is opened, and without blocking (O_NONBLOCK), in case it was swapped for a
 * FIFO after the check; the size is enforced while reading, as a file can grow (or, like /proc
 * files, report size 0).
 */
export function readTextFile(file: string, maxBytes: number): { readonly text: string } | { readonly problem: string; readonly missing: boolean } {
  const found = statPath(file);
  if ("problem" in found) return found;
  if (!found.stats.isFile()) return { problem: `is ${describeKind(found.stats)}, not a file`, missing: false };
  const tooLarge = { problem: `is larger than ${formatBytes(maxBytes)}`, missing: false };
  if (found.stats.size > maxBytes) return tooLarge;
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch (error) {
    return { problem: describeFsError(error), missing: false };
  }
  try {
    const opened = fs.fstatSync(fd);
    if (!opened.isFile()) return { problem: `is ${describeKind(opened)}, not a file`, missing: false };
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(CHUNK);
      const read = fs.readSync(fd, chunk, 0, CHUNK, null);
      if (read === 0) break;
      chunks.push(chunk.subarray(0, read));
      total += read;
      if (total > maxBytes) return tooLarge;
    }
    try {
      return { text: new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks, total)) };
    } catch {
      return { problem: "is not UTF-8 text", missing: false };
    }
  } catch (error) {
    return { problem: describeFsError(error), missing: false };
  } finally {
    fs.closeSync(fd);
  }
}

/** "4 MiB", "512 KiB". */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}
