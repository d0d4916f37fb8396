import { afterEach, describe, expect, it } from 'vitest'
import type { Attachment, Conversation, Message } from '../../src/shared/models'
import {
  createConversation,
  nextClientId,
  registerTeam,
  type TestAccount,
} from '../support/accounts'
import { startHarness, type TestServer } from '../support/serverHarness'
import { uploadsBeingReceived } from '../support/store'

/**
 * Filling the server's disk through uploads, as a member could: files uploaded and never sent
 * (kept a day), and files sent by the hundred. Each user has a quota of unsent bytes, and the
 * administrator may set one of all stored bytes.
 */
const servers: TestServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()))
})

interface Team {
  server: TestServer
  alice: TestAccount
  bob: TestAccount
  conversation: Conversation
}

async function team(options: Parameters<typeof startHarness>[0]): Promise<Team> {
  const server = await startHarness(options)
  servers.push(server)
  const { members } = await registerTeam(server.url, ['alice', 'bob'])
  const [alice, bob] = members as [TestAccount, TestAccount]
  return { server, alice, bob, conversation: await createConversation(alice, [bob]) }
}

async function upload(
  account: TestAccount,
  conversationId: number,
  bytes: number,
): Promise<{
  status: number
  body: { data?: { attachment: Attachment }; error?: { code: string } }
}> {
  const response = await fetch(
    `${account.rest.baseUrl}/conversations/${conversationId}/attachments?name=f.bin`,
    {
      method: 'POST',
      headers: {
        authorization: `Bearer ${account.token}`,
        'content-type': 'application/octet-stream',
      },
      body: new Uint8Array(bytes).fill(7),
    },
  )
  const body = (await response.json()) as {
    data?: { attachment: Attachment }
    error?: { code: string }
  }
  return { status: response.status, body }
}

const QUOTA_EXCEEDED = {
  status: 413,
  body: { status: 'error', error: { code: 'quota_exceeded', message: expect.any(String) } },
}

describe('upload quotas', () => {
  it('holds a user to their quota of unsent uploads; sending them makes room', async () => {
    const { server, alice, bob, conversation } = await team({
      attachmentMaxBytes: 4096,
      unsentUploadQuotaBytes: 10_000,
    })
    const first = await upload(alice, conversation.id, 4096)
    const second = await upload(alice, conversation.id, 4096)
    expect([first.status, second.status]).toEqual([201, 201])
    // 1,808 bytes of room: a larger file is refused as it passes them, and nothing is kept.
    expect(await upload(alice, conversation.id, 4096)).toEqual(QUOTA_EXCEEDED)
    expect(uploadsBeingReceived(server.dataDir)).toEqual([])
    expect((await upload(alice, conversation.id, 1000)).status).toBe(201)
    // Less room than this file: refused before a byte is read.
    expect(await upload(alice, conversation.id, 1000)).toEqual(QUOTA_EXCEEDED)
    // Bob has a quota of his own.
    expect((await upload(bob, conversation.id, 4096)).status).toBe(201)
    // Alice sends two of hers: their bytes are no longer unsent.
    const sent = await alice.rest.post<Message>(`/conversations/${conversation.id}/messages`, {
      text: '',
      client_id: nextClientId(),
      attachment_ids: [first.body.data!.attachment.id, second.body.data!.attachment.id],
    })
    expect(sent.status).toBe(201)
    expect((await upload(alice, conversation.id, 4096)).status).toBe(201)
  })

  it('holds parallel uploads of one user to the quota too', async () => {
    const { alice, conversation } = await team({
      attachmentMaxBytes: 4096,
      unsentUploadQuotaBytes: 10_000,
    })
    const results = await Promise.all(
      Array.from({ length: 6 }, () => upload(alice, conversation.id, 3000)),
    )
    const stored = results.filter((result) => result.status === 201)
    expect(stored).toHaveLength(3)
    for (const result of results) {
      if (result.status !== 201) expect(result).toEqual(QUOTA_EXCEEDED)
    }
  })

  it('holds a user to the storage quota the administrator set, sent files included', async () => {
    const { alice, conversation } = await team({
      attachmentMaxBytes: 4096,
      unsentUploadQuotaBytes: 100_000,
      userStorageQuotaBytes: 6_000,
    })
    const file = await upload(alice, conversation.id, 4000)
    const sent = await alice.rest.post<Message>(`/conversations/${conversation.id}/messages`, {
      text: 'a file',
      client_id: nextClientId(),
      attachment_ids: [file.body.data!.attachment.id],
    })
    const refused = await upload(alice, conversation.id, 3000)
    expect(refused).toEqual(QUOTA_EXCEEDED)
    expect(refused.body.error).toMatchObject({ message: expect.stringMatching(/storage quota/) })
    // Deleting the message deletes its file, and makes room.
    expect((await alice.rest.delete(`/messages/${sent.data.id}`)).status).toBe(200)
    expect((await upload(alice, conversation.id, 3000)).status).toBe(201)
  })
})
