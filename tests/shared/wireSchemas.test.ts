import { describe, expect, expectTypeOf, it } from 'vitest'
import type { Static } from 'typebox'
import { Value } from 'typebox/value'
import type { ApiError, ApiSuccess } from '../../src/shared/api'
import type * as Models from '../../src/shared/models'
import type { AuthStatus } from '../../src/main/core/restClient'
import * as Wire from '../../src/shared/wireSchemas'

/**
 * Each response schema is its interface of models.ts, field for field. These are checked by `tsc`
 * (npm run typecheck), not when vitest runs: a field added to an interface and not to its schema,
 * or with another type, makes `toEqualTypeOf` fail to compile.
 */
describe('wire schemas match the interfaces of models.ts', () => {
  it('has a schema equal to each record', () => {
    expectTypeOf<Static<typeof Wire.Role>>().toEqualTypeOf<Models.Role>()
    expectTypeOf<Static<typeof Wire.Platform>>().toEqualTypeOf<Models.Platform>()
    expectTypeOf<Static<typeof Wire.ExternalPlatform>>().toEqualTypeOf<Models.ExternalPlatform>()
    expectTypeOf<Static<typeof Wire.HandleKind>>().toEqualTypeOf<Models.HandleKind>()
    expectTypeOf<Static<typeof Wire.AccountState>>().toEqualTypeOf<Models.AccountState>()
    expectTypeOf<Static<typeof Wire.EmailState>>().toEqualTypeOf<Models.EmailState>()
    expectTypeOf<Static<typeof Wire.User>>().toEqualTypeOf<Models.User>()
    expectTypeOf<Static<typeof Wire.Person>>().toEqualTypeOf<Models.Person>()
    expectTypeOf<Static<typeof Wire.AuthResult>>().toEqualTypeOf<Models.AuthResult>()
    expectTypeOf<Static<typeof Wire.SessionsRevoked>>().toEqualTypeOf<Models.SessionsRevoked>()
    expectTypeOf<Static<typeof Wire.PasswordChanged>>().toEqualTypeOf<Models.PasswordChanged>()
    expectTypeOf<Static<typeof Wire.Member>>().toEqualTypeOf<Models.Member>()
    expectTypeOf<Static<typeof Wire.Attachment>>().toEqualTypeOf<Models.Attachment>()
    expectTypeOf<Static<typeof Wire.Reaction>>().toEqualTypeOf<Models.Reaction>()
    expectTypeOf<Static<typeof Wire.ReplyPreview>>().toEqualTypeOf<Models.ReplyPreview>()
    expectTypeOf<Static<typeof Wire.ExternalSender>>().toEqualTypeOf<Models.ExternalSender>()
    expectTypeOf<Static<typeof Wire.Message>>().toEqualTypeOf<Models.Message>()
    expectTypeOf<Static<typeof Wire.Conversation>>().toEqualTypeOf<Models.Conversation>()
    expectTypeOf<Static<typeof Wire.MessagePage>>().toEqualTypeOf<Models.MessagePage>()
    expectTypeOf<Static<typeof Wire.SnippetPart>>().toEqualTypeOf<Models.SnippetPart>()
    expectTypeOf<
      Static<typeof Wire.MessageSearchResult>
    >().toEqualTypeOf<Models.MessageSearchResult>()
    expectTypeOf<Static<typeof Wire.MessageSearchPage>>().toEqualTypeOf<Models.MessageSearchPage>()
    expectTypeOf<Static<typeof Wire.Branding>>().toEqualTypeOf<Models.Branding>()
    expectTypeOf<Static<typeof Wire.EventsInfo>>().toEqualTypeOf<Models.EventsInfo>()
    expectTypeOf<Static<typeof Wire.ContactHandle>>().toEqualTypeOf<Models.ContactHandle>()
    expectTypeOf<Static<typeof Wire.Contact>>().toEqualTypeOf<Models.Contact>()
    expectTypeOf<
      Static<typeof Wire.MailServerSettings>
    >().toEqualTypeOf<Models.MailServerSettings>()
    expectTypeOf<Static<typeof Wire.PlatformAccount>>().toEqualTypeOf<Models.PlatformAccount>()
    expectTypeOf<
      Static<typeof Wire.CreatedPlatformAccount>
    >().toEqualTypeOf<Models.CreatedPlatformAccount>()
    expectTypeOf<
      Static<typeof Wire.ExternalMessageRecord>
    >().toEqualTypeOf<Models.ExternalMessageRecord>()
    expectTypeOf<Static<typeof Wire.BridgeOutboxItem>>().toEqualTypeOf<Models.BridgeOutboxItem>()
    expectTypeOf<Static<typeof Wire.LinkPreview>>().toEqualTypeOf<Models.LinkPreview>()
    expectTypeOf<Static<typeof Wire.ThreadSummary>>().toEqualTypeOf<Models.ThreadSummary>()
    expectTypeOf<Static<typeof Wire.ThreadPage>>().toEqualTypeOf<Models.ThreadPage>()
    expectTypeOf<Static<typeof Wire.FollowedThread>>().toEqualTypeOf<Models.FollowedThread>()
    expectTypeOf<
      Static<typeof Wire.FollowedThreadList>
    >().toEqualTypeOf<Models.FollowedThreadList>()
    expectTypeOf<Static<typeof Wire.ThreadFollow>>().toEqualTypeOf<Models.ThreadFollow>()
    expectTypeOf<Static<typeof Wire.UserRef>>().toEqualTypeOf<Models.UserRef>()
    expectTypeOf<Static<typeof Wire.AdminUser>>().toEqualTypeOf<Models.AdminUser>()
    expectTypeOf<Static<typeof Wire.InviteState>>().toEqualTypeOf<Models.InviteState>()
    expectTypeOf<Static<typeof Wire.Invite>>().toEqualTypeOf<Models.Invite>()
    expectTypeOf<Static<typeof Wire.CreatedInvite>>().toEqualTypeOf<Models.CreatedInvite>()
    expectTypeOf<
      Static<typeof Wire.PasswordResetIssued>
    >().toEqualTypeOf<Models.PasswordResetIssued>()
    expectTypeOf<Static<typeof Wire.AuditEntry>>().toEqualTypeOf<Models.AuditEntry>()
    expectTypeOf<Static<typeof Wire.AuditPage>>().toEqualTypeOf<Models.AuditPage>()
    expectTypeOf<Static<typeof Wire.RetentionPolicy>>().toEqualTypeOf<Models.RetentionPolicy>()
  })

  it('has the answers not in models.ts that the desktop client reads', () => {
    expectTypeOf<Static<typeof Wire.AuthStatus>>().toEqualTypeOf<AuthStatus>()
  })

  it('has the envelopes of api.ts', () => {
    expectTypeOf<Static<typeof Wire.ErrorEnvelope>>().toEqualTypeOf<ApiError>()
    const userEnvelope = Wire.Success(Wire.User)
    expectTypeOf<Static<typeof userEnvelope>>().toEqualTypeOf<ApiSuccess<Models.User>>()
    const user: Models.User = { id: 1, username: 'alice', display_name: 'Alice', role: 'member' }
    expect(Value.Check(userEnvelope, { status: 'success', data: user })).toBe(true)
    expect(Value.Check(userEnvelope, { status: 'error', data: user })).toBe(false)
  })
})

