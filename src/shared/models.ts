import type { AuditDetails, AuditKind } from './audit'

/**
 * The records the server returns over REST and inside events. Field names are the wire names
 * (snake_case); timestamps are RFC 3339 strings in UTC ending in `Z`.
 */

export type Role = 'admin' | 'member'

export interface User {
  id: number
  username: string
  display_name: string
  role: Role
}

/** A user as listed to others, with live presence. */
export interface Person extends User {
  online: boolean
  /**
   * True for an account an administrator deactivated: it keeps its name in history (marked so)
   * but is offered in no picker and is never online. Absent for an active account.
   */
  deactivated?: boolean
}

/** Who did something or had it done to them, as lists name them (an invite's creator). */
export interface UserRef {
  id: number
  username: string
  display_name: string
}

/** A user as an administrator manages them (GET /admin/users). */
export interface AdminUser extends User {
  state: 'active' | 'deactivated'
  /** When the account was deactivated; null while active. */
  deactivated_at: string | null
  created_at: string
  /**
   * When the user was last seen: they signed in, came online or went offline. Null when never
   * (an account that has not been used since this was recorded).
   */
  last_seen_at: string | null
  online: boolean
  /** Devices signed in: sessions (unexpired tokens) of the user. */
  devices: number
}

/**
 * pending: may still be used; used: someone registered with it; expired: not used in time;
 * revoked: an administrator withdrew it before it was used.
 */
export type InviteState = 'pending' | 'used' | 'expired' | 'revoked'

/** An invite as an administrator lists it (GET /admin/invites); its code is never shown again. */
export interface Invite {
  id: number
  /** Who it is for, in the creator's words; null when none was given. */
  note: string | null
  created_by: UserRef | null
  created_at: string
  expires_at: string
  state: InviteState
  used_by: UserRef | null
  used_at: string | null
  revoked_at: string | null
}

/** The answer to creating an invite: the only time its code is shown. */
export interface CreatedInvite extends Invite {
  code: string
}

/** The answer to an administrator's password reset: a one-time code to hand to the user. */
export interface PasswordResetIssued {
  user_id: number
  /** Shown this once; only its SHA-256 is stored. */
  code: string
  expires_at: string
}

/** One audit log entry (GET /admin/audit). */
export interface AuditEntry {
  id: number
  /** When it happened (UTC); clients show it in the organization's timezone. */
  at: string
  kind: AuditKind
  /** Who did it; null for a failed sign-in with an unknown username. */
  actor: UserRef | null
  /** Whom it concerns, when not only the actor (the deactivated user, the invite's user). */
  target: UserRef | null
  /** The client's address as the server saw it (X-Forwarded-For behind a trusted proxy). */
  address: string | null
  details: AuditDetails
}

export interface AuditPage {
  /** Newest first. */
  entries: AuditEntry[]
  /** Pass as `before` for the next older page; null when there is none. */
  next_before: number | null
}

export interface AuthResult {
  token: string
  user: User
}

/** The answer to signing out the caller's other devices (their tokens are revoked). */
export interface SessionsRevoked {
  /** Sessions (unexpired tokens) other than the caller's that were revoked. */
  signed_out_sessions: number
}

/** The answer to a password change, which signs out every other device as well. */
export interface PasswordChanged extends SessionsRevoked {
  changed: true
}

/** Where a conversation's messages come from: Tidings itself or a connected platform. */
export type Platform = 'tidings' | 'email' | 'whatsapp' | 'telegram'

export interface Member {
  user_id: number
  username: string
  display_name: string
  /** Highest message id this member has read (0 when none). */
  last_read_message_id: number
  /** Highest message id delivered to one of this member's devices (0 when none). */
  last_delivered_message_id: number
}

