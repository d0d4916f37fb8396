import { Type, type Static, type TSchema, type TUnsafe } from 'typebox'
import { AUDIT_KINDS, type AuditDetails as AuditDetailsType } from './audit'

/**
 * The records of models.ts as TypeBox schemas: the server's REST response schemas (serialized by
 * fast-json-stringify) and the OpenAPI document (GET /docs/openapi.json) are built from them.
 * models.ts stays the interfaces every client reads; tests/shared/wireSchemas.test.ts fails
 * `tsc` when a schema's Static<> and its interface differ, so a field added to an interface
 * without its schema (or the other way round) does not compile.
 *
 * Every record schema lists every known field, so the OpenAPI document describes it, and also
 * has `additionalProperties: true`: fast-json-stringify writes only the fields a schema declares
 * unless told otherwise, and a field that a newer change adds to a record (and to its interface)
 * must reach clients even before its schema names it, as it did when responses went through
 * JSON.stringify. A schema is a description of the wire, never a filter on it.
 *
 * Nullable values are `type: [T, 'null']` rather than `anyOf`: fast-json-stringify serializes an
 * `anyOf` by validating the value against each branch first (a whole Message for every
 * conversation's `last_message`), and a type list by a `typeof` check. OpenAPI 3.1 (JSON Schema
 * 2020-12) reads both alike.
 */

/** The options of every object schema here and in the routes' answers: see above. */
export const RECORD = { additionalProperties: true } as const

/** A string from a closed list, as `{type: 'string', enum}` (a union of literals is `anyOf`). */
function StringEnum<const Values extends readonly string[]>(
  values: Values,
): TUnsafe<Values[number]> {
  return Type.Unsafe<Values[number]>({ type: 'string', enum: [...values] })
}

/** `schema` or null (see above for why not `Type.Union([schema, Type.Null()])`). */
function Nullable<Schema extends TSchema & { type: string }>(
  schema: Schema,
): TUnsafe<Static<Schema> | null> {
  return Type.Unsafe<Static<Schema> | null>({ ...schema, type: [schema.type, 'null'] })
}

/** RFC 3339 in UTC ending in `Z`. */
const Timestamp = Type.String({ format: 'date-time' })
const Id = Type.Integer({ minimum: 1 })

export const Role = StringEnum(['admin', 'member'])
export const Platform = StringEnum(['tidings', 'email', 'whatsapp', 'telegram'])
export const ExternalPlatform = StringEnum(['email', 'whatsapp', 'telegram'])
export const HandleKind = StringEnum(['email', 'phone', 'username'])
export const AccountState = StringEnum(['connecting', 'connected', 'error', 'disconnected'])
export const EmailState = StringEnum([
  'received',
  'malformed',
  'queued',
  'sending',
  'sent',
  'failed',
])

export const User = Type.Object(
  { id: Id, username: Type.String(), display_name: Type.String(), role: Role },
  RECORD,
)

export const Person = Type.Object(
  { ...User.properties, online: Type.Boolean(), deactivated: Type.Optional(Type.Boolean()) },
  RECORD,
)

export const UserRef = Type.Object(
  { id: Id, username: Type.String(), display_name: Type.String() },
  RECORD,
)

export const AdminUser = Type.Object(
  {
    ...User.properties,
    state: StringEnum(['active', 'deactivated']),
    deactivated_at: Nullable(Timestamp),
    created_at: Timestamp,
    last_seen_at: Nullable(Timestamp),
    online: Type.Boolean(),
    devices: Type.Integer(),
  },
  RECORD,
)

export const AuthResult = Type.Object({ token: Type.String(), user: User }, RECORD)

export const SessionsRevoked = Type.Object({ signed_out_sessions: Type.Integer() }, RECORD)

export const PasswordChanged = Type.Object(
  { ...SessionsRevoked.properties, changed: Type.Literal(true) },
  RECORD,
)

export const Member = Type.Object(
  {
    user_id: Id,
    username: Type.String(),
    display_name: Type.String(),
    last_read_message_id: Type.Integer(),
    last_delivered_message_id: Type.Integer(),
  },
  RECORD,
)

export const Attachment = Type.Object(
  { id: Id, name: Type.String(), mime: Type.String(), size: Type.Integer() },
  RECORD,
)

export const Reaction = Type.Object(
  { emoji: Type.String(), user_ids: Type.Array(Type.Integer()) },
  RECORD,
)

