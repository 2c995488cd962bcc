/** A mistake in what the user gave us: printed as is, exit code 1, no stack trace. */
export class UserError extends Error {
  readonly details: readonly string[];

  constructor(message: string, details: readonly string[] = []) {
    super(message);
    this.details = details;
  }
}

/** A command that ended with a non-zero exit code it has already explained (e.g. an evacuation blocked). */
export class ExitStatus extends Error {
  readonly code: number;

  constructor(code: number) {
    super(`exit status ${code}`);
    this.code = code;
  }
}
