import { Type, type Static } from 'typebox'
import { Limits } from './limits'

/** Request bodies of the REST API, validated by the server and typed for every client. */

export const Username = Type.String({ pattern: '^[a-zA-Z0-9_.-]{3,32}$' })
export const Password = Type.String({ minLength: 8, maxLength: 256 })
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

export const InviteBody = Type.Object(
  { expires_in_hours: Type.Optional(Type.Integer({ minimum: 1, maximum: 24 * 30 })) },
  { additionalProperties: false },
)

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

export const SendMessageBody = Type.Object(
  {
    text: Type.String({ minLength: 1, maxLength: Limits.maxMessageChars }),
    client_id: Type.String({ minLength: 1, maxLength: 64 }),
  },
  { additionalProperties: false },
)
export type SendMessageBody = Static<typeof SendMessageBody>

export const EditMessageBody = Type.Object(
  { text: Type.String({ minLength: 1, maxLength: Limits.maxMessageChars }) },
  { additionalProperties: false },
)

export const ReceiptBody = Type.Object(
  {
    kind: Type.Union([Type.Literal('delivered'), Type.Literal('read')]),
    up_to_message_id: Type.Integer({ minimum: 1 }),
  },
  { additionalProperties: false },
)
export type ReceiptBody = Static<typeof ReceiptBody>

export const HistoryQuery = Type.Object(
  {
    before: Type.Optional(Type.Integer({ minimum: 1 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: Limits.historyMaxPageSize })),
  },
  { additionalProperties: false },
)

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

/** The envelope of every JSON response. */
export type ApiSuccess<T> = { status: 'success'; data: T }
export type ApiError = { status: 'error'; error: { code: string; message: string } }
export type ApiResponse<T> = ApiSuccess<T> | ApiError