describe('wire schemas at run time', () => {
  const message: Models.Message = {
    id: 7,
    conversation_id: 3,
    sender_id: 1,
    sender_name: 'Alice',
    client_id: 'c-1',
    text: 'hello',
    created_at: '2026-01-02T03:04:05.000Z',
    edited_at: null,
    deleted_at: null,
    reply_to: null,
  }

  it('accepts a record, null where its interface allows null, and fields it does not know', () => {
    expect(Value.Check(Wire.Message, message)).toBe(true)
    expect(Value.Check(Wire.Message, { ...message, added_by_a_newer_server: 1 })).toBe(true)
    const conversation: Models.Conversation = {
      id: 3,
      title: null,
      kind: 'direct',
      platform: 'tidings',
      created_by: 1,
      created_at: message.created_at,
      updated_at: message.created_at,
      members: [],
      last_message: message,
      unread_count: 0,
    }
    expect(Value.Check(Wire.Conversation, conversation)).toBe(true)
    expect(Value.Check(Wire.Conversation, { ...conversation, last_message: null })).toBe(true)
  })

  it('refuses a record that misses a field or has one of the wrong type', () => {
    const { reply_to: _omitted, ...withoutReplyTo } = message
    expect(Value.Check(Wire.Message, withoutReplyTo)).toBe(false)
    expect(Value.Check(Wire.Message, { ...message, edited_at: 5 })).toBe(false)
    expect(Value.Check(Wire.Conversation, { kind: 'channel' })).toBe(false)
  })
})
