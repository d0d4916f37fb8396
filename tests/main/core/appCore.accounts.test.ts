import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { ConnectEmailRequest } from '../../../src/shared/ipc'
import type { AnyTidingsEvent } from '../../../src/shared/events'
import type { PlatformAccount } from '../../../src/shared/models'
import { CoreFixture, ServerFixture, removeDir, tempDir } from './support/coreFixture'
import { closedPort, startDovecot, type DovecotHarness } from '../../support/mailServers'

/**
 * Connected platform accounts through the core: the accounts/* channels against the real server,
 * which really tries the IMAP server it is given, and the accounts/changed pushes that keep the
 * settings window live.
 */

const SMTP_PASSWORD = 'smtp-secret-never-shown'
const IMAP_PASSWORD = 'imap-secret-never-shown'

function emailRequest(imapPort: number, smtpPort: number, imapUser = 'alice') {
  return {
    display_name: 'Alice at work',
    email_address: 'alice@example.test',
    smtp: {
      host: '127.0.0.1',
      port: smtpPort,
      secure: false,
      username: 'alice',
      password: SMTP_PASSWORD,
    },
    imap: {
      host: '127.0.0.1',
      port: imapPort,
      secure: false,
      username: imapUser,
      password: IMAP_PASSWORD,
    },
  } satisfies ConnectEmailRequest
}

/** A real server and a core signed in to it as the first account, connected. */
async function signedInCore(): Promise<{
  server: ServerFixture
  userDataDir: string
  app: CoreFixture
}> {
  const server = new ServerFixture()
  await server.start()
  const userDataDir = tempDir('tidings-user-')
  const app = new CoreFixture(userDataDir, server.url)
  await app.core.start()
  await app.core.handle('session/register', {
    username: 'alice',
    password: 'correct horse battery',
  })
  await app.waitForStatus('connected')
  return { server, userDataDir, app }
}

