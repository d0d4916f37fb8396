import type { Generated } from 'kysely'

/** Kysely's view of the tables; the migrations in ./migrations.ts create them. */
export interface UsersTable {
  id: Generated<number>
  username: string
  display_name: string
  password_hash: string
  role: 'admin' | 'member'
  created_at: string
}

export interface TokensTable {
  /** SHA-256 of the bearer token: the token itself is never stored. */
  token_hash: string
  user_id: number
  created_at: string
  expires_at: string
}

export interface InvitesTable {
  code_hash: string
  created_by: number
  created_at: string
  expires_at: string
  used_by: number | null
  used_at: string | null
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
}

export interface EventsTable {
  /** Assigned by the event log in memory, so the stored JSON can carry its own id. */
  id: number
  type: string
  created_at: string
  /** The complete serialized envelope, sent as-is on replay. */
  payload: string
}

export interface EventRecipientsTable {
  user_id: number
  event_id: number
}

export interface DB {
  users: UsersTable
  tokens: TokensTable
  invites: InvitesTable
  settings: SettingsTable
  conversations: ConversationsTable
  conversation_members: ConversationMembersTable
  messages: MessagesTable
  events: EventsTable
  event_recipients: EventRecipientsTable
}
