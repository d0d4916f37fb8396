import { Type, type Static, type TSchema, type TUnsafe } from 'typebox'
import {
  AttachmentIds,
  AuditExportQuery,
  AuditQuery,
  ChangePasswordBody,
  EmailAddress,
  InviteBody,
  LoginBody,
  MailServerBody,
  PasswordResetBody,
  RegisterBody,
  RetentionBody,
  SearchMessagesQuery,
  SetRoleBody,
} from './api'
import { EVENT_TYPES, type EventType } from './eventTypes'
import type { AnyTidingsEvent } from './events'
import type { LocaleInfo } from './i18n/locales'
import { Limits } from './limits'
import type {
  AdminUser,
  Attachment,
  AuditPage,
  Branding,
  Conversation,
  FollowedThreadList,
  CreatedInvite,
  Invite,
  Message,
  MessagePage,
  MessageSearchPage,
  PasswordChanged,
  PasswordResetIssued,
  Person,
  PlatformAccount,
  RetentionPolicy,
  SessionsRevoked,
  ThreadFollow,
  ThreadPage,
  User,
} from './models'
import type { Preferences } from './preferences'
import type { UpdateState } from './updates'

/**
 * The one IPC contract between main and the renderers, in the style of Rocket.Chat Electron's
 * `ChannelToArgsMap`: one table of invoke channels (`INVOKES`: request schema, response type, the
 * pages that may call it) and one of push channels (`PUSHES`: payload type, the pages sent it).
 * Everything else is derived from them: the request and response types (TypeBox `Static<>`), the
 * preload's per-page `window.tidings`, main's sender allow-list, the core's handler registry (a
 * channel without a handler does not compile) and main's run-time check of every request.
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
  /** The root of the thread it replies in; null when it is no thread reply. */
  thread_root_id: number | null
  /** A thread reply that shows in the channel too. */
  also_to_channel: boolean
  message: Message | null
}

/** One server of the server list, as the switcher and the settings window show it. */
export interface ServerSummary {
  /** Stable for an address (the bundled server's is 'bundled'). */
  id: string
  /** The server's address; null for the bundled server, which only this computer can reach. */
  url: string | null
  /** The organization's name (the server's branding) once known, else the address's host. */
  name: string
  /** Unread messages of the account signed in there (0 while signed out). */
  unread: number
  signed_in: boolean
  status: ConnectionStatus
}

export interface ServerList {
  /** In the order they were added. */
  servers: ServerSummary[]
  /** The server the windows show. */
  active_id: string
  /**
   * False when the server was given on the command line (--server-url, TIDINGS_SERVER_URL):
   * it is the only one, and none is added or removed.
   */
  can_change: boolean
  /** This app has a bundled server and the list does not hold it: it may be added back. */
  can_add_bundled: boolean
}

/** How an export of the user's data (session/exportData) went. */
export interface DataExportResult {
  /** False when the user cancelled the save dialog (nothing was written). */
  saved: boolean
  /** Bytes of the ZIP written. */
  bytes: number
}

/** An export under way: pushed as its bytes arrive, then once with its outcome. */
export interface DataExportProgress {
  state: 'receiving' | 'saved' | 'failed'
  /** Bytes of the ZIP received so far (its size is not known before it ends: it is streamed). */
  bytes: number
}

/**
 * A form a `tidings://` link asked to fill in (src/shared/deepLinks.ts): registration with an
 * invite code, or a new password with an administrator's reset code. Main holds the latest until
 * the signed-out window takes it (`links/takePrefill`), and pushes it as it comes
 * (`links/prefill`).
 */
export interface LinkPrefill {
  form: 'register' | 'password_reset'
  server_url: string
  code: string
}

/**
 * Text typed in a conversation's composer and not sent yet, kept by main per signed-in user (in
 * the local store) so it survives switching conversations and restarting the app.
 */
export interface Draft {
  conversation_id: number
  text: string
}

// ---- Pages ----------------------------------------------------------------------------------

/** The renderer pages, one per window: the messenger and the settings window. */
export type RendererPage = 'index.html' | 'settings.html'
export const RENDERER_PAGES: readonly RendererPage[] = ['index.html', 'settings.html']

