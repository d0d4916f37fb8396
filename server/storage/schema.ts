import type { Generated } from 'kysely'

/** Kysely's view of the tables; the migrations in ./migrations.ts create them. */
export interface UsersTable {
  id: Generated<number>
  username: string
  display_name: string
  password_hash: string
  role: 'admin' | 'member'
  created_at: string
  /** Set while an administrator has the account deactivated (migration 12). */
  deactivated_at: Generated<string | null>
  /** When the user last signed in, came online or went offline (migration 12). */
  last_seen_at: Generated<string | null>
}

export interface TokensTable {
  /** SHA-256 of the bearer token: the token itself is never stored. */
  token_hash: string
  user_id: number
  created_at: string
  expires_at: string
}

export interface InvitesTable {
  /** Listed and revoked by (migration 12). */
  id: Generated<number>
  /** SHA-256 of the code: the code itself is shown once and never stored. */
  code_hash: string
  /** Who it is for, in the creator's words. */
  note: string | null
  created_by: number
  created_at: string
  expires_at: string
  used_by: number | null
  used_at: string | null
  revoked_at: string | null
}

/** An administrator's one-time password reset code (migration 12). */
export interface PasswordResetsTable {
  /** SHA-256 of the code, like a token's. */
  code_hash: string
  user_id: number
  created_by: number
  created_at: string
  expires_at: string
  used_at: string | null
}

/** One audit log entry (migration 12): appended, never changed. */
export interface AuditLogTable {
  id: Generated<number>
  at: string
  kind: string
  actor_id: number | null
  target_id: number | null
  address: string | null
  /** JSON object of AuditDetails. */
  details: string
}

export interface SettingsTable {
  key: string
  value: string
}

export interface ConversationsTable {
  id: Generated<number>
  title: string | null
  kind: 'direct' | 'group'
  platform: string
  created_by: number
  created_at: string
  updated_at: string
  /**
   * A direct Tidings conversation's two members, "lower:higher" (migration 10), unique: creating
   * the same pair's conversation twice, on any node, finds the first. Null for every other
   * conversation, and once one of the two has left.
   */
  direct_pair: Generated<string | null>
}

export interface ConversationMembersTable {
  conversation_id: number
  user_id: number
  joined_at: string
  last_read_message_id: number
  last_delivered_message_id: number
}

export interface MessagesTable {
  id: Generated<number>
  conversation_id: number
  sender_id: number
  client_id: string
  text: string
  created_at: string
  edited_at: string | null
  deleted_at: string | null
  /** Set on messages that arrived from a connected platform (migration 2): who sent it there. */
  external_sender_handle: Generated<string | null>
  external_sender_name: Generated<string | null>
  /** The message of the same conversation this one replies to (migration 7). */
  reply_to_id: Generated<number | null>
  /** The root of the thread this message replies in (migration 14); null outside threads. */
  thread_root_id: Generated<number | null>
  /** 1 when a thread reply was also sent to the channel; null otherwise. */
  thread_in_channel: Generated<number | null>
  /** The preview of the message's first link (migration 14); null when none or removed. */
  link_preview_id: Generated<number | null>
  /** 1 once the sender removed the message's link preview (migration 15); null otherwise. */
  link_preview_removed: Generated<number | null>
}

/** A link's preview (migration 14), one per URL: the cache every message linking it shares. */
export interface LinkPreviewsTable {
  id: Generated<number>
  url: string
  title: string | null
  description: string | null
  site_name: string | null
  /** The page's image, fetched by the server (null when it had none or it was refused). */
  image_mime: string | null
  image_bytes: Buffer | null
  fetched_at: string
  /** When the last read of the page gave nothing (migration 15); null after one that did. */
  failed_at: Generated<string | null>
}

/** A member's reaction to a message (migration 8): at most one per member and message. */
export interface MessageReactionsTable {
  message_id: number
  user_id: number
  emoji: string
  /** When the member chose this emoji (one row per member and emoji: migration 13). */
  created_at: string
}

/** An uploaded file (migration 9); its bytes are <dataDir>/attachments/<id>. */
/** A user's following of a thread (migration 14) and how far they read it. */
export interface ThreadFollowsTable {
  root_id: number
  user_id: number
  conversation_id: number
  /** 1 while they follow it; 0 once they unfollowed (a reply of theirs follows it again). */
  following: number
  /** The newest reply they have read (0 when none). */
  last_read_id: Generated<number>
  updated_at: string
}

