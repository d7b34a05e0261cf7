/**
 * Reads a text file the user named (the config, a CA bundle), refusing everything that is not a
 * small readable UTF-8 file with one line that says what is wrong. Nothing here can hang: the file
 * type is checked before the file is opened (a FIFO without a writer would block a read forever),
 * and the size is checked before it is read.
 */
import * as fs from "fs";

/** Far above any config or CA bundle, far below what could exhaust memory. */
export const MAX_TEXT_FILE_BYTES = 1024 * 1024;

export class FileReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FileReadError";
  }
}

/** What kind of thing `stats` is, in words, for anything that is not a regular file. */
function kindOf(stats: fs.Stats): string | undefined {
  if (stats.isDirectory()) return "a directory";
  if (stats.isFIFO()) return "a FIFO (named pipe)";
  if (stats.isSocket()) return "a socket";
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return "a device";
  return stats.isFile() ? undefined : "not a regular file";
}

/**
 * The file's text (a UTF-8 byte order mark removed). `what` names the file in messages, e.g.
 * "database.caCertificateFile (ca.pem)"; every message starts with it.
 */
export function readTextFile(file: string, what: string, maxBytes = MAX_TEXT_FILE_BYTES): string {
  let stats: fs.Stats;
  try {
    stats = fs.statSync(file);
  } catch (error) {
    throw new FileReadError(`${what}: ${describeFsError(error)}`);
  }
  const kind = kindOf(stats);
  if (kind !== undefined) throw new FileReadError(`${what}: is ${kind}, not a file`);
  if (stats.size > maxBytes) throw new FileReadError(`${what}: is ${stats.size} bytes, more than the ${maxBytes} this file may have`);
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (error) {
    throw new FileReadError(`${what}: ${describeFsError(error)}`);
  }
  // It may have grown since it was measured.
  if (bytes.length > maxBytes) throw new FileReadError(`${what}: is more than the ${maxBytes} bytes this file may have`);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new FileReadError(`${what}: is not UTF-8 text (save it as UTF-8)`);
  }
  return text.replace(/^\uFEFF/, "");
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case "ENOENT":
      return "does not exist";
    case "EACCES":
    case "EPERM":
      return "cannot be read (permission denied)";
    case "ENOTDIR":
      return "does not exist (a part of the path is a file, not a folder)";
    case "ELOOP":
      return "is a symbolic link that loops";
    case "ENAMETOOLONG":
      return "the path is too long";
    case "EISDIR":
      return "is a directory, not a file";
    default:
      return `cannot be read (${code ?? (error instanceof Error ? error.message : String(error))})`;
  }
}
