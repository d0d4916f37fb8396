import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type {
  Conversation,
  CreatedPlatformAccount,
  ExternalMessageRecord,
  Message,
  MessagePage,
  PlatformAccount,
} from '../../src/shared/models'
import {
  EventStream,
  closedPort,
  eventually,
  header,
  startDovecot,
  startSmtp,
  startTidings,
  type DovecotHarness,
  type Session,
  type SmtpHarness,
  type TidingsHarness,
} from './harness'

/**
 * Email end to end against real servers on loopback: smtp-server receives what Tidings sends, a
 * private Dovecot (scripts/dovecot/start.sh) serves the mailbox Tidings reads over IMAP.
 */

const IMAP_USERS = { ann: 'ann-imap-secret', dan: 'dan-imap-secret' }
const SMTP_USERS = { 'ann-smtp': 'ann-smtp-secret' }

function mail(fields: {
  from?: string
  to?: string
  subject?: string
  messageId?: string
  inReplyTo?: string
  references?: string
  body: string
}): string {
  const lines = [
    fields.from !== undefined ? `From: ${fields.from}` : null,
    `To: ${fields.to ?? 'Ann <ann@example.test>'}`,
    fields.subject !== undefined ? `Subject: ${fields.subject}` : null,
    fields.messageId !== undefined ? `Message-ID: ${fields.messageId}` : null,
    fields.inReplyTo !== undefined ? `In-Reply-To: ${fields.inReplyTo}` : null,
    fields.references !== undefined ? `References: ${fields.references}` : null,
    'Date: Sat, 28 Nov 2026 06:00:00 +0000',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
  ].filter((line): line is string => line !== null)
  return `${lines.join('\r\n')}\r\n\r\n${fields.body.replace(/\n/g, '\r\n')}\r\n`
}

