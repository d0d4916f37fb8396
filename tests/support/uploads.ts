import { createHash } from 'node:crypto'
import type { Attachment } from '../../src/shared/models'
import type { TestAccount } from './accounts'

/** Uploads `bytes` as a file of `account`'s to a conversation; returns the stored attachment. */
export async function uploadFile(
  account: TestAccount,
  conversationId: number,
  name: string,
  bytes: Uint8Array,
  type = 'application/octet-stream',
): Promise<Attachment> {
  const url = `/conversations/${conversationId}/attachments?name=${encodeURIComponent(name)}`
  const response = await fetch(new URL(url, account.rest.baseUrl), {
    method: 'POST',
    headers: { authorization: `Bearer ${account.token}`, 'content-type': type },
    body: bytes,
  })
  const body = (await response.json()) as { data: { attachment: Attachment } }
  if (response.status !== 201) throw new Error(`upload ${name}: ${JSON.stringify(body)}`)
  return body.data.attachment
}

/** Downloads an attachment as `account`: the status and the bytes. */
export async function downloadFile(
  account: TestAccount,
  conversationId: number,
  attachmentId: number,
): Promise<{ status: number; bytes: Buffer }> {
  const response = await fetch(
    new URL(`/conversations/${conversationId}/attachments/${attachmentId}`, account.rest.baseUrl),
    { headers: { authorization: `Bearer ${account.token}` } },
  )
  return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()) }
}

export const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')