/**
 * Which page a URL's path names by its last segment, or null. Enough for the preload to pick the
 * page's API; main decides who may call (the exact origin too: ownRendererPage in paths.ts).
 */
export function rendererPageOfPath(pathname: string): RendererPage | null {
  const name = pathname.split('/').pop()
  return RENDERER_PAGES.find((page) => page === name) ?? null
}

const MAIN: readonly ['index.html'] = ['index.html']
const SETTINGS: readonly ['settings.html'] = ['settings.html']
const BOTH: readonly ['index.html', 'settings.html'] = ['index.html', 'settings.html']

// ---- Schemas --------------------------------------------------------------------------------

/**
 * A type main produces itself (a response, a push payload): named for the compiler, never
 * checked at run time.
 */
function produced<T>(): TUnsafe<T> {
  return Type.Unsafe<T>({})
}

const Id = Type.Integer({ minimum: 1 })
const NoPayload = Type.Union([Type.Undefined(), Type.Null()])
const MessageText = Type.String({ minLength: 1, maxLength: Limits.maxMessageChars })
const FileName = Type.String({ minLength: 1, maxLength: Limits.attachmentNameMaxChars })
const Title = Type.String({ minLength: 1, maxLength: 128 })
const Strict = { additionalProperties: false } as const
const ServerId = Type.String({ pattern: '^[a-z0-9-]{1,64}$' })

/**
 * Far above any server's usual limit (the server answers 413 with its own), but bounded: a page
 * cannot make main hold an arbitrary amount of memory for one call.
 */
export const MAX_UPLOAD_IPC_BYTES = 4 * Limits.attachmentMaxBytes
const FileBytes = Type.Refine<TUnsafe<Uint8Array>, unknown>(
  Type.Unsafe<Uint8Array>({}),
  (value) =>
    value instanceof Uint8Array && value.byteLength > 0 && value.byteLength <= MAX_UPLOAD_IPC_BYTES,
  () => `must be 1 to ${MAX_UPLOAD_IPC_BYTES} bytes (a Uint8Array)`,
)

// ---- Invoke channels ------------------------------------------------------------------------

interface InvokeSpec {
  /**
   * What the page must send. The renderer is less trusted than main (it renders remote content),
   * so main uses nothing it sends before it matches this.
   */
  request: TSchema
  /** What main answers (a type, not checked: main produces it). */
  response: TSchema
  /** The pages whose code calls it (traced from main.tsx / settings.tsx through the stores). */
  pages: readonly RendererPage[]
  /**
   * Who answers, when not the active server's core: 'window', the Electron layer (it opens a
   * window); 'app', the core for the whole app whatever server is active (the server list,
   * updates, an invite waiting for the form).
   */
  answeredBy?: 'window' | 'app'
}

/**
 * Renderer -> main calls: `ipcRenderer.invoke(channel, request)` resolves with the response.
 *
 * The main window is the messenger: session (sign in, up and out, a new password with a reset
 * code, the form a link fills in), connection state, people, conversations (list, create, focus,
 * and from the details dialog rename, add and remove members or leave; muting or pinning one
 * from its thread header), messages (and searching them), the outbox, attachments, composer
 * drafts, typing, invites, reading branding and preferences, and opening the settings window.
 * Other preferences, the organization time zone and mail accounts change only in the settings
 * window: conversations/setMuted and conversations/setPinned change the muted and pinned lists
 * and nothing else, emoji/used and emoji/setSkinTone the emoji picker's recently used emoji and
 * skin tone.
 *
 * The settings window only shows and changes preferences, the organization time zone, the
 * message retention policy (admins) and connected accounts (plus the session and conversation
 * list it reads), changes the password or signs out the user's other devices (never its own
 * session), exports the user's own data to a file and, for an administrator, manages people,
 * invites and the audit log (the server refuses anyone else), so a settings page gone wrong can
 * neither send, edit, delete or react to messages nor sign in, out or up.
 */
