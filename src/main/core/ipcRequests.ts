import { Type, type TSchema } from 'typebox'
import { Value } from 'typebox/value'
import {
  AttachmentIds,
  ChangePasswordBody,
  EmailAddress,
  LoginBody,
  MailServerBody,
  RegisterBody,
  SearchMessagesQuery,
} from '../../shared/api'
import { INVOKE_CHANNELS, type InvokeChannel } from '../../shared/ipc'
import { Limits } from '../../shared/limits'
import { CoreError, CoreErrorCode } from './coreError'

/**
 * Run-time schemas of every invoke request. The renderer is less trusted than main (it renders
 * remote content), so nothing it sends is used before it matches these. settings/set is checked
 * by the preferences store, which knows the finer rules.
 */
const Id = Type.Integer({ minimum: 1 })
const NoPayload = Type.Union([Type.Undefined(), Type.Null()])
const MessageText = Type.String({ minLength: 1, maxLength: Limits.maxMessageChars })
const FileName = Type.String({ minLength: 1, maxLength: Limits.attachmentNameMaxChars })
/**
 * Far above any server's usual limit (the server answers 413 with its own), but bounded: a page
 * cannot make main hold an arbitrary amount of memory for one call.
 */
export const MAX_UPLOAD_IPC_BYTES = 4 * Limits.attachmentMaxBytes
const FileBytes = Type.Refine(
  Type.Unknown(),
  (value) =>
    value instanceof Uint8Array && value.byteLength > 0 && value.byteLength <= MAX_UPLOAD_IPC_BYTES,
  () => `must be 1 to ${MAX_UPLOAD_IPC_BYTES} bytes (a Uint8Array)`,
)

const REQUEST_SCHEMAS: Record<InvokeChannel, TSchema> = {
  'session/get': NoPayload,
  'session/register': RegisterBody,
  'session/login': LoginBody,
  'session/logout': NoPayload,
  'session/changePassword': ChangePasswordBody,
  'session/signOutOthers': NoPayload,
  'connection/get': NoPayload,
  'users/list': NoPayload,
  'conversations/list': NoPayload,
  'conversations/create': Type.Object(
    {
      member_ids: Type.Array(Id, { maxItems: 1000 }),
      title: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    },
    { additionalProperties: false },
  ),
  'conversations/rename': Type.Object(
    { conversation_id: Id, title: Type.String({ minLength: 1, maxLength: 128 }) },
    { additionalProperties: false },
  ),
  'conversations/addMembers': Type.Object(
    { conversation_id: Id, user_ids: Type.Array(Id, { minItems: 1, maxItems: 1000 }) },
    { additionalProperties: false },
  ),
  'conversations/removeMember': Type.Object(
    { conversation_id: Id, user_id: Id },
    { additionalProperties: false },
  ),
  'conversations/focus': Type.Object(
    { conversation_id: Type.Union([Id, Type.Null()]) },
    { additionalProperties: false },
  ),
  'conversations/setMuted': Type.Object(
    { conversation_id: Id, muted: Type.Boolean() },
    { additionalProperties: false },
  ),
  'conversations/setPinned': Type.Object(
    { conversation_id: Id, pinned: Type.Boolean() },
    { additionalProperties: false },
  ),
  'messages/history': Type.Object(
    {
      conversation_id: Id,
      before: Type.Optional(Id),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: Limits.historyMaxPageSize })),
    },
    { additionalProperties: false },
  ),
  'messages/search': SearchMessagesQuery,
  // Blank text is the server's to refuse (it allows it with attachments).
  'messages/send': Type.Object(
    {
      conversation_id: Id,
      text: Type.String({ maxLength: Limits.maxMessageChars }),
      reply_to_id: Type.Optional(Id),
      attachment_ids: Type.Optional(AttachmentIds),
    },
    { additionalProperties: false },
  ),
  'messages/retry': Type.Object(
    { client_id: Type.String({ minLength: 1, maxLength: 64 }) },
    { additionalProperties: false },
  ),
  'messages/edit': Type.Object(
    { message_id: Id, text: MessageText },
    { additionalProperties: false },
  ),
  'messages/delete': Type.Object({ message_id: Id }, { additionalProperties: false }),
  // The emoji's shape (one emoji) is the server's to check, with one message for every client.
  'messages/react': Type.Object(
    {
      conversation_id: Id,
      message_id: Id,
      emoji: Type.Union([
        Type.String({ minLength: 1, maxLength: Limits.reactionEmojiMaxChars }),
        Type.Null(),
      ]),
    },
    { additionalProperties: false },
  ),
  'messages/markRead': Type.Object(
    { conversation_id: Id, up_to_message_id: Id },
    { additionalProperties: false },
  ),
  'outbox/list': NoPayload,
  'attachments/upload': Type.Object(
    {
      conversation_id: Id,
      name: FileName,
      // A File's type is '' when the browser does not know it.
      mime: Type.String({ maxLength: 255 }),
      data: FileBytes,
    },
    { additionalProperties: false },
  ),
  'attachments/read': Type.Object(
    { conversation_id: Id, attachment_id: Id },
    { additionalProperties: false },
  ),
  'attachments/save': Type.Object(
    { conversation_id: Id, attachment_id: Id, name: FileName },
    { additionalProperties: false },
  ),
  'drafts/list': NoPayload,
  // Empty is allowed: it deletes the draft. The bound is a message's, since a draft becomes one.
  'drafts/set': Type.Object(
    { conversation_id: Id, text: Type.String({ maxLength: Limits.maxMessageChars }) },
    { additionalProperties: false },
  ),
  'typing/set': Type.Object(
    { conversation_id: Id, is_typing: Type.Boolean() },
    { additionalProperties: false },
  ),
  'branding/get': NoPayload,
  'branding/set': Type.Object(
    { timezone: Type.String({ minLength: 1, maxLength: 64 }) },
    { additionalProperties: false },
  ),
  'admin/createInvite': NoPayload,
  'accounts/list': NoPayload,
  'accounts/connectEmail': Type.Object(
    {
      display_name: Type.String({ minLength: 1, maxLength: 128 }),
      email_address: EmailAddress,
      smtp: MailServerBody,
      imap: MailServerBody,
    },
    { additionalProperties: false },
  ),
  'accounts/disconnect': Type.Object({ account_id: Id }, { additionalProperties: false }),
  'accounts/sync': Type.Object({ account_id: Id }, { additionalProperties: false }),
  'settings/get': NoPayload,
  'settings/set': Type.Object({}),
  'window/openSettings': NoPayload,
}

export function isInvokeChannel(value: unknown): value is InvokeChannel {
  return typeof value === 'string' && (INVOKE_CHANNELS as readonly string[]).includes(value)
}

/** Throws invalid_request (naming the first wrong field) unless `request` fits `channel`. */
export function assertValidRequest(channel: InvokeChannel, request: unknown): void {
  const schema = REQUEST_SCHEMAS[channel]
  if (Value.Check(schema, request)) return
  const first = [...Value.Errors(schema, request)][0]
  const where = first?.instancePath || '/'
  throw new CoreError(
    CoreErrorCode.InvalidRequest,
    `Invalid ${channel} request at ${where}: ${first?.message ?? 'unexpected value'}`,
  )
}
