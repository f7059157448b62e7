import fs from 'node:fs';

/**
 * Writes a secret readable by its owner only. A symbolic link in its place is refused, not followed:
 * whoever planted it would choose where the secret lands, or which file it overwrites.
 */
export function writeSecretFile(file: string, secret: string, what: string): string {
  const { O_WRONLY, O_CREAT, O_TRUNC, O_NOFOLLOW = 0 } = fs.constants;
  let fd: number;
  try {
    // O_NOFOLLOW makes the check and the open one step; lstat covers systems without it.
    if (fs.lstatSync(file, { throwIfNoEntry: false })?.isSymbolicLink()) throw symlinkRefused(file, what);
    fd = fs.openSync(file, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0o600);
  } catch (error) {
    throw (error as NodeJS.ErrnoException).code === 'ELOOP' ? symlinkRefused(file, what) : error;
  }
  try {
    fs.fchmodSync(fd, 0o600);
    fs.writeSync(fd, `${secret}\n`);
  } finally {
    fs.closeSync(fd);
  }
  return file;
}

function symlinkRefused(file: string, what: string): Error {
  return new Error(
    `The ${what} file ${file} is a symbolic link; the token is not written through it. Remove the link (the engine writes a new file at every start).`,
  );
}

/** A token as randomToken makes them: what a kept file must hold to be used again. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{32,128}$/;

/**
 * A token kept in a file from an earlier start, or undefined when there is none, it is not a regular
 * file owned by nobody else's link, or it does not look like one of ours (then a new one replaces it).
 */
export function readKeptToken(file: string): string | undefined {
  const stat = fs.lstatSync(file, { throwIfNoEntry: false });
  if (!stat?.isFile()) return undefined;
  // Readable by others: someone may have seen it, so it is not used again.
  if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) return undefined;
  const token = fs.readFileSync(file, 'utf8').trim();
  return TOKEN_SHAPE.test(token) ? token : undefined;
}