export const INVOKES = {
  'session/get': { request: NoPayload, response: produced<SessionState>(), pages: BOTH },
  'session/register': { request: RegisterBody, response: produced<SessionState>(), pages: MAIN },
  'session/login': { request: LoginBody, response: produced<SessionState>(), pages: MAIN },
  'session/logout': { request: NoPayload, response: produced<SessionState>(), pages: MAIN },
  /** Changes the password; every other device of the user is signed out, this one stays in. */
  'session/changePassword': {
    request: ChangePasswordBody,
    response: produced<PasswordChanged>(),
    pages: SETTINGS,
  },
  /** Signs out every other device of the user (their tokens are revoked), this one stays in. */
  'session/signOutOthers': {
    request: NoPayload,
    response: produced<SessionsRevoked>(),
    pages: SETTINGS,
  },
  /**
   * Sets a new password with an administrator's one-time reset code and signs in: every other
   * device of the user is signed out.
   */
  'session/resetPassword': {
    request: PasswordResetBody,
    response: produced<SessionState>(),
    pages: MAIN,
  },
  /** The form a link asked to fill in, once (null when none waits). */
  'links/takePrefill': {
    request: NoPayload,
    response: produced<LinkPrefill | null>(),
    pages: MAIN,
  },
  'connection/get': { request: NoPayload, response: produced<ConnectionState>(), pages: MAIN },
  'users/list': { request: NoPayload, response: produced<Person[]>(), pages: MAIN },
  'conversations/list': { request: NoPayload, response: produced<Conversation[]>(), pages: BOTH },
  'conversations/create': {
    request: Type.Object(
      { member_ids: Type.Array(Id, { maxItems: 1000 }), title: Type.Optional(Title) },
      Strict,
    ),
    response: produced<Conversation>(),
    pages: MAIN,
  },
  'conversations/rename': {
    request: Type.Object({ conversation_id: Id, title: Title }, Strict),
    response: produced<Conversation>(),
    pages: MAIN,
  },
  /** Adds people to a Tidings group (the server refuses direct, email and bridged ones). */
  'conversations/addMembers': {
    request: Type.Object(
      { conversation_id: Id, user_ids: Type.Array(Id, { minItems: 1, maxItems: 1000 }) },
      Strict,
    ),
    response: produced<Conversation>(),
    pages: MAIN,
  },
  /**
   * Removes a member; with the caller's own id, leaves. The server lets only the creator or an
   * admin remove others. The response is the conversation as it is afterwards.
   */
  'conversations/removeMember': {
    request: Type.Object({ conversation_id: Id, user_id: Id }, Strict),
    response: produced<Conversation>(),
    pages: MAIN,
  },
  /** The conversation the window shows, and the thread whose panel is open in it. */
  'conversations/focus': {
    request: Type.Object(
      {
        conversation_id: Type.Union([Id, Type.Null()]),
        thread_root_id: Type.Optional(Type.Union([Id, Type.Null()])),
      },
      Strict,
    ),
    response: produced<void>(),
    pages: MAIN,
  },
  /**
   * Mutes or unmutes one conversation's notifications from the main window: a change of the
   * `muted_conversation_ids` preference only (the rest of the preferences stay settings-only).
   */
  'conversations/setMuted': {
    request: Type.Object({ conversation_id: Id, muted: Type.Boolean() }, Strict),
    response: produced<Preferences>(),
    pages: MAIN,
  },
  /**
   * Pins or unpins one conversation from the main window (`pinned_conversation_ids` only); a new
   * pin goes last. Past MAX_PINNED_CONVERSATIONS it is refused with `pin_limit_reached`.
   */
  'conversations/setPinned': {
    request: Type.Object({ conversation_id: Id, pinned: Type.Boolean() }, Strict),
    response: produced<Preferences>(),
    pages: MAIN,
  },
  /**
   * The emoji picker's memory, from the main window: an emoji chosen goes first among the
   * `recent_emoji` preference, and the skin tone chosen becomes `emoji_skin_tone`. Each changes
   * that one preference and nothing else.
   */
  'emoji/used': {
    request: Type.Object(
      { emoji: Type.String({ minLength: 1, maxLength: Limits.reactionEmojiMaxChars }) },
      Strict,
    ),
    response: produced<Preferences>(),
    pages: MAIN,
  },
  'emoji/setSkinTone': {
    request: Type.Object({ tone: Type.Integer({ minimum: 0, maximum: 5 }) }, Strict),
    response: produced<Preferences>(),
    pages: MAIN,
  },
  'messages/history': {
    request: Type.Object(
      {
        conversation_id: Id,
        before: Type.Optional(Id),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: Limits.historyMaxPageSize })),
      },
      Strict,
    ),
    response: produced<MessagePage>(),
    pages: MAIN,
  },
  /** Full-text search of the user's conversations (GET /search/messages), newest first. */
  'messages/search': {
    request: SearchMessagesQuery,
    response: produced<MessageSearchPage>(),
    pages: MAIN,
  },
  /**
   * The text may be empty when `attachment_ids` (uploads of attachments/upload) are given; blank
   * text is the core's and the server's to refuse.
   */
  'messages/send': {
    request: Type.Object(
      {
        conversation_id: Id,
        text: Type.String({ maxLength: Limits.maxMessageChars }),
        reply_to_id: Type.Optional(Id),
        attachment_ids: Type.Optional(AttachmentIds),
        /** A reply in this message's thread; `also_to_channel` shows it in the channel too. */
        thread_root_id: Type.Optional(Id),
        also_to_channel: Type.Optional(Type.Boolean()),
      },
      Strict,
    ),
    response: produced<OutboxItem>(),
    pages: MAIN,
  },
  'messages/retry': {
    request: Type.Object({ client_id: Type.String({ minLength: 1, maxLength: 64 }) }, Strict),
    response: produced<OutboxItem>(),
    pages: MAIN,
  },
  'messages/edit': {
    request: Type.Object({ message_id: Id, text: MessageText }, Strict),
    response: produced<Message>(),
    pages: MAIN,
  },
  'messages/delete': {
    request: Type.Object({ message_id: Id }, Strict),
    response: produced<Message>(),
    pages: MAIN,
  },
  /**
   * Adds the user's reaction with `emoji` to a message, or takes it back (`add: false`); the
   * server answers with the message. A user may have several emoji on one message, each once.
   * The emoji's shape (one emoji) is the server's to check, with one message for every client.
   */
  'messages/react': {
    request: Type.Object(
      {
        conversation_id: Id,
        message_id: Id,
        emoji: Type.String({ minLength: 1, maxLength: Limits.reactionEmojiMaxChars }),
        add: Type.Boolean(),
      },
      Strict,
    ),
    response: produced<Message>(),
    pages: MAIN,
  },
  'messages/markRead': {
    request: Type.Object({ conversation_id: Id, up_to_message_id: Id }, Strict),
    response: produced<void>(),
    pages: MAIN,
  },
  'outbox/list': { request: NoPayload, response: produced<OutboxItem[]>(), pages: MAIN },
  /** A thread's root and a page of its replies, with the user's following of it. */
  'threads/get': {
    request: Type.Object(
      {
        conversation_id: Id,
        root_id: Id,
        before: Type.Optional(Id),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: Limits.historyMaxPageSize })),
      },
      Strict,
    ),
    response: produced<ThreadPage>(),
    pages: MAIN,
  },
  /** The threads the user follows, with their unread replies (the Threads view). */
  'threads/list': { request: NoPayload, response: produced<FollowedThreadList>(), pages: MAIN },
  'threads/follow': {
    request: Type.Object({ conversation_id: Id, root_id: Id, following: Type.Boolean() }, Strict),
    response: produced<ThreadFollow>(),
    pages: MAIN,
  },
  /** The user has seen a thread's replies up to this one (on this device). */
  'threads/markRead': {
    request: Type.Object({ conversation_id: Id, root_id: Id, up_to_message_id: Id }, Strict),
    response: produced<{ moved: boolean }>(),
    pages: MAIN,
  },
  /**
   * Uploads a file to a conversation, to be sent with messages/send's `attachment_ids`. Needs a
   * connection: offline it fails at once with `offline` ("Attachments need a connection.").
   */
  'attachments/upload': {
    request: Type.Object(
      {
        conversation_id: Id,
        name: FileName,
        // A File's type is '' when the browser does not know it.
        mime: Type.String({ maxLength: 255 }),
        data: FileBytes,
      },
      Strict,
    ),
    response: produced<Attachment>(),
    pages: MAIN,
  },
  /** A sent file's bytes, for showing it (main keeps recently read ones in memory). */
  'attachments/read': {
    request: Type.Object({ conversation_id: Id, attachment_id: Id }, Strict),
    response: produced<{ mime: string; data: Uint8Array }>(),
    pages: MAIN,
  },
  /**
   * A link preview's image (`link_preview.image_path` of a message), fetched by main from the
   * server with the session's token; main keeps recently read ones in memory. Only the server's
   * preview image route: the path is checked here, never taken as any path of the server.
   */
  'previews/image': {
    request: Type.Object(
      { image_path: Type.String({ pattern: '^/link-previews/[1-9][0-9]{0,15}/image$' }) },
      Strict,
    ),
    response: produced<{ mime: string; data: Uint8Array }>(),
    pages: MAIN,
  },
  /**
   * Removes the link preview of one of the user's own messages, for good; the server answers with
   * the message (and tells the members with message_updated).
   */
  'previews/remove': {
    request: Type.Object({ message_id: Id }, Strict),
    response: produced<Message>(),
    pages: MAIN,
  },
  /** Asks the user where to save a file (a native dialog) and writes it there. */
  'attachments/save': {
    request: Type.Object({ conversation_id: Id, attachment_id: Id, name: FileName }, Strict),
    response: produced<{ saved: boolean }>(),
    pages: MAIN,
  },
  /** The signed-in user's drafts, newest first. */
  'drafts/list': { request: NoPayload, response: produced<Draft[]>(), pages: MAIN },
  /**
   * Keeps one conversation's draft; an empty (or blank) text deletes it. The bound is a
   * message's, since a draft becomes one.
   */
  'drafts/set': {
    request: Type.Object(
      { conversation_id: Id, text: Type.String({ maxLength: Limits.maxMessageChars }) },
      Strict,
    ),
    response: produced<void>(),
    pages: MAIN,
  },
  'typing/set': {
    request: Type.Object({ conversation_id: Id, is_typing: Type.Boolean() }, Strict),
    response: produced<void>(),
    pages: MAIN,
  },
  'branding/get': { request: NoPayload, response: produced<Branding>(), pages: BOTH },
  'branding/set': {
    request: Type.Object({ timezone: Type.String({ minLength: 1, maxLength: 64 }) }, Strict),
    response: produced<Branding>(),
    pages: SETTINGS,
  },
  /**
   * An invite: from the main window's top bar, or the settings window's Invites section (with a
   * lifetime and a note). The server refuses anyone but an administrator (403), as for every
   * admin/ channel below.
   */
  'admin/createInvite': { request: InviteBody, response: produced<CreatedInvite>(), pages: BOTH },
  'admin/listInvites': { request: NoPayload, response: produced<Invite[]>(), pages: SETTINGS },
  'admin/revokeInvite': {
    request: Type.Object({ invite_id: Id }, Strict),
    response: produced<Invite>(),
    pages: SETTINGS,
  },
  /** Everyone, for the People section: role, state, last seen, devices. */
  'admin/listUsers': { request: NoPayload, response: produced<AdminUser[]>(), pages: SETTINGS },
  'admin/setRole': {
    request: Type.Object({ user_id: Id, role: SetRoleBody.properties.role }, Strict),
    response: produced<AdminUser>(),
    pages: SETTINGS,
  },
  'admin/deactivateUser': {
    request: Type.Object({ user_id: Id }, Strict),
    response: produced<AdminUser>(),
    pages: SETTINGS,
  },
  'admin/reactivateUser': {
    request: Type.Object({ user_id: Id }, Strict),
    response: produced<AdminUser>(),
    pages: SETTINGS,
  },
  /** Signs the user out on every device without deactivating the account. */
  'admin/signOutUser': {
    request: Type.Object({ user_id: Id }, Strict),
    response: produced<SessionsRevoked>(),
    pages: SETTINGS,
  },
  /** A one-time reset code for the user, valid 24 hours, to hand over (with its link). */
  'admin/resetPassword': {
    request: Type.Object({ user_id: Id }, Strict),
    response: produced<PasswordResetIssued>(),
    pages: SETTINGS,
  },
  /** A page of the audit log, newest first, by person and kind. */
  'admin/listAudit': { request: AuditQuery, response: produced<AuditPage>(), pages: SETTINGS },
  /**
   * Exports the audit log (with the same filters) as CSV: main asks where to save it (a native
   * dialog) and streams the server's file there; the page never names a path.
   */
  'admin/exportAudit': {
    request: AuditExportQuery,
    response: produced<{ saved: boolean }>(),
    pages: SETTINGS,
  },
  /** How long messages and their files are kept (admins only; the server refuses others). */
  'admin/getRetention': {
    request: NoPayload,
    response: produced<RetentionPolicy>(),
    pages: SETTINGS,
  },
  'admin/setRetention': {
    request: RetentionBody,
    response: produced<RetentionPolicy>(),
    pages: SETTINGS,
  },
  /**
   * Exports the user's own data (GET /users/me/export, a ZIP) to a file the user picks in the
   * save dialog; progress arrives on session/exportProgress. `saved` is false when cancelled.
   */
  'session/exportData': {
    request: NoPayload,
    response: produced<DataExportResult>(),
    pages: SETTINGS,
  },
  'accounts/list': { request: NoPayload, response: produced<PlatformAccount[]>(), pages: SETTINGS },
  /** Connecting an email account: SMTP sends, IMAP receives. Passwords go to the server only. */
  'accounts/connectEmail': {
    request: Type.Object(
      {
        display_name: Type.String({ minLength: 1, maxLength: 128 }),
        email_address: EmailAddress,
        smtp: MailServerBody,
        imap: MailServerBody,
      },
      Strict,
    ),
    response: produced<PlatformAccount>(),
    pages: SETTINGS,
  },
  'accounts/disconnect': {
    request: Type.Object({ account_id: Id }, Strict),
    response: produced<void>(),
    pages: SETTINGS,
  },
  /** Fetches new mail now, or retries the connection at once when it is down. */
  'accounts/sync': {
    request: Type.Object({ account_id: Id }, Strict),
    response: produced<PlatformAccount>(),
    pages: SETTINGS,
  },
  'settings/get': { request: NoPayload, response: produced<Preferences>(), pages: BOTH },
  /**
   * The language the windows speak and format in (the `language` preference over the OS's), so
   * both pages render in it from their first paint; `settings/set {language}` changes it.
   */
  'locale/get': { request: NoPayload, response: produced<LocaleInfo>(), pages: BOTH },
  /** Any object here; the preferences store checks it with the finer rules it knows. */
  'settings/set': {
    request: Type.Unsafe<Partial<Preferences>>(Type.Object({})),
    response: produced<Preferences>(),
    pages: SETTINGS,
  },
  'window/openSettings': {
    request: NoPayload,
    response: produced<void>(),
    pages: MAIN,
    answeredBy: 'window',
  },
  /** The servers, their unread counts and which one the windows show. */
  'servers/list': {
    request: NoPayload,
    response: produced<ServerList>(),
    pages: BOTH,
    answeredBy: 'app',
  },
  /** Shows another server in the windows; the others stay connected. */
  'servers/activate': {
    request: Type.Object({ server_id: ServerId }, Strict),
    response: produced<ServerList>(),
    pages: MAIN,
    answeredBy: 'app',
  },
  /**
   * Adds a server by its http(s) address (null: the bundled server) once it answers as a
   * Tidings server, and shows it. A server already listed is shown. A plain http:// address of
   * another machine is refused (unencrypted_server) unless `unencrypted_confirmed` says the user
   * chose to use it anyway; this machine's (localhost, 127.x, [::1]) needs no confirmation.
   */
  'servers/add': {
    request: Type.Object(
      {
        url: Type.Union([Type.String({ minLength: 1, maxLength: 2048 }), Type.Null()]),
        unencrypted_confirmed: Type.Optional(Type.Boolean()),
      },
      Strict,
    ),
    response: produced<ServerList>(),
    pages: BOTH,
    answeredBy: 'app',
  },
  /**
   * Removes a server: signed out there, and what this computer kept of it (session, outbox,
   * drafts) deleted. The last server stays.
   */
  'servers/remove': {
    request: Type.Object({ server_id: ServerId }, Strict),
    response: produced<ServerList>(),
    pages: BOTH,
    answeredBy: 'app',
  },
  /** What the updater is doing (the settings window's status line, the main window's bar). */
  'updates/get': {
    request: NoPayload,
    response: produced<UpdateState>(),
    pages: BOTH,
    answeredBy: 'app',
  },
  /** "Restart to update": installs a downloaded update now; false when none is ready. */
  'updates/restart': {
    request: NoPayload,
    response: produced<{ restarting: boolean }>(),
    pages: MAIN,
    answeredBy: 'app',
  },
} as const satisfies Record<string, InvokeSpec>

