import { EXIT } from "./exit.ts";

/** Failures that stop a command. Expected outcomes (a source down, a draft rejected) are trace events, not errors. */
export const ERROR_CODES = {
  spec_invalid: EXIT.usage,
  usage: EXIT.usage,
  cap_reached: EXIT.cap,
  lock_busy: EXIT.busy,
  io: EXIT.io,
  build_failed: EXIT.build,
  check_failed: EXIT.failed,
  internal: EXIT.failed,
} as const;
export type AfkErrorCode = keyof typeof ERROR_CODES;

export class AfkError extends Error {
  override name = "AfkError";
  constructor(
    readonly code: AfkErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
  get exitCode(): number {
    return ERROR_CODES[this.code];
  }
}

/** A short, single-line description of anything thrown. */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    const prefix = typeof code === "string" && !err.message.includes(code) ? `${code}: ` : "";
    return `${prefix}${err.message}`.split("\n")[0] ?? err.name;
  }
  return String(err);
}
