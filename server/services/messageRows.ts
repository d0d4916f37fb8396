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
] as const

export interface MessageRow {
  id: number
  conversation_id: number
  sender_id: number
  sender_name: string
  client_id: string
  text: string
  created_at: string
  edited_at: string | null
  deleted_at: string | null
}

export function toMessage(row: MessageRow): Message {
  return { ...row, text: row.deleted_at ? '' : row.text }
}