export interface Message {
  id: number
  conversation_id: number
  sender_id: number
  sender_name: string
  client_id: string
  /** Empty once the message is deleted. */
  text: string
  created_at: string
  edited_at: string | null
  deleted_at: string | null
  /**
   * Present only on messages that arrived from a connected platform (an email, a bridged chat):
   * who sent it there. `sender_id` is then the account owner, whose conversation it is, and
   * `sender_name` is the external sender's name.
   */
  external_sender?: ExternalSender
  /**
   * The message this one replies to, as it was when this copy was read: history and the REST
   * answers read it fresh; an event carries it as it was when the event was sent (an edit or a
   * deletion of the original does not re-send its replies). Null when it is not a reply. Events
   * stored before replies existed lack the field.
   */
  reply_to: ReplyPreview | null
  /**
   * The members' emoji reactions, one per emoji, ordered by when the emoji was first chosen (of
   * the reactions standing now). Present only when there is at least one: a new message has none,
   * so its events carry no extra bytes. A deleted message has none.
   */
  reactions?: Reaction[]
  /**
   * The files sent with the message, in upload order. Present only when there is at least one: a
   * text message carries no extra bytes. A deleted message has none (its files are removed).
   */
  attachments?: Attachment[]
  /**
   * Present only on a thread reply: the id of the thread's root, a message of the same
   * conversation. A thread reply shows in the thread, and in the channel only with `in_channel`.
   */
  thread_root_id?: number
  /** Present (true) only on a thread reply that was also sent to the channel. */
  in_channel?: true
  /** Present only on a thread's root while it has replies that are not deleted. */
  thread?: ThreadSummary
  /**
   * Present only once the server has unfurled the message's first link (it comes later, as the
   * message's message_updated) and until the sender removes it. A deleted message has none.
   */
  link_preview?: LinkPreview
}

/** What a message's first link leads to, as the server read it (OpenGraph, Twitter card, title). */
export interface LinkPreview {
  /** The link as written in the message. */
  url: string
  title?: string
  description?: string
  site_name?: string
  /**
   * Path of the page's image on this server (GET, authenticated like any request): the server
   * fetched it, so the app never contacts the linked site.
   */
  image_path?: string
}

/** What a thread's root shows of its replies. */
export interface ThreadSummary {
  /** Replies that are not deleted. */
  reply_count: number
  last_reply_id: number
  last_reply_at: string
  /** Who replied, most recent first, at most Limits.threadReplierIds of them. */
  replier_ids: number[]
}

/** A thread: its root and a page of its replies, oldest first, with the caller's following. */
export interface ThreadPage {
  root: Message
  replies: Message[]
  /** Pass as `before` for the page of older replies; null when there is none. */
  next_before: number | null
  following: boolean
  /** The newest reply the caller has read (0 when none, or when they do not follow it). */
  last_read_id: number
}

/** A thread the caller follows, for the Threads view. */
export interface FollowedThread {
  conversation_id: number
  /** The stored title: null for a direct conversation, which clients name after the other member. */
  conversation_title: string | null
  root: Message
  last_read_id: number
  /** Replies from others newer than last_read_id. */
  unread_count: number
}

export interface FollowedThreadList {
  /** Most recent reply first. */
  threads: FollowedThread[]
}

/** The caller's following of a thread, as its answers and their event say it. */
export interface ThreadFollow {
  root_id: number
  following: boolean
  last_read_id: number
}

/** A file sent with a message; its bytes are GET /conversations/:id/attachments/:attachmentId. */
export interface Attachment {
  id: number
  /** The uploader's file name (no path). */
  name: string
  /** The Content-Type it was uploaded with. */
  mime: string
  /** Bytes. */
  size: number
}

/** One emoji under a message and who chose it (a member may choose several emoji, each once). */
export interface Reaction {
  emoji: string
  /** In the order they reacted. */
  user_ids: number[]
}

/** The quote of the original that a reply shows. */
export interface ReplyPreview {
  id: number
  sender_id: number
  /** The external sender's name when the original came from a connected platform. */
  sender_name: string
  /** The start of the original's text (Limits.replyPreviewChars); '' once it is deleted. */
  text: string
  deleted: boolean
}

export interface ExternalSender {
  /** Email address, phone number or username on the platform. */
  handle: string
  name: string
}