export const ReplyPreview = Type.Object(
  {
    id: Id,
    sender_id: Type.Integer(),
    sender_name: Type.String(),
    text: Type.String(),
    deleted: Type.Boolean(),
  },
  RECORD,
)

export const ExternalSender = Type.Object({ handle: Type.String(), name: Type.String() }, RECORD)

/** A message's first link as the server read it (models.ts LinkPreview). */
export const LinkPreview = Type.Object(
  {
    url: Type.String(),
    title: Type.Optional(Type.String()),
    description: Type.Optional(Type.String()),
    site_name: Type.Optional(Type.String()),
    image_path: Type.Optional(Type.String()),
  },
  RECORD,
)

export const ThreadSummary = Type.Object(
  {
    reply_count: Type.Integer(),
    last_reply_id: Id,
    last_reply_at: Timestamp,
    replier_ids: Type.Array(Type.Integer()),
  },
  RECORD,
)

export const Message = Type.Object(
  {
    id: Id,
    conversation_id: Id,
    sender_id: Type.Integer(),
    sender_name: Type.String(),
    client_id: Type.String(),
    text: Type.String(),
    created_at: Timestamp,
    edited_at: Nullable(Timestamp),
    deleted_at: Nullable(Timestamp),
    external_sender: Type.Optional(ExternalSender),
    reply_to: Nullable(ReplyPreview),
    reactions: Type.Optional(Type.Array(Reaction)),
    attachments: Type.Optional(Type.Array(Attachment)),
    thread_root_id: Type.Optional(Id),
    in_channel: Type.Optional(Type.Literal(true)),
    thread: Type.Optional(ThreadSummary),
    link_preview: Type.Optional(LinkPreview),
  },
  RECORD,
)

export const ThreadPage = Type.Object(
  {
    root: Message,
    replies: Type.Array(Message),
    next_before: Nullable(Type.Integer()),
    following: Type.Boolean(),
    last_read_id: Type.Integer(),
  },
  RECORD,
)

export const FollowedThread = Type.Object(
  {
    conversation_id: Id,
    conversation_title: Nullable(Type.String()),
    root: Message,
    last_read_id: Type.Integer(),
    unread_count: Type.Integer(),
  },
  RECORD,
)

export const FollowedThreadList = Type.Object({ threads: Type.Array(FollowedThread) }, RECORD)

export const ThreadFollow = Type.Object(
  { root_id: Id, following: Type.Boolean(), last_read_id: Type.Integer() },
  RECORD,
)

/** The answer of POST /conversations/:id/threads/:rootId/read. */
export const ThreadReadMoved = Type.Object({ moved: Type.Boolean() }, RECORD)

export const Conversation = Type.Object(
  {
    id: Id,
    title: Nullable(Type.String()),
    kind: StringEnum(['direct', 'group']),
    platform: Platform,
    created_by: Type.Integer(),
    created_at: Timestamp,
    updated_at: Timestamp,
    members: Type.Array(Member),
    last_message: Nullable(Message),
    unread_count: Type.Integer(),
  },
  RECORD,
)

export const MessagePage = Type.Object(
  { messages: Type.Array(Message), next_before: Nullable(Type.Integer()) },
  RECORD,
)

export const SnippetPart = Type.Object({ text: Type.String(), match: Type.Boolean() }, RECORD)

export const MessageSearchResult = Type.Object(
  {
    message: Message,
    conversation_id: Id,
    conversation_title: Nullable(Type.String()),
    snippet: Type.Array(SnippetPart),
  },
  RECORD,
)

export const MessageSearchPage = Type.Object(
  { results: Type.Array(MessageSearchResult), next_before: Nullable(Type.Integer()) },
  RECORD,
)

export const Branding = Type.Object(
  { timezone: Type.String(), organization_name: Type.String() },
  RECORD,
)

export const EventsInfo = Type.Object(
  { websocket_url: Type.String(), event_types: Type.Array(Type.String()), message: Type.String() },
  RECORD,
)

export const ContactHandle = Type.Object(
  { platform: Platform, kind: HandleKind, value: Type.String() },
  RECORD,
)

