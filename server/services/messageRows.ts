import type { Message } from '../../src/shared/models'

/** The columns a Message is built from, for queries over `messages as m` joined to `users as u`. */
export const MESSAGE_COLUMNS = [
  'm.id',
  'm.conversation_id',
  'm.sender_id',
  'u.display_name as sender_name',
  'm.client_id',
  'm.text',
  'm.created_at',
  'm.edited_at',
  'm.deleted_at',
  'm.external_sender_handle',
  'm.external_sender_name',
] as const

/** A row selected with MESSAGE_COLUMNS: the wire Message plus who sent it on another platform. */
export interface MessageRow extends Omit<Message, 'external_sender'> {
  external_sender_handle: string | null
  external_sender_name: string | null
}

export function toMessage(row: MessageRow): Message {
  const { external_sender_handle: handle, external_sender_name: name, ...rest } = row
  const message: Message = { ...rest, text: row.deleted_at ? '' : row.text }
  // A message from another platform: its sender is someone out there, not the account owner.
  if (handle !== null) {
    message.sender_name = name ?? handle
    message.external_sender = { handle, name: name ?? handle }
  }
  return message
}
