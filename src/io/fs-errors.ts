/** What a file-system error means, in words a user can act on (the code kept for searching). */
const MEANINGS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'the file is larger than the file system allows',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or folder',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'it is a folder',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'the name is too long',
  EMFILE: 'too many open files in this process',
  ENFILE: 'too many open files on this system',
  EIO: 'input/output error on the device',
  ENXIO: 'no reader at the other end (a socket or a FIFO without a reader)',
  EPIPE: 'the reading end was closed',
  EBUSY: 'the file is busy',
  ETXTBSY: 'the file is a running program',
  EXDEV: 'a rename across file systems',
};

/** `no space left on the device (ENOSPC)`; the error's own message when its code is unknown. */
export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string' && MEANINGS[code] !== undefined) return `${MEANINGS[code]} (${code})`;
  return error instanceof Error ? error.message : String(error);
}