type Invokes = typeof INVOKES

export type InvokeChannel = keyof Invokes
export type InvokeRequest<C extends InvokeChannel> = Static<Invokes[C]['request']>
export type InvokeResponse<C extends InvokeChannel> = Static<Invokes[C]['response']>

/** The channels a page may call. */
export type PageChannel<P extends RendererPage> = {
  [C in InvokeChannel]: P extends Invokes[C]['pages'][number] ? C : never
}[InvokeChannel]

/** The channels the Electron layer answers itself (window/openSettings). */
export type WindowChannel = {
  [C in InvokeChannel]: Invokes[C] extends { answeredBy: 'window' } ? C : never
}[InvokeChannel]

/** The channels the core answers: all but WindowChannel. */
export type CoreChannel = Exclude<InvokeChannel, WindowChannel>

/** The channels the core answers for the whole app (servers, updates, invites). */
export type AppChannel = {
  [C in InvokeChannel]: Invokes[C] extends { answeredBy: 'app' } ? C : never
}[InvokeChannel]

/** The channels the active server's core answers: all but the window's and the app's. */
export type ServerChannel = Exclude<CoreChannel, AppChannel>

export type ConnectEmailRequest = InvokeRequest<'accounts/connectEmail'>

export const INVOKE_CHANNELS = Object.keys(INVOKES) as readonly InvokeChannel[]

