/**
 * WebSocket close codes used by the events endpoint, and whether a client should reconnect after
 * each. The 4000-4999 range is reserved by RFC 6455 for applications.
 */
export const CloseCode = {
  /** Normal closure, e.g. the client signed out. Do not reconnect. */
  Normal: 1000,
  /** The server is shutting down or restarting. Reconnect with backoff and resume. */
  GoingAway: 1001,
  /** A malformed frame (bad opcode, reserved bits, unmasked; sent by `ws` itself). Backoff. */
  ProtocolError: 1002,
  /** A text frame that is not valid UTF-8 (sent by `ws` itself). Reconnect with backoff. */
  InvalidPayload: 1007,
  /** A frame exceeded the 64 KiB limit (sent by `ws` itself). Reconnect with backoff. */
  MessageTooBig: 1009,
  /** Unexpected server error. Reconnect with backoff. */
  InternalError: 1011,
  /** The session's token was revoked or expired while connected. Never reconnect with it. */
  Unauthorized: 4001,
  /** The client kept sending invalid or too many frames. Reconnect with backoff. */
  PolicyViolation: 4008,
  /** The client read too slowly and its send buffer overflowed. Reconnect now and resume. */
  SlowConsumer: 4009,
  /** The heartbeat went unanswered. Reconnect with backoff and resume. */
  HeartbeatTimeout: 4010,
  /**
   * The user already holds as many connections as the server allows (its maxSocketsPerUser);
   * sent to the new one, before any frame. Reconnect with backoff: another may have closed.
   */
  TooManyConnections: 4029,
} as const

export type CloseCodeValue = (typeof CloseCode)[keyof typeof CloseCode]

/** True when a client should try to reconnect after the socket closed with `code`. */
export function shouldReconnect(code: number): boolean {
  return code !== CloseCode.Normal && code !== CloseCode.Unauthorized
}
