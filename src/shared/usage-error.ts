/**
 * A mistake in what the user typed (a flag, a value, a file). The CLI prints only its message
 * (never a stack trace) and exits with code 2. Messages name the flag, the value and what is allowed.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly exitCode = 2;
}

/** Builds the standard "what was wrong and how to fix it" message. */
export function invalidFlag(flag: string, value: unknown, allowed: string): UsageError {
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return new UsageError(`invalid value ${shown} for ${flag}: expected ${allowed}`);
}