export function isInvokeChannel(value: unknown): value is InvokeChannel {
  return typeof value === 'string' && Object.hasOwn(INVOKES, value)
}

/** The channels each page may call (main's sender allow-list; the preload's API). */
export const PAGE_CHANNELS: Readonly<Record<RendererPage, ReadonlySet<InvokeChannel>>> = {
  'index.html': channelsOf('index.html'),
  'settings.html': channelsOf('settings.html'),
}

function channelsOf(page: RendererPage): ReadonlySet<InvokeChannel> {
  return new Set(
    INVOKE_CHANNELS.filter((c) => (INVOKES[c].pages as readonly RendererPage[]).includes(page)),
  )
}

export function isWindowChannel(channel: InvokeChannel): channel is WindowChannel {
  return (INVOKES[channel] as InvokeSpec).answeredBy === 'window'
}

export function isAppChannel(channel: InvokeChannel): channel is AppChannel {
  return (INVOKES[channel] as InvokeSpec).answeredBy === 'app'
}

/** What crosses the invoke channel: errors travel as data so their code survives IPC. */
export type InvokeResult<T> =
  { ok: true; data: T } | { ok: false; error: { code: string; message: string } }

// ---- Push channels --------------------------------------------------------------------------

interface PushSpec {
  payload: TSchema
  /** The pages sent it: the ones whose code subscribes to it, and no others. */
  pages: readonly RendererPage[]
}