describe('app core: connected accounts (real server)', () => {
  let server: ServerFixture
  let userDataDir: string
  let app: CoreFixture

  beforeEach(async () => {
    ;({ server, userDataDir, app } = await signedInCore())
  })

  afterEach(async () => {
    await app.core.stop()
    await server.dispose()
    removeDir(userDataDir)
  })

  function accountPushes(): PlatformAccount[] {
    return app.outputs.payloads('accounts/changed')
  }

  function waitForAccountPush(
    match: (account: PlatformAccount) => boolean,
    description: string,
  ): Promise<PlatformAccount> {
    return app.outputs
      .waitFor(() => accountPushes().some(match), description)
      .then(() => accountPushes().find(match)!)
  }

  it('connects an account whose mail servers are unreachable: error state, pushed live', async () => {
    expect(await app.core.handle('accounts/list', undefined)).toEqual([])
    const port = await closedPort()

    const created = await app.core.handle('accounts/connectEmail', emailRequest(port, port))
    expect(created).toMatchObject({
      platform: 'email',
      display_name: 'Alice at work',
      address: 'alice@example.test',
      imap: { host: '127.0.0.1', port, secure: false, username: 'alice' },
      smtp: { host: '127.0.0.1', port, secure: false, username: 'alice' },
    })
    // Neither the passwords nor the bridge secret ever reach a window.
    const wire = JSON.stringify(created)
    expect(wire).not.toContain(SMTP_PASSWORD)
    expect(wire).not.toContain(IMAP_PASSWORD)
    expect(created).not.toHaveProperty('bridge_secret')

    const failed = await waitForAccountPush(
      (a) => a.id === created.id && a.state === 'error',
      'accounts/changed with the error state',
    )
    expect(failed.state_reason).toEqual(expect.any(String))
    expect(failed.state_reason!.length).toBeGreaterThan(0)
    expect(JSON.stringify(accountPushes())).not.toContain(IMAP_PASSWORD)

    const listed = await app.core.handle('accounts/list', undefined)
    expect(listed).toHaveLength(1)
    expect(listed[0]).toMatchObject({ id: created.id, state: 'error' })
    expect(listed[0]!.state_reason).toEqual(expect.any(String))

    // The stream event went to the renderers too, and the user is told natively.
    expect(
      app
        .events()
        .some((e) => e.type === 'account_disconnected' && e.data.account_id === created.id),
    ).toBe(true)
    await app.outputs.waitFor(
      () => app.outputs.notifications.some((n) => n.title === 'Account disconnected'),
      'the account-disconnected notification',
    )
    expect(app.outputs.notifications.find((n) => n.title === 'Account disconnected')).toMatchObject(
      { body: expect.stringContaining('Alice at work was disconnected') },
    )

    // "Retry now": the server tries once more and answers the account as it stands.
    const retried = await app.core.handle('accounts/sync', { account_id: created.id })
    expect(retried).toMatchObject({ id: created.id, state: 'error' })

    const pushesBefore = accountPushes().length
    await expect(
      app.core.handle('accounts/disconnect', { account_id: created.id }),
    ).resolves.toBeUndefined()
    const removed = await app.outputs
      .waitFor(
        () =>
          accountPushes()
            .slice(pushesBefore)
            .some((a) => a.id === created.id && a.state === 'disconnected'),
        'accounts/changed with the disconnected state',
      )
      .then(() => accountPushes().at(-1)!)
    expect(removed.id).toBe(created.id)
    expect(await app.core.handle('accounts/list', undefined)).toEqual([])
    await app.outputs.waitFor(
      () =>
        app
          .events()
          .some(
            (e) =>
              e.type === 'account_disconnected' &&
              e.data.account_id === created.id &&
              e.data.state === 'disconnected',
          ),
      'the removal event',
    )
  })

  it('checks requests before they reach the server, and maps server refusals', async () => {
    const port = await closedPort()
    const request = emailRequest(port, port)
    await expect(
      app.core.handle('accounts/connectEmail', { ...request, email_address: 'not an address' }),
    ).rejects.toMatchObject({ code: 'invalid_request' })
    await expect(
      app.core.handle('accounts/connectEmail', {
        ...request,
        imap: { ...request.imap, port: 0 },
      }),
    ).rejects.toMatchObject({ code: 'invalid_request' })
    const { imap: _imap, ...withoutImap } = request
    await expect(
      app.core.handle('accounts/connectEmail', withoutImap as ConnectEmailRequest),
    ).rejects.toMatchObject({ code: 'invalid_request' })
    await expect(app.core.handle('accounts/disconnect', { account_id: -1 })).rejects.toMatchObject({
      code: 'invalid_request',
    })
    expect(await app.core.handle('accounts/list', undefined)).toEqual([])

    // Someone else's or a missing account: the server's 404 comes back with its code.
    await expect(app.core.handle('accounts/disconnect', { account_id: 999 })).rejects.toMatchObject(
      { status: 404 },
    )
    await expect(app.core.handle('accounts/sync', { account_id: 999 })).rejects.toMatchObject({
      status: 404,
    })
  })

  it('refuses account calls while signed out', async () => {
    await app.core.handle('session/logout', undefined)
    await expect(app.core.handle('accounts/list', undefined)).rejects.toMatchObject({
      code: 'not_signed_in',
    })
  })
})

