/**
 * The one error type the core throws at its callers. It carries a stable machine-readable `code`
 * because errors cross IPC as data (InvokeResult), where only plain fields survive.
 */
export class CoreError extends Error {
  readonly code: string

  constructor(code: string, message: string) {
    super(message)
    this.name = 'CoreError'
    this.code = code
  }
}

/** Errors the core raises itself (REST errors keep the server's codes). */
export const CoreErrorCode = {
  InvalidRequest: 'invalid_request',
  UnknownChannel: 'unknown_channel',
  NotSignedIn: 'not_signed_in',
  NotFound: 'not_found',
  NotHandledByCore: 'not_handled_by_core',
  /** Pinning one more conversation than MAX_PINNED_CONVERSATIONS allows. */
  PinLimitReached: 'pin_limit_reached',
} as const
