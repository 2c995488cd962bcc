/** A mistake in what the user gave us: printed as is, exit code 1, no stack trace. */
export class UserError extends Error {
  readonly details: readonly string[];

  constructor(message: string, details: readonly string[] = []) {
    super(message);
    this.details = details;
  }
}
