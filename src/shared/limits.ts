/** Protocol limits shared by server and clients; `docs/protocol.md` documents each one. */
export const Limits = {
  /** Largest WebSocket frame a client may send, in bytes. */
  maxFrameBytes: 64 * 1024,
  /** Longest message text, in characters. */
  maxMessageChars: 10_000,
  /** Client frames a connection may send per second, sustained (token bucket refill rate). */
  framesPerSecond: 20,
  /** Burst size of the per-connection frame bucket. */
  frameBurst: 40,
  /** Protocol violations within one connection before it is closed with PolicyViolation. */
  maxViolations: 10,
  /** Bytes queued for a socket beyond which it is closed as a slow consumer. */
  maxBufferedBytes: 4 * 1024 * 1024,
  /** Interval of server protocol pings; a peer that misses one full interval is terminated. */
  heartbeatIntervalMs: 30_000,
  /** Minimum gap between two typing_indicator events from one user in one conversation. */
  typingThrottleMs: 2_000,
  /** Default and maximum page size of message history. */
  historyPageSize: 50,
  historyMaxPageSize: 200,
  /** Shortest and longest account password, in characters (registration and password change). */
  passwordMinChars: 8,
  passwordMaxChars: 256,
  /** Longest message search query, in characters. */
  maxSearchQueryChars: 200,
  /** Default and maximum page size of message search results. */
  searchPageSize: 20,
  searchMaxPageSize: 50,
  /** Characters of the original's text a reply's quote carries (`reply_to.text`). */
  replyPreviewChars: 140,
  /** Repliers a thread's root names (`thread.replier_ids`), most recent first. */
  threadReplierIds: 5,
  /** Most followed threads the Threads view lists. */
  followedThreadsMax: 100,
  /** Longest reaction emoji, in UTF-16 code units (the longest ZWJ and tag sequences fit). */
  reactionEmojiMaxChars: 32,
  /**
   * Different emoji one message may carry as reactions: every copy of a message (history pages,
   * events) carries its reactions, so they stay bounded. Enough for any real conversation.
   */
  reactionEmojiPerMessage: 50,
  /** Files one message may carry (`attachment_ids`). */
  maxAttachmentsPerMessage: 10,
  /** Longest attachment file name, in characters. */
  attachmentNameMaxChars: 255,
  /** Default largest attachment, in bytes (the server's `attachmentMaxBytes` option). */
  attachmentMaxBytes: 25 * 1024 * 1024,
  /** Longest note on an invite (who it is for), in characters. */
  inviteNoteMaxChars: 100,
  /** How long an administrator's password reset code may be used, in hours. */
  passwordResetHours: 24,
  /** Default and maximum page size of the audit log. */
  auditPageSize: 100,
  auditMaxPageSize: 500,
  /** Events replayed per resume before the server asks the client to resync over REST. */
  maxReplayEvents: 50_000,
  /** Longest message retention an admin may set, in days (100 years; null keeps forever). */
  messageRetentionMaxDays: 36_500,
} as const