describe('app core: an email account on a real IMAP server', () => {
  // One mailbox per test: a new server reads its INBOX from the start.
  const MAILBOXES = ['alice', 'alice.quiet']
  let dovecot: DovecotHarness
  let server: ServerFixture
  let userDataDir: string
  let app: CoreFixture

  beforeAll(async () => {
    dovecot = await startDovecot(Object.fromEntries(MAILBOXES.map((u) => [u, IMAP_PASSWORD])))
  })

  afterAll(async () => {
    await dovecot.close()
  })

  beforeEach(async () => {
    ;({ server, userDataDir, app } = await signedInCore())
  })

  afterEach(async () => {
    await app.core.stop()
    await server.dispose()
    removeDir(userDataDir)
  })

  function emailReceived(): Extract<AnyTidingsEvent, { type: 'email_received' }>[] {
    return app
      .events()
      .filter(
        (e): e is Extract<AnyTidingsEvent, { type: 'email_received' }> =>
          e.type === 'email_received',
      )
  }

  /** Connects the mailbox through the core and waits until the settings window sees it connected. */
  async function connectEmail(imapUser: string) {
    const created = await app.core.handle(
      'accounts/connectEmail',
      emailRequest(dovecot.port, await closedPort(), imapUser),
    )
    await app.outputs.waitFor(
      () =>
        app.outputs
          .payloads('accounts/changed')
          .some((a) => a.id === created.id && a.state === 'connected'),
      'accounts/changed with the connected state',
    )
    return created
  }

  it('shows the account connected, and raises one native notification per new email', async () => {
    const IMAP_USER = MAILBOXES[0]!
    const created = await connectEmail(IMAP_USER)
    expect((await app.core.handle('accounts/list', undefined))[0]).toMatchObject({
      id: created.id,
      state: 'connected',
      state_reason: null,
    })

    await dovecot.append(
      IMAP_USER,
      IMAP_PASSWORD,
      [
        'From: Carol Chen <carol@example.test>',
        'To: Alice <alice@example.test>',
        'Subject: Quarterly report',
        `Message-ID: <report-${Date.now()}@example.test>`,
        'Date: Sat, 28 Nov 2026 06:00:00 +0000',
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'The numbers are in.',
        '',
      ].join('\r\n'),
    )
    await app.outputs.waitFor(() => emailReceived().length === 1, 'email_received', 20_000)
    const mail = emailReceived()[0]!.data
    const tag = `conversation:${mail.conversation_id}`
    await app.outputs.waitFor(
      () => app.outputs.notifications.some((n) => n.tag === tag),
      'the email notification',
    )
    // The mail arrives as email_received and message_received: one notification, in its words.
    const shown = app.outputs.notifications.filter((n) => n.tag === tag)
    expect(shown).toHaveLength(1)
    expect(shown[0]).toMatchObject({
      title: 'Carol Chen',
      body: expect.stringMatching(/ · Quarterly report$/),
      conversation_id: mail.conversation_id,
    })
    expect(app.outputs.unreadCounts.at(-1)).toBe(1)

    // The conversation is an email one, and its message names the outside sender.
    const conversations = await app.core.handle('conversations/list', undefined)
    expect(conversations.find((c) => c.id === mail.conversation_id)).toMatchObject({
      platform: 'email',
      title: 'Quarterly report',
    })
    const page = await app.core.handle('messages/history', {
      conversation_id: mail.conversation_id,
    })
    expect(page.messages.at(-1)).toMatchObject({
      sender_name: 'Carol Chen',
      external_sender: { handle: 'carol@example.test', name: 'Carol Chen' },
    })

    const synced = await app.core.handle('accounts/sync', { account_id: created.id })
    expect(synced).toMatchObject({ id: created.id, state: 'connected' })
    expect(synced.last_sync_at).toEqual(expect.any(String))
  })

  it('stays quiet about a new email in the conversation the user is reading', async () => {
    const IMAP_USER = MAILBOXES[1]!
    await connectEmail(IMAP_USER)
    const raw = (id: string, subject: string) =>
      [
        'From: Dan <dan@example.test>',
        'To: Alice <alice@example.test>',
        `Subject: ${subject}`,
        `Message-ID: <${id}@example.test>`,
        'Date: Sat, 28 Nov 2026 06:00:00 +0000',
        '',
        'Hello',
        '',
      ].join('\r\n')
    const stamp = Date.now()
    await dovecot.append(IMAP_USER, IMAP_PASSWORD, raw(`first-${stamp}`, `Lunch ${stamp}`))
    await app.outputs.waitFor(() => emailReceived().length === 1, 'first email', 20_000)
    const conversationId = emailReceived()[0]!.data.conversation_id
    await app.outputs.waitFor(
      () => app.outputs.notifications.some((n) => n.conversation_id === conversationId),
      'first notification',
    )

    app.windowFocused = true
    await app.core.handle('conversations/focus', { conversation_id: conversationId })
    const before = app.outputs.notifications.length
    await dovecot.append(IMAP_USER, IMAP_PASSWORD, raw(`second-${stamp}`, `Re: Lunch ${stamp}`))
    await app.outputs.waitFor(() => emailReceived().length === 2, 'second email', 20_000)
    expect(emailReceived()[1]!.data.conversation_id).toBe(conversationId)
    // A later, unrelated email still notifies: proof the quiet one was suppressed, not slow.
    app.windowFocused = false
    await app.core.handle('conversations/focus', { conversation_id: null })
    await dovecot.append(IMAP_USER, IMAP_PASSWORD, raw(`third-${stamp}`, `Other ${stamp}`))
    await app.outputs.waitFor(() => emailReceived().length === 3, 'third email', 20_000)
    const third = emailReceived()[2]!.data.conversation_id
    await app.outputs.waitFor(
      () => app.outputs.notifications.slice(before).some((n) => n.conversation_id === third),
      'third notification',
    )
    expect(
      app.outputs.notifications.slice(before).filter((n) => n.conversation_id === conversationId),
    ).toEqual([])
  })
})
