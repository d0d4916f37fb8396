import type { CoreHandlers, CoreParts } from './types'

/** People, conversations and their members, and which conversation the window shows. */
export function conversationHandlers(parts: CoreParts) {
  const { sessions, rest, unread, notifications, preferences } = parts
  return {
    'users/list': () => sessions.authed(() => rest.users()),
    'conversations/list': () =>
      sessions.authed(async () => {
        const conversations = await rest.conversations()
        unread.load(conversations)
        return conversations
      }),
    'conversations/create': (body) =>
      sessions.authed(async () => {
        const conversation = await rest.createConversation(body)
        unread.addConversation(conversation)
        return conversation
      }),
    'conversations/rename': (body) =>
      sessions.authed(() => rest.renameConversation(body.conversation_id, body.title)),
    'conversations/addMembers': (body) =>
      sessions.authed(() => rest.addMembers(body.conversation_id, body.user_ids)),
    'conversations/removeMember': (body) =>
      sessions.authed(async () => {
        const conversation = await rest.removeMember(body.conversation_id, body.user_id)
        if (body.user_id === sessions.current?.user.id) {
          // Left: its unread messages no longer count (the server's removed event says so too).
          unread.removeConversation(body.conversation_id)
          preferences.forgetPin(body.conversation_id)
        }
        return conversation
      }),
    'conversations/focus': (body) => {
      notifications.focus(body.conversation_id, body.thread_root_id ?? null)
      // Switching conversations is a natural moment to put what was typed on disk.
      sessions.current?.drafts.flush()
    },
  } satisfies Partial<CoreHandlers>
}