export interface AttachmentsTable {
  id: Generated<number>
  conversation_id: number
  uploader_id: number
  /** Null until a send of the uploader's claims it. */
  message_id: number | null
  /** The uploader's file name, without path separators. */
  name: string
  mime: string
  size: number
  /** Hex SHA-256 of the bytes, recorded while they were received. */
  sha256: string
  created_at: string
}

/** A part of an uploaded file's bytes, on PostgreSQL (migration 10); see attachmentBytes. */
export interface AttachmentChunksTable {
  attachment_id: number
  seq: number
  data: Buffer
}

export interface EventsTable {
  /**
   * Assigned when the event is stored (SQLite: by the one writer, in memory; PostgreSQL: under the
   * event-order lock at commit), so the stored JSON carries its own id and ids follow commits.
   */
  id: number
  type: string
  created_at: string
  /** The complete serialized envelope, sent as-is on replay. */
  payload: string
  /** Stream of a conversation: its members at the time (see conversation_member_spans). */
  conversation_id: number | null
  /** A member of that conversation who is not in the audience (the sender of a message). */
  except_user_id: number | null
  /** The one member of that conversation who is the audience (the sender's message_sent). */
  only_user_id: number | null
  /** Stream of the peers of this user: everyone sharing a conversation with them at the time. */
  peers_of_user_id: number | null
}

export interface ConversationMemberSpansTable {
  user_id: number
  conversation_id: number
  /** The member sees stream events after this id ... */
  from_event_id: number
  /** ... up to and including this one; null while still a member. */
  to_event_id: number | null
}

export interface EventRecipientsTable {
  user_id: number
  event_id: number
}

/** A user's address book entry (migration 2). */
export interface ContactsTable {
  id: Generated<number>
  owner_id: number
  name: string
  /** JSON array of ContactHandle. */
  handles: string
  notes: string
  created_at: string
  updated_at: string
}

/** A connected platform account (email, or a bridge to another messenger) (migration 2). */
export interface PlatformAccountsTable {
  id: Generated<number>
  owner_id: number
  platform: string
  display_name: string
  address: string | null
  /** JSON of the non-secret settings (mail servers without passwords). */
  settings: string
  /** The passwords, sealed by SecretBox (AES-256-GCM); never returned. */
  credentials: string | null
  /** SHA-256 of the bridge secret: the secret itself is shown once and never stored. */
  bridge_secret_hash: string
  state: string
  state_reason: string | null
  state_changed_at: string
  last_sync_at: string | null
  imap_uid_validity: string | null
  imap_last_uid: number
  created_at: string
  updated_at: string
}

/** Which conversation an external thread (email thread, bridge chat) lands in (migration 2). */
export interface ExternalThreadsTable {
  id: Generated<number>
  account_id: number
  thread_key: string
  conversation_id: number
  subject: string | null
  /** JSON array of external addresses/handles taking part (replies go to them). */
  participants: string
  created_at: string
}

/** Platform metadata and delivery state of a message that came from or goes to a platform. */
export interface ExternalMessagesTable {
  message_id: number
  account_id: number
  conversation_id: number
  direction: 'in' | 'out'
  /** Message-ID for email, the bridge's id otherwise; unique per account. */
  external_id: string
  subject: string | null
  from_address: string | null
  from_name: string | null
  /** JSON array of recipient addresses. */
  to_addresses: string
  in_reply_to: string | null
  references_header: string | null
  state: string
  reason: string | null
  attempts: number
  /** The raw source of a message that could not be parsed, so nothing is lost. */
  raw: string | null
  created_at: string
  updated_at: string
}

export interface DB {
  thread_follows: ThreadFollowsTable
  link_previews: LinkPreviewsTable
  users: UsersTable
  tokens: TokensTable
  invites: InvitesTable
  password_resets: PasswordResetsTable
  audit_log: AuditLogTable
  settings: SettingsTable
  conversations: ConversationsTable
  conversation_members: ConversationMembersTable
  messages: MessagesTable
  message_reactions: MessageReactionsTable
  attachments: AttachmentsTable
  attachment_chunks: AttachmentChunksTable
  events: EventsTable
  event_recipients: EventRecipientsTable
  conversation_member_spans: ConversationMemberSpansTable
  contacts: ContactsTable
  platform_accounts: PlatformAccountsTable
  external_threads: ExternalThreadsTable
  external_messages: ExternalMessagesTable
}
