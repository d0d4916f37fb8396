import { CoreError, CoreErrorCode } from '../coreError'
import type { CoreHandlers, CoreParts } from './types'

/**
 * Messages (history, search, sends through the outbox, edits, reactions, reads), threads, drafts,
 * typing.
 */
export function messageHandlers({ sessions, rest, unread }: CoreParts) {
  return {
    'messages/history': (body) =>
      sessions.authed(() =>
        rest.history(body.conversation_id, { before: body.before, limit: body.limit }),
      ),
    'messages/search': (body) => sessions.authed(() => rest.searchMessages(body)),
    'messages/send': (body) => {
      if (body.text.trim() === '' && body.attachment_ids === undefined) {
        throw new CoreError(CoreErrorCode.InvalidRequest, 'A message cannot be blank.')
      }
      const session = sessions.require()
      if (body.also_to_channel !== undefined && body.thread_root_id === undefined) {
        throw new CoreError(CoreErrorCode.InvalidRequest, 'also_to_channel needs thread_root_id.')
      }
      const item = session.outbox.send(body.conversation_id, body.text, {
        replyToId: body.reply_to_id,
        attachmentIds: body.attachment_ids,
        threadRootId: body.thread_root_id,
        alsoToChannel: body.also_to_channel,
      })
      // What was in the composer is now in the outbox: the draft is done with (a thread panel's
      // composer keeps no draft).
      if (body.thread_root_id === undefined) session.drafts.delete(body.conversation_id)
      return item
    },
    'messages/retry': (body) => sessions.require().outbox.retry(body.client_id),
    'messages/edit': (body) => sessions.authed(() => rest.editMessage(body.message_id, body.text)),
    'messages/delete': (body) => sessions.authed(() => rest.deleteMessage(body.message_id)),
    'messages/react': (body) =>
      sessions.authed(() =>
        body.add
          ? rest.addReaction(body.conversation_id, body.message_id, body.emoji)
          : rest.removeReaction(body.conversation_id, body.message_id, body.emoji),
      ),
    'messages/markRead': (body) =>
      sessions.authed(async () => {
        await rest.sendReceipt(body.conversation_id, {
          kind: 'read',
          up_to_message_id: body.up_to_message_id,
        })
        unread.readUpTo(body.conversation_id, body.up_to_message_id)
      }),
    'outbox/list': () => sessions.require().outbox.list(),
    'threads/get': (body) =>
      sessions.authed(() =>
        rest.thread(body.conversation_id, body.root_id, { before: body.before, limit: body.limit }),
      ),
    'threads/list': () => sessions.authed(() => rest.followedThreads()),
    'threads/follow': (body) =>
      sessions.authed(() => rest.followThread(body.conversation_id, body.root_id, body.following)),
    'threads/markRead': (body) =>
      sessions.authed(() =>
        rest.markThreadRead(body.conversation_id, body.root_id, body.up_to_message_id),
      ),
    'drafts/list': () => sessions.require().drafts.list(),
    'drafts/set': (body) => {
      sessions.require().drafts.set(body.conversation_id, body.text)
    },
    'typing/set': (body) => {
      sessions.require().events.sendTyping(body.conversation_id, body.is_typing)
    },
  } satisfies Partial<CoreHandlers>
}
