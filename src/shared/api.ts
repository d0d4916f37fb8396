import { Type, type Static } from 'typebox'
import { AUDIT_KINDS, type AuditKind } from './audit'
import { Limits } from './limits'

/** Request bodies of the REST API, validated by the server and typed for every client. */

export const Username = Type.String({ pattern: '^[a-zA-Z0-9_.-]{3,32}$' })
export const Password = Type.String({
  minLength: Limits.passwordMinChars,
  maxLength: Limits.passwordMaxChars,
})
export const DisplayName = Type.String({ minLength: 1, maxLength: 64 })

export const RegisterBody = Type.Object(
  {
    username: Username,
    password: Password,
    display_name: Type.Optional(DisplayName),
    invite_code: Type.Optional(Type.String({ maxLength: 128 })),
  },
  { additionalProperties: false },
)
export type RegisterBody = Static<typeof RegisterBody>

export const LoginBody = Type.Object(
  { username: Type.String({ maxLength: 64 }), password: Type.String({ maxLength: 256 }) },
  { additionalProperties: false },
)
export type LoginBody = Static<typeof LoginBody>

/** The new password follows registration's rules; the current one only has to fit a login's. */
export const ChangePasswordBody = Type.Object(
  {
    current_password: Type.String({ maxLength: Limits.passwordMaxChars }),
    new_password: Password,
  },
  { additionalProperties: false },
)
export type ChangePasswordBody = Static<typeof ChangePasswordBody>

/** Who an invite is for, in the admin's words ("Dana, design"): shown in the invite list. */
export const InviteNote = Type.String({ minLength: 1, maxLength: Limits.inviteNoteMaxChars })

export const InviteBody = Type.Object(
  {
    expires_in_hours: Type.Optional(Type.Integer({ minimum: 1, maximum: 24 * 30 })),
    note: Type.Optional(InviteNote),
  },
  { additionalProperties: false },
)
export type InviteBody = Static<typeof InviteBody>

/** `PUT /admin/users/:id/role`. */
export const SetRoleBody = Type.Object(
  { role: Type.Union([Type.Literal('admin'), Type.Literal('member')]) },
  { additionalProperties: false },
)
export type SetRoleBody = Static<typeof SetRoleBody>

/** A one-time password reset code as an administrator hands it over (and a link carries it). */
export const ResetCode = Type.String({ minLength: 1, maxLength: 128 })

/** `POST /auth/password-reset`: the code an administrator issued, and the new password. */
export const PasswordResetBody = Type.Object(
  { code: ResetCode, new_password: Password },
  { additionalProperties: false },
)
export type PasswordResetBody = Static<typeof PasswordResetBody>

/** `GET /admin/audit` and `/admin/audit.csv`: entries by or about one user, of one kind. */
export const AuditFilter = {
  user_id: Type.Optional(Type.Integer({ minimum: 1 })),
  // Unsafe only names the static type: the schema is still the union of the kinds' literals.
  kind: Type.Optional(Type.Unsafe<AuditKind>(Type.Union(AUDIT_KINDS.map((k) => Type.Literal(k))))),
}
export const AuditQuery = Type.Object(
  {
    ...AuditFilter,
    before: Type.Optional(Type.Integer({ minimum: 1 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: Limits.auditMaxPageSize })),
  },
  { additionalProperties: false },
)
export type AuditQuery = Static<typeof AuditQuery>
export const AuditExportQuery = Type.Object(AuditFilter, { additionalProperties: false })
export type AuditExportQuery = Static<typeof AuditExportQuery>

export const UpdateProfileBody = Type.Object(
  { display_name: DisplayName },
  { additionalProperties: false },
)

export const CreateConversationBody = Type.Object(
  {
    member_ids: Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 1000 }),
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  },
  { additionalProperties: false },
)
export type CreateConversationBody = Static<typeof CreateConversationBody>

export const RenameConversationBody = Type.Object(
  { title: Type.String({ minLength: 1, maxLength: 128 }) },
  { additionalProperties: false },
)

export const MembersBody = Type.Object(
  { user_ids: Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 1000 }) },
  { additionalProperties: false },
)

/**
 * Uploads of the sender's to this conversation that the message carries. The text may then be
 * empty; without them a blank text is refused.
 */
export const AttachmentIds = Type.Array(Type.Integer({ minimum: 1 }), {
  minItems: 1,
  maxItems: Limits.maxAttachmentsPerMessage,
  uniqueItems: true,
})