export interface Conversation {
  id: number
  title: string | null
  kind: 'direct' | 'group'
  platform: Platform
  created_by: number
  created_at: string
  updated_at: string
  members: Member[]
  last_message: Message | null
  /** Messages from others newer than the caller's read marker (per caller; 0 inside events). */
  unread_count: number
}

export interface MessagePage {
  messages: Message[]
  /** Pass as `before` to get the next older page; null when the start of history is reached. */
  next_before: number | null
}

/**
 * A piece of a search snippet: plain text (never HTML), `match` when it is a matched word. The
 * pieces joined are the snippet; `…` marks where the message text was cut.
 */
export interface SnippetPart {
  text: string
  match: boolean
}

export interface MessageSearchResult {
  message: Message
  conversation_id: number
  /** The stored title: null for a direct conversation, which clients name after the other member. */
  conversation_title: string | null
  snippet: SnippetPart[]
}

export interface MessageSearchPage {
  /** Newest first. */
  results: MessageSearchResult[]
  /** Pass as `before` for the next older page; null when there is none. */
  next_before: number | null
}

export interface Branding {
  timezone: string
  organization_name: string
}

/** How long messages and their files are kept (`GET`/`PUT /admin/retention`). */
export interface RetentionPolicy {
  /** Days a message is kept after it was sent; null: forever (the default). */
  message_retention_days: number | null
}

export interface EventsInfo {
  websocket_url: string
  event_types: string[]
  message: string
}

/** The kind of address a contact handle is. */
export type HandleKind = 'email' | 'phone' | 'username'

export interface ContactHandle {
  platform: Platform
  kind: HandleKind
  value: string
}

/** An entry of a user's own address book; only its owner sees it. */
export interface Contact {
  id: number
  owner_id: number
  name: string
  handles: ContactHandle[]
  notes: string
  created_at: string
  updated_at: string
}

/** Platforms an account can be connected to (everything but Tidings itself). */
export type ExternalPlatform = Exclude<Platform, 'tidings'>

/**
 * connecting: set up, not yet reached; connected: working; error: the connection failed or was
 * refused (`state_reason` says why; retried automatically); disconnected: removed by its owner.
 */
export type AccountState = 'connecting' | 'connected' | 'error' | 'disconnected'

/** A mail server's settings as shown to the owner: never with the password. */
export interface MailServerSettings {
  host: string
  port: number
  secure: boolean
  username: string
}

export interface PlatformAccount {
  id: number
  platform: ExternalPlatform
  display_name: string
  /** The email address, phone number or username of the account on its platform. */
  address: string | null
  state: AccountState
  state_reason: string | null
  state_changed_at: string
  /** Last successful fetch of new mail (email accounts). */
  last_sync_at: string | null
  created_at: string
  /** Email accounts only. */
  smtp?: MailServerSettings
  imap?: MailServerSettings
}

/** The answer to creating an account: the only time the bridge secret is shown. */
export interface CreatedPlatformAccount extends PlatformAccount {
  bridge_secret: string
}

/**
 * received: imported from the platform; malformed: imported but unreadable in part (`reason`
 * says what; the raw source is kept); queued/sending: on its way out; sent: the platform's
 * server accepted it; failed: not accepted (`reason`), may be retried.
 */
export type EmailState = 'received' | 'malformed' | 'queued' | 'sending' | 'sent' | 'failed'

/** The platform side of a message: an email's headers and its delivery state. */
export interface ExternalMessageRecord {
  message_id: number
  account_id: number
  conversation_id: number
  direction: 'in' | 'out'
  /** The email's Message-ID, or the bridge's id of the message. */
  external_id: string
  subject: string | null
  from_address: string | null
  from_name: string | null
  to: string[]
  in_reply_to: string | null
  state: EmailState
  reason: string | null
  attempts: number
  created_at: string
  updated_at: string
}

/** An outgoing message waiting for a bridge to deliver it (GET /integrations/:platform/outbox). */
export interface BridgeOutboxItem {
  message_id: number
  conversation_id: number
  /** The bridge's own id of the chat, as it posted it with its inbound messages. */
  external_thread_id: string | null
  to: string[]
  text: string
  created_at: string
}