describe('email accounts against real SMTP and IMAP servers', () => {
  let tidings: TidingsHarness
  let dovecot: DovecotHarness
  let smtp: SmtpHarness
  let ann: Session
  let stream: EventStream
  let account: CreatedPlatformAccount

  const server = (port: number, username: string, password: string) => ({
    host: '127.0.0.1',
    port,
    secure: false,
    username,
    password,
  })

  beforeAll(async () => {
    dovecot = await startDovecot(IMAP_USERS)
    smtp = await startSmtp(SMTP_USERS)
    tidings = await startTidings()
    ann = await tidings.register('ann')
    stream = await EventStream.open(tidings.server, ann.token)
    const created = await ann.request<CreatedPlatformAccount>('POST', '/accounts', {
      platform: 'email',
      display_name: 'Ann Archer',
      email_address: 'ann@example.test',
      smtp: server(smtp.port, 'ann-smtp', SMTP_USERS['ann-smtp']),
      imap: server(dovecot.port, 'ann', IMAP_USERS.ann),
    })
    expect(created.status).toBe(201)
    account = created.data
    await stream.next('account_connected', (e) => e.data.account_id === account.id)
  })

  afterAll(async () => {
    stream?.close()
    await tidings?.close()
    await smtp?.close()
    await dovecot?.close()
  })

  const records = async (query = '') =>
    (await ann.request<ExternalMessageRecord[]>('GET', `/accounts/${account.id}/messages${query}`))
      .data

  let threadId: number
  let firstSentId: string

  it('sends a message of an email conversation over SMTP and reports email_sent', async () => {
    const started = await ann.request<Conversation>(
      'POST',
      `/accounts/${account.id}/conversations`,
      { to: ['carol@example.test'], subject: 'Quarterly report' },
    )
    expect(started.status).toBe(201)
    expect(started.data).toMatchObject({ platform: 'email', title: 'Quarterly report' })
    threadId = started.data.id

    const sent = await ann.request<Message>('POST', `/conversations/${threadId}/messages`, {
      text: 'Hi Carol,\nthe numbers are in.',
      client_id: 'mail-1',
    })
    expect(sent.status).toBe(201)
    const event = await stream.next('email_sent', (e) => e.data.message_id === sent.data.id)
    expect(event.data).toMatchObject({
      account_id: account.id,
      conversation_id: threadId,
      state: 'sent',
      reason: null,
      email: { direction: 'out', state: 'sent', attempts: 1, to: ['carol@example.test'] },
    })
    expect(smtp.mails).toHaveLength(1)
    const received = smtp.mails[0]!
    expect(received.user).toBe('ann-smtp')
    expect(received.from).toBe('ann@example.test')
    expect(received.to).toEqual(['carol@example.test'])
    expect(header(received.raw, 'Subject')).toBe('Quarterly report')
    expect(header(received.raw, 'From')).toBe('Ann Archer <ann@example.test>')
    expect(header(received.raw, 'Message-ID')).toBe(event.data.email.external_id)
    expect(received.raw).toContain('the numbers are in.')
    firstSentId = event.data.email.external_id
  })

  it('imports a reply from IMAP into the same conversation (In-Reply-To) with email_received', async () => {
    await dovecot.append(
      'ann',
      IMAP_USERS.ann,
      mail({
        from: 'Carol Chen <carol@example.test>',
        subject: 'Re: Quarterly report',
        messageId: '<reply-1@example.test>',
        inReplyTo: firstSentId,
        references: firstSentId,
        body: 'Thanks Ann, looks good.',
      }),
    )
    // Announced by IDLE: no explicit sync.
    const event = await stream.next(
      'email_received',
      (e) => e.data.subject === 'Re: Quarterly report',
    )
    expect(event.data).toMatchObject({
      account_id: account.id,
      conversation_id: threadId,
      from: 'carol@example.test',
      from_name: 'Carol Chen',
      state: 'received',
      email: { external_id: '<reply-1@example.test>', direction: 'in' },
    })
    const message = await stream.next(
      'message_received',
      (e) => e.data.message.id === event.data.message_id,
    )
    expect(message.data).toMatchObject({
      conversation_id: threadId,
      sender_name: 'Carol Chen',
      message: {
        text: 'Thanks Ann, looks good.',
        external_sender: { handle: 'carol@example.test', name: 'Carol Chen' },
      },
    })
    const history = await ann.request<MessagePage>('GET', `/conversations/${threadId}/messages`)
    expect(history.data.messages.map((m) => m.sender_name)).toEqual(['ann', 'Carol Chen'])
    const conversation = await ann.request<Conversation>('GET', `/conversations/${threadId}`)
    expect(conversation.data.unread_count).toBe(1)
    // The seed-era fields: the mail's sender, and the thread's title as the receiver.
    expect(message.data).toMatchObject({
      message_id: event.data.message_id,
      sender_name: 'Carol Chen',
      receiver_name: conversation.data.title ?? 'ann',
      message_text: 'Thanks Ann, looks good.',
      platform: 'email',
    })
  })

  it('threads by References and by subject, and starts a new conversation otherwise', async () => {
    // Only References (a client that drops In-Reply-To) points into the thread.
    await dovecot.append(
      'ann',
      IMAP_USERS.ann,
      mail({
        from: 'Dave <dave@example.test>',
        subject: 'Numbers (was: Quarterly report)',
        messageId: '<refs-1@example.test>',
        references: `${firstSentId} <reply-1@example.test>`,
        body: 'Adding Dave.',
      }),
    )
    const byRefs = await stream.next('email_received', (e) => e.data.from === 'dave@example.test')
    expect(byRefs.data.conversation_id).toBe(threadId)

    // A new subject with no references: a conversation of its own.
    await dovecot.append(
      'ann',
      IMAP_USERS.ann,
      mail({
        from: 'Erin <erin@example.test>',
        subject: 'Lunch on Friday?',
        messageId: '<lunch-1@example.test>',
        body: 'Pizza?',
      }),
    )
    const lunch = await stream.next('email_received', (e) => e.data.subject === 'Lunch on Friday?')
    expect(lunch.data.conversation_id).not.toBe(threadId)
    const created = await stream.next(
      'conversation_created',
      (e) => e.data.conversation.id === lunch.data.conversation_id,
    )
    expect(created.data.conversation).toMatchObject({
      platform: 'email',
      title: 'Lunch on Friday?',
    })

    // No headers at all, but the same subject behind a reply prefix: threaded by subject.
    await dovecot.append(
      'ann',
      IMAP_USERS.ann,
      mail({
        from: 'Erin <erin@example.test>',
        subject: 'RE: lunch on friday?',
        messageId: '<lunch-2@example.test>',
        body: 'Or sushi.',
      }),
    )
    const bySubject = await stream.next(
      'email_received',
      (e) => e.data.email.external_id === '<lunch-2@example.test>',
    )
    expect(bySubject.data.conversation_id).toBe(lunch.data.conversation_id)

    // Replying in the first thread answers the newest mail and names the whole chain.
    const reply = await ann.request<Message>('POST', `/conversations/${threadId}/messages`, {
      text: 'Welcome, Dave.',
      client_id: 'mail-2',
    })
    const sent = await stream.next('email_sent', (e) => e.data.message_id === reply.data.id)
    expect(sent.data.state).toBe('sent')
    const raw = smtp.mails.at(-1)!.raw
    expect(header(raw, 'Subject')).toBe('Re: Numbers (was: Quarterly report)')
    expect(header(raw, 'In-Reply-To')).toBe('<refs-1@example.test>')
    expect(header(raw, 'References')).toBe(
      `${firstSentId} <reply-1@example.test> <refs-1@example.test>`,
    )
    expect([...smtp.mails.at(-1)!.to].sort()).toEqual(['carol@example.test', 'dave@example.test'])
  })

  it('never imports a mail twice: not when fetched again, not when the mailbox is re-read', async () => {
    const before = (await records('?direction=in')).length
    const messagesBefore = stream.of('message_received').length
    // The same Message-ID delivered a second time.
    await dovecot.append(
      'ann',
      IMAP_USERS.ann,
      mail({
        from: 'Erin <erin@example.test>',
        subject: 'Lunch on Friday?',
        messageId: '<lunch-1@example.test>',
        body: 'Pizza?',
      }),
    )
    // A marker after it, so we know the duplicate has been looked at.
    await dovecot.append(
      'ann',
      IMAP_USERS.ann,
      mail({
        from: 'Erin <erin@example.test>',
        subject: 'Marker one',
        messageId: '<marker-1@example.test>',
        body: 'marker',
      }),
    )
    await stream.next('email_received', (e) => e.data.subject === 'Marker one')
    expect((await records('?direction=in')).length).toBe(before + 1)

    // Changing the IMAP settings starts reading the mailbox from the beginning again.
    const patched = await ann.request<PlatformAccount>('PATCH', `/accounts/${account.id}`, {
      imap: server(dovecot.port, 'ann', IMAP_USERS.ann),
    })
    expect(patched.status).toBe(200)
    await eventually(
      () =>
        stream.of('account_connected').filter((e) => e.data.account_id === account.id).length >= 2,
      'the account to reconnect',
    )
    const synced = await ann.request<PlatformAccount>('POST', `/accounts/${account.id}/sync`)
    expect(synced.data.state).toBe('connected')
    expect((await records('?direction=in')).length).toBe(before + 1)
    expect(stream.of('message_received').length).toBe(messagesBefore + 1)
  })

  it('imports a malformed mail with a clear state, keeps it, and carries on', async () => {
    await dovecot.append('ann', IMAP_USERS.ann, 'this is not really an email\r\nat all\r\n')
    await dovecot.append(
      'ann',
      IMAP_USERS.ann,
      mail({
        from: 'Frank <frank@example.test>',
        subject: 'After the broken one',
        messageId: '<after-broken@example.test>',
        body: 'Still here.',
      }),
    )
    const broken = await stream.next('email_received', (e) => e.data.state === 'malformed')
    expect(broken.data.email.reason).toMatch(/malformed/)
    expect(broken.data.email.reason).toMatch(/Message-ID/)
    expect(broken.data.email.reason).toMatch(/From/)
    const brokenMessage = await ann.request<MessagePage>(
      'GET',
      `/conversations/${broken.data.conversation_id}/messages`,
    )
    expect(brokenMessage.data.messages.at(-1)!.text).toContain('this is not really an email')
    await stream.next('email_received', (e) => e.data.subject === 'After the broken one')
    const malformed = await records('?state=malformed')
    expect(malformed).toHaveLength(1)
    expect(malformed[0]!.message_id).toBe(broken.data.message_id)
    // A second pass does not import it again.
    await ann.request('POST', `/accounts/${account.id}/sync`)
    expect(await records('?state=malformed')).toHaveLength(1)
    expect((await fetch(`${tidings.server.url}/healthz`)).status).toBe(200)
  })

  it('decodes MIME: picks the text part of multipart mail, decodes charsets and encodings, renders HTML-only mail', async () => {
    const multipart = [
      'From: =?utf-8?Q?J=C3=BCrgen_M=C3=BCller?= <juergen@example.test>',
      'To: ann@example.test',
      'Subject: =?iso-8859-1?Q?Gr=FC=DFe?=',
      'Message-ID: <mime-1@example.test>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/alternative; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset=iso-8859-1',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'Viele Gr=FC=DFe aus K=F6ln',
      '--b1',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<p>HTML version</p>',
      '--b1--',
      '',
    ].join('\r\n')
    await dovecot.append('ann', IMAP_USERS.ann, multipart)
    const decoded = await stream.next(
      'email_received',
      (e) => e.data.email.external_id === '<mime-1@example.test>',
    )
    expect(decoded.data).toMatchObject({
      subject: 'Grüße',
      from_name: 'Jürgen Müller',
      state: 'received',
    })
    const text = await stream.next(
      'message_received',
      (e) => e.data.message.id === decoded.data.message_id,
    )
    expect(text.data.message.text).toBe('Viele Grüße aus Köln')

    const htmlOnly = [
      'From: Web Shop <shop@example.test>',
      'To: ann@example.test',
      'Subject: Your order',
      'Message-ID: <html-1@example.test>',
      'MIME-Version: 1.0',
      'Content-Type: text/html; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from(
        '<html><body><p>Order <b>#42</b> &amp; more</p><p>Thanks</p></body></html>',
      ).toString('base64'),
      '',
    ].join('\r\n')
    await dovecot.append('ann', IMAP_USERS.ann, htmlOnly)
    const html = await stream.next(
      'email_received',
      (e) => e.data.email.external_id === '<html-1@example.test>',
    )
    const htmlText = await stream.next(
      'message_received',
      (e) => e.data.message.id === html.data.message_id,
    )
    expect(htmlText.data.message.text).toBe('Order #42 & more\nThanks')
  })

  it('reports a refused SMTP login as a failure that can be retried once fixed, never doubled', async () => {
    const wrong = await ann.request('PATCH', `/accounts/${account.id}`, {
      smtp: server(smtp.port, 'ann-smtp', 'not-the-password'),
    })
    expect(wrong.status).toBe(200)
    const mailsBefore = smtp.mails.length
    const refusedBefore = smtp.refusedLogins
    const sent = await ann.request<Message>('POST', `/conversations/${threadId}/messages`, {
      text: 'This one has to wait.',
      client_id: 'mail-3',
    })
    expect(sent.status).toBe(201)
    const failed = await stream.next('email_sent', (e) => e.data.message_id === sent.data.id)
    expect(failed.data).toMatchObject({ state: 'failed', email: { state: 'failed', attempts: 1 } })
    expect(failed.data.reason).toMatch(/refused the username or password/)
    expect(failed.data.reason).not.toContain('not-the-password')
    expect(smtp.refusedLogins).toBeGreaterThan(refusedBefore)
    expect(smtp.mails).toHaveLength(mailsBefore)

    const outbox = await ann.request<ExternalMessageRecord[]>(
      'GET',
      `/accounts/${account.id}/outbox`,
    )
    expect(outbox.data).toEqual([
      expect.objectContaining({
        message_id: sent.data.id,
        state: 'failed',
        reason: failed.data.reason,
      }),
    ])

    // Retrying with the wrong password fails again, visibly.
    const stillWrong = await ann.request<ExternalMessageRecord>(
      'POST',
      `/accounts/${account.id}/outbox/${sent.data.id}/retry`,
    )
    expect(stillWrong.status).toBe(200)
    expect(stillWrong.data).toMatchObject({ state: 'failed', attempts: 2 })

    // Fixed: the retry delivers exactly one copy.
    await ann.request('PATCH', `/accounts/${account.id}`, {
      smtp: server(smtp.port, 'ann-smtp', SMTP_USERS['ann-smtp']),
    })
    const retried = await ann.request<ExternalMessageRecord>(
      'POST',
      `/accounts/${account.id}/outbox/${sent.data.id}/retry`,
    )
    expect(retried.data).toMatchObject({ state: 'sent', attempts: 3, reason: null })
    await stream.next(
      'email_sent',
      (e) => e.data.message_id === sent.data.id && e.data.state === 'sent',
    )
    expect(smtp.mails).toHaveLength(mailsBefore + 1)
    expect(smtp.mails.at(-1)!.raw).toContain('This one has to wait.')
    const again = await ann.request('POST', `/accounts/${account.id}/outbox/${sent.data.id}/retry`)
    expect(again.status).toBe(409)
    expect(smtp.mails).toHaveLength(mailsBefore + 1)
    expect(
      (await ann.request<ExternalMessageRecord[]>('GET', `/accounts/${account.id}/outbox`)).data,
    ).toEqual([])
    // The message itself exists once.
    const history = await ann.request<MessagePage>('GET', `/conversations/${threadId}/messages`)
    expect(history.data.messages.filter((m) => m.text === 'This one has to wait.')).toHaveLength(1)
  })

  it('reports an unreachable SMTP server as a failure with a clear reason', async () => {
    const port = await closedPort()
    await ann.request('PATCH', `/accounts/${account.id}`, {
      smtp: server(port, 'ann-smtp', SMTP_USERS['ann-smtp']),
    })
    const sent = await ann.request<Message>('POST', `/conversations/${threadId}/messages`, {
      text: 'Nobody is listening.',
      client_id: 'mail-4',
    })
    const failed = await stream.next('email_sent', (e) => e.data.message_id === sent.data.id)
    expect(failed.data.state).toBe('failed')
    expect(failed.data.reason).toMatch(
      /^Cannot connect to the SMTP server 127\.0\.0\.1:\d+: check its name, port and security setting\.$/,
    )
    await ann.request('PATCH', `/accounts/${account.id}`, {
      smtp: server(smtp.port, 'ann-smtp', SMTP_USERS['ann-smtp']),
    })
  })

  it('reports refused IMAP credentials as account_disconnected with the reason, and recovers', async () => {
    const created = await ann.request<CreatedPlatformAccount>('POST', '/accounts', {
      platform: 'email',
      display_name: 'Dan’s mailbox',
      email_address: 'dan@example.test',
      smtp: server(smtp.port, 'ann-smtp', SMTP_USERS['ann-smtp']),
      imap: server(dovecot.port, 'dan', 'wrong-password'),
    })
    expect(created.status).toBe(201)
    const down = await stream.next(
      'account_disconnected',
      (e) => e.data.account_id === created.data.id,
    )
    expect(down.data.state).toBe('error')
    expect(down.data.reason).toMatch(/IMAP server refused the username or password/)
    expect(down.data.reason).not.toContain('wrong-password')
    const shown = await ann.request<PlatformAccount>('GET', `/accounts/${created.data.id}`)
    expect(shown.data).toMatchObject({ state: 'error', state_reason: down.data.reason })

    await ann.request('PATCH', `/accounts/${created.data.id}`, {
      imap: server(dovecot.port, 'dan', IMAP_USERS.dan),
    })
    const up = await stream.next('account_connected', (e) => e.data.account_id === created.data.id)
    expect(up.data).toMatchObject({ state: 'connected', reason: null })
    await ann.request('DELETE', `/accounts/${created.data.id}`)
  })

  it('notices a dropped IMAP connection and reconnects on its own when the server is back', async () => {
    const connectedBefore = stream
      .of('account_connected')
      .filter((e) => e.data.account_id === account.id).length
    await dovecot.stop()
    const down = await stream.next(
      'account_disconnected',
      (e) => e.data.account_id === account.id && e.data.state === 'error',
    )
    expect(down.data.reason).toMatch(/was lost|Cannot connect to the IMAP server/)
    await dovecot.restart()
    await eventually(
      () =>
        stream.of('account_connected').filter((e) => e.data.account_id === account.id).length >
        connectedBefore,
      'account_connected after the server came back',
      30_000,
    )
    // And mail flows again.
    await dovecot.append(
      'ann',
      IMAP_USERS.ann,
      mail({
        from: 'Gina <gina@example.test>',
        subject: 'Back online',
        messageId: '<back-online@example.test>',
        body: 'Hello again.',
      }),
    )
    await stream.next('email_received', (e) => e.data.subject === 'Back online')
  }, 60_000)

  it('picks the mailbox up again after a server restart, with the stored key, importing nothing twice', async () => {
    const before = (await records('?direction=in')).length
    stream.close()
    const dataDir = tidings.dataDir
    await tidings.close(true)
    tidings = await startTidings(dataDir)
    ann = await tidings.login('ann')
    stream = await EventStream.open(tidings.server, ann.token)
    const state = await eventually(async () => {
      const shown = await ann.request<PlatformAccount>('GET', `/accounts/${account.id}`)
      return shown.data.state === 'connected' && shown.data
    }, 'the account to reconnect after the restart')
    expect(state.state_reason).toBeNull()
    await dovecot.append(
      'ann',
      IMAP_USERS.ann,
      mail({
        from: 'Hal <hal@example.test>',
        subject: 'After the restart',
        messageId: '<after-restart@example.test>',
        body: 'Still in sync.',
      }),
    )
    await stream.next('email_received', (e) => e.data.subject === 'After the restart')
    expect((await records('?direction=in')).length).toBe(before + 1)
    // Sending still works: the SMTP password was decrypted with the key file.
    const sent = await ann.request<Message>('POST', `/conversations/${threadId}/messages`, {
      text: 'Sent after the restart.',
      client_id: 'mail-5',
    })
    const outcome = await stream.next('email_sent', (e) => e.data.message_id === sent.data.id)
    expect(outcome.data.state).toBe('sent')
  })
})
