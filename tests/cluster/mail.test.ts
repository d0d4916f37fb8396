import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type {
  AuthResult,
  Conversation,
  CreatedPlatformAccount,
  Message,
  MessagePage,
} from '../../src/shared/models'
import { accountFrom, registerAdmin, type TestAccount } from '../support/accounts'
import {
  startNode,
  startTestPostgres,
  type ClusterNode,
  type TestPostgres,
} from '../support/clusterHarness'
import { startDovecot, type DovecotHarness } from '../support/mailServers'
import { onPostgres } from '../support/testDatabase'
import { waitUntil } from '../support/waitUntil'
import { startSmtp, type SmtpHarness } from '../email/harness'

const IMAP_PASSWORD = 'cluster-imap-secret'
const SMTP_PASSWORD = 'cluster-smtp-secret'

function mail(messageId: string, subject: string, body: string): string {
  return [
    'From: Carol <carol@example.test>',
    'To: Ann <ann@example.test>',
    `Subject: ${subject}`,
    `Message-ID: ${messageId}`,
    'Date: Mon, 07 Dec 2026 10:00:00 +0000',
    'Content-Type: text/plain; charset=utf-8',
    '',
    body,
    '',
  ].join('\r\n')
}

/**
 * A mail account on a cluster: exactly one node runs its IMAP connection and sends its mail (a
 * lease), so a mail is imported once and a message sent once however many nodes there are; when
 * that node dies, another takes the account over.
 */
describe.skipIf(!onPostgres)('a mail account on a cluster', () => {
  let postgres: TestPostgres
  let dovecot: DovecotHarness
  let smtp: SmtpHarness
  let nodes: ClusterNode[]
  let ann: TestAccount
  let account: CreatedPlatformAccount

  const on = (node: ClusterNode) =>
    accountFrom(node.url, { token: ann.token, user: ann.user } as AuthResult)
  /** The node whose lease session holds the account's mail lease. */
  const owners = async () =>
    (
      await postgres.query<{ application_name: string }>(
        `select a.application_name from pg_locks l join pg_stat_activity a on a.pid = l.pid
         where l.locktype = 'advisory' and l.classid = 7305 and l.granted
           and l.objid = (hashtext($1)::bigint & 4294967295)::oid`,
        [`mail:${account.id}`],
      )
    ).map((row) => row.application_name)
  const ownerNode = async () => {
    const [owner] = await owners()
    for (const node of nodes) {
      const health = await fetch(`${node.url}/healthz`)
      const { data } = (await health.json()) as { data: { node: string } }
      if (owner === `tidings-${data.node.slice(0, 8)}:leases`) return node
    }
    throw new Error('no node owns the account')
  }
  /** The messages of the account's email conversations, as any node answers them. */
  const imported = async (node: ClusterNode) => {
    const conversations = (await on(node).rest.get<Conversation[]>('/conversations')).data
    const texts: string[] = []
    for (const conversation of conversations.filter((c) => c.platform === 'email')) {
      const page = await on(node).rest.get<MessagePage>(
        `/conversations/${conversation.id}/messages`,
      )
      texts.push(...page.data.messages.map((m) => m.text.trim()))
    }
    return texts
  }

  beforeAll(async () => {
    postgres = await startTestPostgres()
    dovecot = await startDovecot({ ann: IMAP_PASSWORD })
    smtp = await startSmtp({ 'ann-smtp': SMTP_PASSWORD })
    const first = await startNode(postgres.url)
    nodes = [first, ...(await Promise.all([startNode(postgres.url), startNode(postgres.url)]))]
    ann = await registerAdmin(first.url, 'ann')
    const server = (port: number, username: string, password: string) => ({
      host: '127.0.0.1',
      port,
      secure: false,
      username,
      password,
    })
    const created = await on(nodes[1]!).rest.post<CreatedPlatformAccount>('/accounts', {
      platform: 'email',
      display_name: 'Ann Archer',
      email_address: 'ann@example.test',
      smtp: server(smtp.port, 'ann-smtp', SMTP_PASSWORD),
      imap: server(dovecot.port, 'ann', IMAP_PASSWORD),
    })
    expect(created.status).toBe(201)
    account = created.data
  }, 120_000)

  afterAll(async () => {
    await Promise.allSettled((nodes ?? []).map((node) => node.kill()))
    await dovecot?.close()
    await smtp?.close()
    await postgres?.stop()
  })

  it('imports each mail once and sends each message once, from the one node that owns it', async () => {
    await waitUntil(async () => (await owners()).length === 1, 'one node owns the account')
    await dovecot.append('ann', IMAP_PASSWORD, mail('<m1@example.test>', 'Plans', 'First mail'))
    await waitUntil(
      async () => (await imported(nodes[2]!)).includes('First mail'),
      'the mail is imported',
      { timeoutMs: 20_000 },
    )
    expect((await imported(nodes[0]!)).filter((text) => text === 'First mail')).toHaveLength(1)

    // A reply written through a node that may not own the account still goes out once.
    const thread = (await on(nodes[2]!).rest.get<Conversation[]>('/conversations')).data.find(
      (c) => c.platform === 'email',
    )!
    const reply = await on(nodes[2]!).rest.post<Message>(`/conversations/${thread.id}/messages`, {
      text: 'Answer from the cluster',
      client_id: 'cluster-mail-1',
    })
    expect(reply.status).toBe(201)
    await waitUntil(() => smtp.mails.length >= 1, 'the reply reaches the SMTP server', {
      timeoutMs: 20_000,
    })
    expect(await owners()).toHaveLength(1)
    expect(smtp.mails.filter((m) => m.raw.includes('Answer from the cluster'))).toHaveLength(1)
  })

  it('is taken over by another node when its owner dies, and imports on', async () => {
    const owner = await ownerNode()
    const before = (await owners())[0]
    await owner.kill()
    nodes = nodes.filter((node) => node !== owner)
    await waitUntil(
      async () => {
        const now = await owners()
        return now.length === 1 && now[0] !== before
      },
      'another node owns the account',
      { timeoutMs: 20_000 },
    )
    await dovecot.append('ann', IMAP_PASSWORD, mail('<m2@example.test>', 'Plans', 'Second mail'))
    await waitUntil(
      async () => (await imported(nodes[0]!)).includes('Second mail'),
      'the mail is imported by the new owner',
      { timeoutMs: 30_000 },
    )
    const texts = await imported(nodes[1]!)
    expect(texts.filter((text) => text === 'First mail')).toHaveLength(1)
    expect(texts.filter((text) => text === 'Second mail')).toHaveLength(1)
  })
})
