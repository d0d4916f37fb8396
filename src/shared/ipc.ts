import type { ChangePasswordBody, MailServerBody, SearchMessagesQuery } from './api'
import type { EventType } from './eventTypes'
import type { AnyTidingsEvent } from './events'
import type {
  Attachment,
  Branding,
  Conversation,
  Message,
  MessagePage,
  MessageSearchPage,
  PasswordChanged,
  Person,
  PlatformAccount,
  SessionsRevoked,
  User,
} from './models'
import type { Preferences } from './preferences'

/**
 * The one IPC contract between main and the renderers, in the style of Rocket.Chat Electron's
 * channel map: `domain/verb` names, one request and one response type per invoke channel, one
 * payload type per push channel. Main validates every request at run time as well.
 */

export type ConnectionStatus =
  'connecting' | 'connected' | 'reconnecting' | 'offline' | 'signed_out'

export interface ConnectionState {
  status: ConnectionStatus
  /** With 'reconnecting': when the next attempt starts (RFC 3339). */
  next_attempt_at: string | null
  attempt: number
  last_error: string | null
}

export interface SessionState {
  user: User | null
  server_url: string
  /** True when the app runs the bundled server. */
  embedded: boolean
  /** True when the server has no account yet: the window offers to create the first admin. */
  needs_first_account: boolean
  /** False when the OS offers no secure storage; the token is then kept in plain form. */
  secure_storage: boolean
}

export type OutboxStatus = 'pending' | 'sent' | 'failed'

/** One of the user's own sends, as the UI tracks it from pending to sent or failed. */
export interface OutboxItem {
  client_id: string
  conversation_id: number
  text: string
  status: OutboxStatus
  error: string | null
  created_at: string
  /** The message this send replies to; null when it is not a reply. */
  reply_to_id: number | null
  /** The uploaded files it carries (attachments/upload); empty for a text message. */
  attachment_ids: number[]
  message: Message | null
}

/**
 * Text typed in a conversation's composer and not sent yet, kept by main per signed-in user (in
 * the local store) so it survives switching conversations and restarting the app.
 */
export interface Draft {
  conversation_id: number
  text: string
}

/** Connecting an email account: SMTP sends, IMAP receives. Passwords go to the server only. */
export interface ConnectEmailRequest {
  display_name: string
  email_address: string
  smtp: MailServerBody
  imap: MailServerBody
}

/** Renderer -> main calls: `ipcRenderer.invoke(channel, request)` resolves with the response. */
export interface InvokeMap {
  'session/get': { request: void; response: SessionState }
  'session/register': {
    request: { username: string; password: string; display_name?: string; invite_code?: string }
    response: SessionState
  }
  'session/login': { request: { username: string; password: string }; response: SessionState }
  'session/logout': { request: void; response: SessionState }
  /** Changes the password; every other device of the user is signed out, this one stays in. */
  'session/changePassword': { request: ChangePasswordBody; response: PasswordChanged }
  /** Signs out every other device of the user (their tokens are revoked), this one stays in. */
  'session/signOutOthers': { request: void; response: SessionsRevoked }
  'connection/get': { request: void; response: ConnectionState }
  'users/list': { request: void; response: Person[] }
  'conversations/list': { request: void; response: Conversation[] }
  'conversations/create': {
    request: { member_ids: number[]; title?: string }
    response: Conversation
  }
  'conversations/rename': {
    request: { conversation_id: number; title: string }
    response: Conversation
  }
  /** Adds people to a Tidings group (the server refuses direct, email and bridged ones). */
  'conversations/addMembers': {
    request: { conversation_id: number; user_ids: number[] }
    response: Conversation
  }
  /**
   * Removes a member; with the caller's own id, leaves. The server lets only the creator or an
   * admin remove others. The response is the conversation as it is afterwards.
   */
  'conversations/removeMember': {
    request: { conversation_id: number; user_id: number }
    response: Conversation
  }
  'conversations/focus': { request: { conversation_id: number | null }; response: void }
  /**
   * Mutes or unmutes one conversation's notifications from the main window: a change of the
   * `muted_conversation_ids` preference only (the rest of the preferences stay settings-only).
   */
  'conversations/setMuted': {
    request: { conversation_id: number; muted: boolean }
    response: Preferences
  }
  /**
   * Pins or unpins one conversation from the main window (`pinned_conversation_ids` only); a new
   * pin goes last. Past MAX_PINNED_CONVERSATIONS it is refused with `pin_limit_reached`.
   */
  'conversations/setPinned': {
    request: { conversation_id: number; pinned: boolean }
    response: Preferences
  }
  'messages/history': {
    request: { conversation_id: number; before?: number; limit?: number }
    response: MessagePage
  }
  /** Full-text search of the user's conversations (GET /search/messages), newest first. */
  'messages/search': {
    request: SearchMessagesQuery
    response: MessageSearchPage
  }
  /** The text may be empty when `attachment_ids` (uploads of attachments/upload) are given. */
  'messages/send': {
    request: {
      conversation_id: number
      text: string
      reply_to_id?: number
      attachment_ids?: number[]
    }
    response: OutboxItem
  }
  'messages/retry': { request: { client_id: string }; response: OutboxItem }
  'messages/edit': { request: { message_id: number; text: string }; response: Message }
  'messages/delete': { request: { message_id: number }; response: Message }
  /** Sets the user's one reaction to a message (null removes it); the server answers with it. */
  'messages/react': {
    request: { conversation_id: number; message_id: number; emoji: string | null }
    response: Message
  }
  'messages/markRead': {
    request: { conversation_id: number; up_to_message_id: number }
    response: void
  }
  'outbox/list': { request: void; response: OutboxItem[] }
  /**
   * Uploads a file to a conversation, to be sent with messages/send's `attachment_ids`. Needs a
   * connection: offline it fails at once with `offline` ("Attachments need a connection.").
   */
  'attachments/upload': {
    request: { conversation_id: number; name: string; mime: string; data: Uint8Array }
    response: Attachment
  }
  /** A sent file's bytes, for showing it (main keeps recently read ones in memory). */
  'attachments/read': {
    request: { conversation_id: number; attachment_id: number }
    response: { mime: string; data: Uint8Array }
  }
  /** Asks the user where to save a file (a native dialog) and writes it there. */
  'attachments/save': {
    request: { conversation_id: number; attachment_id: number; name: string }
    response: { saved: boolean }
  }
  /** The signed-in user's drafts, newest first. */
  'drafts/list': { request: void; response: Draft[] }
  /** Keeps one conversation's draft; an empty (or blank) text deletes it. */
  'drafts/set': { request: Draft; response: void }
  'typing/set': { request: { conversation_id: number; is_typing: boolean }; response: void }
  'branding/get': { request: void; response: Branding }
  'branding/set': { request: { timezone: string }; response: Branding }
  'admin/createInvite': { request: void; response: { code: string } }
  'accounts/list': { request: void; response: PlatformAccount[] }
  'accounts/connectEmail': { request: ConnectEmailRequest; response: PlatformAccount }
  'accounts/disconnect': { request: { account_id: number }; response: void }
  /** Fetches new mail now, or retries the connection at once when it is down. */
  'accounts/sync': { request: { account_id: number }; response: PlatformAccount }
  'settings/get': { request: void; response: Preferences }
  'settings/set': { request: Partial<Preferences>; response: Preferences }
  'window/openSettings': { request: void; response: void }
}