export const SendMessageBody = Type.Object(
  {
    text: Type.String({ maxLength: Limits.maxMessageChars }),
    client_id: Type.String({ minLength: 1, maxLength: 64 }),
    /** The message of the same conversation this one replies to. */
    reply_to_id: Type.Optional(Type.Integer({ minimum: 1 })),
    attachment_ids: Type.Optional(AttachmentIds),
    /** Makes it a reply in the thread of this message of the same conversation. */
    thread_root_id: Type.Optional(Type.Integer({ minimum: 1 })),
    /** With thread_root_id: the reply shows in the channel too. */
    also_to_channel: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
)
export type SendMessageBody = Static<typeof SendMessageBody>

/** `POST /conversations/:id/attachments?name=…`: the body is the file's bytes. */
export const AttachmentUploadQuery = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: Limits.attachmentNameMaxChars }) },
  { additionalProperties: false },
)

export const EditMessageBody = Type.Object(
  { text: Type.String({ minLength: 1, maxLength: Limits.maxMessageChars }) },
  { additionalProperties: false },
)

/** A reaction's emoji is checked further by the server (reactionEmoji: exactly one emoji). */
export const ReactionBody = Type.Object(
  { emoji: Type.String({ minLength: 1, maxLength: Limits.reactionEmojiMaxChars }) },
  { additionalProperties: false },
)
export type ReactionBody = Static<typeof ReactionBody>

/** `DELETE /conversations/:id/messages/:messageId/reactions?emoji=…`: the reaction taken back. */
export const ReactionQuery = ReactionBody
export type ReactionQuery = Static<typeof ReactionQuery>

export const ReceiptBody = Type.Object(
  {
    kind: Type.Union([Type.Literal('delivered'), Type.Literal('read')]),
    up_to_message_id: Type.Integer({ minimum: 1 }),
  },
  { additionalProperties: false },
)
export type ReceiptBody = Static<typeof ReceiptBody>

/** `PUT /conversations/:id/threads/:rootId/follow`. */
export const ThreadFollowBody = Type.Object(
  { following: Type.Boolean() },
  { additionalProperties: false },
)
export type ThreadFollowBody = Static<typeof ThreadFollowBody>

/** `POST /conversations/:id/threads/:rootId/read`: the newest reply the caller has seen. */
export const ThreadReadBody = Type.Object(
  { up_to_message_id: Type.Integer({ minimum: 1 }) },
  { additionalProperties: false },
)
export type ThreadReadBody = Static<typeof ThreadReadBody>

export const HistoryQuery = Type.Object(
  {
    before: Type.Optional(Type.Integer({ minimum: 1 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: Limits.historyMaxPageSize })),
  },
  { additionalProperties: false },
)

/** `GET /search/messages`: `q` is plain text, never FTS syntax (see docs/protocol.md). */
export const SearchMessagesQuery = Type.Object(
  {
    q: Type.String({ minLength: 1, maxLength: Limits.maxSearchQueryChars }),
    conversation_id: Type.Optional(Type.Integer({ minimum: 1 })),
    before: Type.Optional(Type.Integer({ minimum: 1 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: Limits.searchMaxPageSize })),
  },
  { additionalProperties: false },
)
export type SearchMessagesQuery = Static<typeof SearchMessagesQuery>

export const BrandingBody = Type.Object(
  {
    timezone: Type.String({ minLength: 1, maxLength: 64 }),
    organization_name: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
)
export type BrandingBody = Static<typeof BrandingBody>

export const BroadcastBody = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 128 }),
    body: Type.String({ minLength: 1, maxLength: 2000 }),
    level: Type.Optional(
      Type.Union([Type.Literal('info'), Type.Literal('warning'), Type.Literal('critical')]),
    ),
  },
  { additionalProperties: false },
)

export const ContactHandle = Type.Object(
  {
    platform: Type.Union([
      Type.Literal('tidings'),
      Type.Literal('email'),
      Type.Literal('whatsapp'),
      Type.Literal('telegram'),
    ]),
    kind: Type.Union([Type.Literal('email'), Type.Literal('phone'), Type.Literal('username')]),
    value: Type.String({ minLength: 1, maxLength: 256 }),
  },
  { additionalProperties: false },
)

export const CreateContactBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 128 }),
    handles: Type.Optional(Type.Array(ContactHandle, { maxItems: 50 })),
    notes: Type.Optional(Type.String({ maxLength: 4000 })),
  },
  { additionalProperties: false },
)
export type CreateContactBody = Static<typeof CreateContactBody>