export const Contact = Type.Object(
  {
    id: Id,
    owner_id: Id,
    name: Type.String(),
    handles: Type.Array(ContactHandle),
    notes: Type.String(),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  RECORD,
)

export const MailServerSettings = Type.Object(
  { host: Type.String(), port: Type.Integer(), secure: Type.Boolean(), username: Type.String() },
  RECORD,
)

export const PlatformAccount = Type.Object(
  {
    id: Id,
    platform: ExternalPlatform,
    display_name: Type.String(),
    address: Nullable(Type.String()),
    state: AccountState,
    state_reason: Nullable(Type.String()),
    state_changed_at: Timestamp,
    last_sync_at: Nullable(Timestamp),
    created_at: Timestamp,
    smtp: Type.Optional(MailServerSettings),
    imap: Type.Optional(MailServerSettings),
  },
  RECORD,
)

export const CreatedPlatformAccount = Type.Object(
  { ...PlatformAccount.properties, bridge_secret: Type.String() },
  RECORD,
)

export const ExternalMessageRecord = Type.Object(
  {
    message_id: Id,
    account_id: Id,
    conversation_id: Id,
    direction: StringEnum(['in', 'out']),
    external_id: Type.String(),
    subject: Nullable(Type.String()),
    from_address: Nullable(Type.String()),
    from_name: Nullable(Type.String()),
    to: Type.Array(Type.String()),
    in_reply_to: Nullable(Type.String()),
    state: EmailState,
    reason: Nullable(Type.String()),
    attempts: Type.Integer(),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  RECORD,
)

export const BridgeOutboxItem = Type.Object(
  {
    message_id: Id,
    conversation_id: Id,
    external_thread_id: Nullable(Type.String()),
    to: Type.Array(Type.String()),
    text: Type.String(),
    created_at: Timestamp,
  },
  RECORD,
)

/** The answer of GET /auth/status. */
export const AuthStatus = Type.Object(
  { needs_first_account: Type.Boolean(), open_registration: Type.Boolean() },
  RECORD,
)

export const InviteState = StringEnum(['pending', 'used', 'expired', 'revoked'])

/** An invite as GET /admin/invites lists it (its code is never shown again). */
export const Invite = Type.Object(
  {
    id: Id,
    note: Nullable(Type.String()),
    created_by: Nullable(UserRef),
    created_at: Timestamp,
    expires_at: Timestamp,
    state: InviteState,
    used_by: Nullable(UserRef),
    used_at: Nullable(Timestamp),
    revoked_at: Nullable(Timestamp),
  },
  RECORD,
)

/** The answer of POST /admin/invites: the only time its code is shown. */
export const CreatedInvite = Type.Object({ ...Invite.properties, code: Type.String() }, RECORD)

export const PasswordResetIssued = Type.Object(
  { user_id: Id, code: Type.String(), expires_at: Timestamp },
  RECORD,
)

export const AuditKind = StringEnum(AUDIT_KINDS)

/** An audit entry's flat details: any names, each a string, number, boolean or null. */
export const AuditDetails = Type.Unsafe<AuditDetailsType>({
  type: 'object',
  additionalProperties: { type: ['string', 'number', 'boolean', 'null'] },
})

export const AuditEntry = Type.Object(
  {
    id: Id,
    at: Timestamp,
    kind: AuditKind,
    actor: Nullable(UserRef),
    target: Nullable(UserRef),
    address: Nullable(Type.String()),
    details: AuditDetails,
  },
  RECORD,
)

export const AuditPage = Type.Object(
  { entries: Type.Array(AuditEntry), next_before: Nullable(Type.Integer()) },
  RECORD,
)

export const RetentionPolicy = Type.Object(
  { message_retention_days: Nullable(Type.Integer()) },
  RECORD,
)

/** The answer of GET /healthz while the database answers. */
export const Health = Type.Object(
  {
    ok: Type.Literal(true),
    connections: Type.Integer(),
    database: StringEnum(['sqlite', 'postgres']),
    /** This node's name in a cluster. */
    node: Type.Optional(Type.String()),
    delivered_up_to: Type.Integer(),
    delivery_lag_events: Type.Integer(),
  },
  RECORD,
)

/** The success envelope (`ApiSuccess` of api.ts) around `data`. */
export function Success<Data extends TSchema>(data: Data) {
  return Type.Object({ status: Type.Literal('success'), data }, RECORD)
}

/** The error envelope of every 4xx and 5xx answer (`ApiError` of api.ts). */
export const ErrorEnvelope = Type.Object(
  {
    status: Type.Literal('error'),
    error: Type.Object(
      {
        /** Machine-readable: `invalid_request`, `unauthorized`, `not_found`, … */
        code: Type.String(),
        message: Type.String(),
      },
      RECORD,
    ),
  },
  RECORD,
)