/** Main -> renderer pushes: `webContents.send(channel, payload)`. */
export interface PushMap {
  'events/event': AnyTidingsEvent
  'events/resync': { reason: string }
  'connection/state': ConnectionState
  'session/changed': SessionState
  'outbox/changed': OutboxItem
  'settings/changed': Preferences
  'branding/changed': Branding
  /** An account's latest state; `state: 'disconnected'` means it was removed. */
  'accounts/changed': PlatformAccount
  'navigation/openConversation': { conversation_id: number }
}

export type InvokeChannel = keyof InvokeMap
export type PushChannel = keyof PushMap
export type InvokeRequest<C extends InvokeChannel> = InvokeMap[C]['request']
export type InvokeResponse<C extends InvokeChannel> = InvokeMap[C]['response']

/** What crosses the invoke channel: errors travel as data so their code survives IPC. */
export type InvokeResult<T> =
  { ok: true; data: T } | { ok: false; error: { code: string; message: string } }

export const INVOKE_CHANNELS = [
  'session/get',
  'session/register',
  'session/login',
  'session/logout',
  'session/changePassword',
  'session/signOutOthers',
  'connection/get',
  'users/list',
  'conversations/list',
  'conversations/create',
  'conversations/rename',
  'conversations/addMembers',
  'conversations/removeMember',
  'conversations/focus',
  'conversations/setMuted',
  'conversations/setPinned',
  'messages/history',
  'messages/search',
  'messages/send',
  'messages/retry',
  'messages/edit',
  'messages/delete',
  'messages/react',
  'messages/markRead',
  'outbox/list',
  'attachments/upload',
  'attachments/read',
  'attachments/save',
  'drafts/list',
  'drafts/set',
  'typing/set',
  'branding/get',
  'branding/set',
  'admin/createInvite',
  'accounts/list',
  'accounts/connectEmail',
  'accounts/disconnect',
  'accounts/sync',
  'settings/get',
  'settings/set',
  'window/openSettings',
] as const satisfies readonly InvokeChannel[]

export const PUSH_CHANNELS = [
  'events/event',
  'events/resync',
  'connection/state',
  'session/changed',
  'outbox/changed',
  'settings/changed',
  'branding/changed',
  'accounts/changed',
  'navigation/openConversation',
] as const satisfies readonly PushChannel[]

/**
 * The API the preload exposes as `window.tidings`: one function per invoke channel, `on` for
 * stream events by type (or '*'), and `subscribe` for the other pushes. Both return unsubscribe.
 */
export type TidingsApi = {
  [C in InvokeChannel]: InvokeRequest<C> extends void
    ? () => Promise<InvokeResponse<C>>
    : (request: InvokeRequest<C>) => Promise<InvokeResponse<C>>
} & {
  on<T extends EventType | '*'>(
    type: T,
    listener: (
      event: T extends EventType ? Extract<AnyTidingsEvent, { type: T }> : AnyTidingsEvent,
    ) => void,
  ): () => void
  subscribe<C extends PushChannel>(channel: C, listener: (payload: PushMap[C]) => void): () => void
}