/**
 * Main -> renderer pushes: `webContents.send(channel, payload)`, to the pages listed only.
 *
 * The main window gets every stream event (the conversation list, threads, presence, typing,
 * toasts and the event monitor use them all), resyncs, its outbox, the connection state, session,
 * preferences (mute, clock), the language, branding, "open this conversation" from a notification,
 * a form a link asked to fill in (links/prefill), the server list and the updater's state. It shows
 * no mail accounts, so it does not get accounts/changed.
 *
 * The settings window gets the session, preferences, the language, branding and account changes,
 * the progress of an export of the user's data, resyncs (the account list reloads after one), the
 * server list, the updater's state and, on events/event, only the types in PAGE_EVENT_TYPES.
 *
 * Everything but servers/changed and updates/state is about the active server: what the other
 * servers' cores push stays in main (which keeps their unread counts for the list and the badge).
 */
export const PUSHES = {
  'events/event': { payload: produced<AnyTidingsEvent>(), pages: BOTH },
  'events/resync': { payload: produced<{ reason: string }>(), pages: BOTH },
  'connection/state': { payload: produced<ConnectionState>(), pages: MAIN },
  'session/changed': { payload: produced<SessionState>(), pages: BOTH },
  'outbox/changed': { payload: produced<OutboxItem>(), pages: MAIN },
  'settings/changed': { payload: produced<Preferences>(), pages: BOTH },
  /** The language changed (the setting, in either window): both windows switch live. */
  'locale/changed': { payload: produced<LocaleInfo>(), pages: BOTH },
  'branding/changed': { payload: produced<Branding>(), pages: BOTH },
  /** An account's latest state; `state: 'disconnected'` means it was removed. */
  'accounts/changed': { payload: produced<PlatformAccount>(), pages: SETTINGS },
  /** How far the export of the user's data (session/exportData) has come. */
  'session/exportProgress': { payload: produced<DataExportProgress>(), pages: SETTINGS },
  'navigation/openConversation': {
    payload: produced<{ conversation_id: number }>(),
    pages: MAIN,
  },
  /** A link asked to fill in the registration or password reset form (see LinkPrefill). */
  'links/prefill': { payload: produced<LinkPrefill>(), pages: MAIN },
  'updates/state': { payload: produced<UpdateState>(), pages: BOTH },
  /** The server list changed: a server added or removed, shown, renamed, or its unread count. */
  'servers/changed': { payload: produced<ServerList>(), pages: BOTH },
} as const satisfies Record<string, PushSpec>

