// Why an engine could not start, as codes the hosts switch on (the CLI prints advice for its flags, the
// desktop app offers a dialog): the engine names the problem once, each host says what to do about it.

export type DatabaseProblem = 'damaged' | 'newer' | 'unwritable' | 'busy';

/** Why the database could not be opened, in words a user can act on; the file is never touched. */
export class DatabaseOpenError extends Error {
  constructor(
    readonly problem: DatabaseProblem,
    readonly file: string,
    message: string,
  ) {
    super(message);
    this.name = 'DatabaseOpenError';
  }
}

export type EngineStartProblem =
  /** Another process listens on the port (EADDRINUSE). */
  | 'port_in_use'
  /** The system refuses this port to this user, a privileged port (EACCES on listen). */
  | 'port_not_allowed'
  /** The host is not an address of this machine (EADDRNOTAVAIL). */
  | 'address_not_available'
  /** A file the start writes (admin token, TLS material) cannot be written (EACCES, EPERM, EROFS). */
  | 'folder_not_writable';

/** A start that failed for a reason the user can fix; `cause` is the system error. */
export class EngineStartError extends Error {
  constructor(
    readonly problem: EngineStartProblem,
    /** `host:port` for the listening problems, the file's path for the folder one. */
    readonly where: string,
    message: string,
    options?: { cause: unknown },
  ) {
    super(message, options);
    this.name = 'EngineStartError';
  }
}

/** The EngineStartError for a system error raised while starting, or the error itself when it is none. */
export function explainStartFailure(error: unknown, listenAddress: string): unknown {
  const err = error as NodeJS.ErrnoException;
  const cause = { cause: error };
  if (err.code === 'EADDRINUSE') {
    return new EngineStartError(
      'port_in_use',
      listenAddress,
      `Port ${listenAddress} is already in use.`,
      cause,
    );
  }
  if (err.code === 'EACCES' && err.syscall === 'listen') {
    return new EngineStartError(
      'port_not_allowed',
      listenAddress,
      `Not allowed to listen on ${listenAddress}.`,
      cause,
    );
  }
  if (err.code === 'EADDRNOTAVAIL') {
    return new EngineStartError(
      'address_not_available',
      listenAddress,
      `Cannot bind ${listenAddress}: no such address on this machine.`,
      cause,
    );
  }
  if (err.code === 'EACCES' || err.code === 'EROFS' || err.code === 'EPERM') {
    const file = err.path ?? 'unknown path';
    return new EngineStartError(
      'folder_not_writable',
      file,
      `Cannot write to the data folder (${file}): ${err.code}.`,
      cause,
    );
  }
  return error;
}