export const UpdateContactBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    handles: Type.Optional(Type.Array(ContactHandle, { maxItems: 50 })),
    notes: Type.Optional(Type.String({ maxLength: 4000 })),
  },
  { additionalProperties: false },
)
export type UpdateContactBody = Static<typeof UpdateContactBody>

export const MailServerBody = Type.Object(
  {
    host: Type.String({ minLength: 1, maxLength: 255 }),
    port: Type.Integer({ minimum: 1, maximum: 65535 }),
    /** true: TLS from the start (465/993); false: plain, upgraded with STARTTLS when offered. */
    secure: Type.Boolean(),
    username: Type.String({ minLength: 1, maxLength: 255 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false },
)
export type MailServerBody = Static<typeof MailServerBody>

export const EmailAddress = Type.String({ pattern: '^[^\\s@<>]+@[^\\s@<>]+$', maxLength: 254 })

/** `platform:'email'` needs email_address, smtp and imap; bridged platforms need none. */
export const CreateAccountBody = Type.Object(
  {
    platform: Type.Union([
      Type.Literal('email'),
      Type.Literal('whatsapp'),
      Type.Literal('telegram'),
    ]),
    display_name: Type.String({ minLength: 1, maxLength: 128 }),
    email_address: Type.Optional(EmailAddress),
    /** Phone number or username of a bridged account. */
    address: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    smtp: Type.Optional(MailServerBody),
    imap: Type.Optional(MailServerBody),
  },
  { additionalProperties: false },
)
export type CreateAccountBody = Static<typeof CreateAccountBody>

/** Replaces the given parts; a changed mail setting reconnects. */
export const UpdateAccountBody = Type.Object(
  {
    display_name: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    smtp: Type.Optional(MailServerBody),
    imap: Type.Optional(MailServerBody),
  },
  { additionalProperties: false },
)
export type UpdateAccountBody = Static<typeof UpdateAccountBody>

/** Starts an email conversation with these recipients (the first message is sent into it). */
export const StartEmailThreadBody = Type.Object(
  {
    to: Type.Array(EmailAddress, { minItems: 1, maxItems: 100 }),
    subject: Type.String({ minLength: 1, maxLength: 256 }),
  },
  { additionalProperties: false },
)
export type StartEmailThreadBody = Static<typeof StartEmailThreadBody>

/** What a bridge posts for one inbound message (`Authorization: Bridge <secret>`). */
export const BridgeInboundBody = Type.Object(
  {
    external_thread_id: Type.String({ minLength: 1, maxLength: 256 }),
    /** Title of a new conversation; defaults to the sender's name. */
    thread_title: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    sender: Type.Object(
      {
        handle: Type.String({ minLength: 1, maxLength: 256 }),
        name: Type.String({ minLength: 1, maxLength: 128 }),
      },
      { additionalProperties: false },
    ),
    text: Type.String({ minLength: 1, maxLength: Limits.maxMessageChars }),
    external_id: Type.String({ minLength: 1, maxLength: 256 }),
  },
  { additionalProperties: false },
)
export type BridgeInboundBody = Static<typeof BridgeInboundBody>

/** A bridge reports that its link to the platform went down or came back. */
export const BridgeStatusBody = Type.Object(
  {
    state: Type.Union([Type.Literal('connected'), Type.Literal('error')]),
    reason: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
)
export type BridgeStatusBody = Static<typeof BridgeStatusBody>

/** A bridge reports the outcome of delivering one outgoing message to its platform. */
export const BridgeOutboxResultBody = Type.Object(
  {
    state: Type.Union([Type.Literal('sent'), Type.Literal('failed')]),
    reason: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
)
export type BridgeOutboxResultBody = Static<typeof BridgeOutboxResultBody>

/** The envelope of every JSON response. */
export type ApiSuccess<T> = { status: 'success'; data: T }
export type ApiError = { status: 'error'; error: { code: string; message: string } }
export type ApiResponse<T> = ApiSuccess<T> | ApiError

/**
 * `PUT /admin/retention`: how many days messages and their files are kept, or null to keep them
 * forever (the default). At most 100 years, so that the cutoff stays a real date.
 */
export const RetentionBody = Type.Object(
  {
    message_retention_days: Type.Union([
      Type.Integer({ minimum: 1, maximum: Limits.messageRetentionMaxDays }),
      Type.Null(),
    ]),
  },
  { additionalProperties: false },
)
export type RetentionBody = Static<typeof RetentionBody>