type Pushes = typeof PUSHES

export type PushChannel = keyof Pushes
export type PushMap = { [C in PushChannel]: Static<Pushes[C]['payload']> }

/** The push channels a page is sent. */
export type PagePushChannel<P extends RendererPage> = {
  [C in PushChannel]: P extends Pushes[C]['pages'][number] ? C : never
}[PushChannel]

export const PUSH_CHANNELS = Object.keys(PUSHES) as readonly PushChannel[]

/**
 * The stream event types each page is sent on events/event: the ones it applies. The settings
 * window applies the organization time zone change (a system notification), conversations
 * created, renamed or left (its mute and pin lists) and people deactivated, reactivated or given
 * another role (its People section); messages, receipts, presence and typing never reach it.
 */
export const PAGE_EVENT_TYPES: Readonly<Record<RendererPage, ReadonlySet<EventType>>> = {
  'index.html': new Set(EVENT_TYPES),
  'settings.html': new Set<EventType>([
    'conversation_created',
    'conversation_updated',
    'system_notification',
    'user_deactivated',
    'user_reactivated',
    'user_role_changed',
  ]),
}

/** Whether `page` is sent this push: its channel, and on events/event the event's type. */
export function pageReceives<C extends PushChannel>(
  page: RendererPage,
  channel: C,
  payload: PushMap[C],
): boolean {
  if (!(PUSHES[channel].pages as readonly RendererPage[]).includes(page)) return false
  if (channel !== 'events/event') return true
  return PAGE_EVENT_TYPES[page].has((payload as AnyTidingsEvent).type)
}

// ---- window.tidings -------------------------------------------------------------------------

/** One invoke channel as a function: no argument when the channel takes no request. */
export type InvokeFunction<C extends InvokeChannel> = [InvokeRequest<C>] extends [undefined | null]
  ? () => Promise<InvokeResponse<C>>
  : (request: InvokeRequest<C>) => Promise<InvokeResponse<C>>

/**
 * The API the preload exposes to page P as `window.tidings`: one function per channel P may
 * invoke, `on` for stream events by type (or '*'), and `subscribe` for P's other pushes. Both
 * return unsubscribe.
 */
export type PageApi<P extends RendererPage> = {
  [C in PageChannel<P>]: InvokeFunction<C>
} & {
  on<T extends EventType | '*'>(
    type: T,
    listener: (
      event: T extends EventType ? Extract<AnyTidingsEvent, { type: T }> : AnyTidingsEvent,
    ) => void,
  ): () => void
  subscribe<C extends PagePushChannel<P>>(
    channel: C,
    listener: (payload: PushMap[C]) => void,
  ): () => void
}

/** `window.tidings` as the renderer's code sees it: the channels of either page. */
export type TidingsApi = PageApi<RendererPage>
