import { useId, type ReactNode } from 'react'
import { plainLine } from '../../../shared/markdown'
import { formatRelative } from '../../../shared/time'
import { useNow, useTimeSettings } from '../hooks'
import { hasUnreadMention } from '../mentions'
import { openConversation } from '../actions/navigation'
import {
  conversationTitle,
  directPeer,
  pinnedFirst,
  useConversations,
} from '../stores/conversations'
import { draftPreview, hasDraft, useDrafts } from '../stores/drafts'
import { isOwnMessage } from '../stores/messages'
import { useIsMuted, useIsPinned, usePreferences } from '../stores/preferences'
import { usePresence } from '../stores/presence'
import { useSession } from '../stores/session'
import { BellOffIcon } from './BellOffIcon'
import { PinIcon } from './PinIcon'
import { PlatformTag } from './PlatformTag'
import { attachmentsPreview } from '../stores/pendingAttachments'

/**
 * The conversations: the pinned ones first (in pin order, a group of their own under a "Pinned"
 * heading), then the rest most recent first, with presence, preview (or the unsent draft), time,
 * unread count and a sign on muted and pinned ones.
 */
export function ConversationList() {
  const order = useConversations((s) => s.order)
  const loaded = useConversations((s) => s.loaded)
  const pinnedIds = usePreferences((s) => s.prefs.pinned_conversation_ids)
  // One clock for the whole list keeps relative times ("5 minutes ago") current.
  const now = useNow(30_000)
  const headingId = useId()
  if (loaded && order.length === 0) {
    return <p className="empty muted">No conversations yet. Start one with “New conversation”.</p>
  }
  const { pinned, rest } = pinnedFirst(order, pinnedIds)
  const items = (ids: number[]) => ids.map((id) => <ConversationItem key={id} id={id} now={now} />)
  if (pinned.length === 0) {
    return (
      <ul className="conversation-list" aria-label="Conversation list">
        {items(rest)}
      </ul>
    )
  }
  return (
    <div className="conversation-lists">
      {/* Screen reader users get the same split by heading that the rule shows everyone. */}
      <h2 id={`${headingId}-pinned`} className="visually-hidden">
        Pinned
      </h2>
      <ul
        className="conversation-list conversation-list--pinned"
        aria-labelledby={`${headingId}-pinned`}
        data-testid="pinned-conversations"
      >
        {items(pinned)}
      </ul>
      <h2 id={`${headingId}-rest`} className="visually-hidden">
        Other conversations
      </h2>
      <ul className="conversation-list" aria-labelledby={`${headingId}-rest`}>
        {items(rest)}
      </ul>
    </div>
  )
}

function ConversationItem({ id, now }: { id: number; now: number }) {
  const conversation = useConversations((s) => s.byId[id])
  const active = useConversations((s) => s.activeId === id)
  const user = useSession((s) => s.session?.user ?? null)
  const me = user?.id ?? null
  const mentionIds = useConversations((s) => s.mentions[id])
  const people = usePresence((s) => s.people)
  const { zone, clock } = useTimeSettings()
  const muted = useIsMuted(id)
  const pinned = useIsPinned(id)
  const draft = useDrafts((s) => s.byConversation[id])
  if (!conversation) return null
  const title = conversationTitle(conversation, me, people)
  const peer = directPeer(conversation, me)
  const online = peer !== null ? (people[peer]?.online ?? false) : null
  const last = conversation.last_message
  const preview = last
    ? last.deleted_at
      ? 'Message deleted'
      : `${isOwnMessage(last, me) ? 'You' : last.external_sender?.name || last.sender_name}: ${
          last.text === '' && last.attachments
            ? attachmentsPreview(last.attachments)
            : plainLine(last.text)
        }`
    : 'No messages yet'
  const unread = conversation.unread_count
  const mentioned = hasUnreadMention(conversation, mentionIds, user)
  const unreadLabel = `${unread} unread message${unread === 1 ? '' : 's'}`
  return (
    <li>
      <button
        type="button"
        className={`conversation${active ? ' conversation--active' : ''}`}
        data-testid="conversation-item"
        data-conversation-id={id}
        aria-current={active ? 'true' : undefined}
        onClick={() => void openConversation(id)}
      >
        <span className="conversation__avatar" aria-hidden="true">
          {title.slice(0, 1).toUpperCase()}
          {online !== null && (
            <span
              className={`presence-dot presence-dot--${online ? 'online' : 'offline'}`}
              data-testid="presence-dot"
              data-online={online}
            />
          )}
        </span>
        <span className="conversation__body">
          <span className="conversation__top">
            <span className="conversation__title" data-testid="conversation-title">
              {title}
            </span>
            <PlatformTag platform={conversation.platform} />
            {pinned && (
              <StateIcon label="Pinned" title="Pinned" testId="pinned-indicator">
                <PinIcon />
              </StateIcon>
            )}
            {muted && (
              <StateIcon label="Muted" title="Notifications muted" testId="muted-indicator">
                <BellOffIcon />
              </StateIcon>
            )}
            {last && (
              <time
                className="conversation__time"
                dateTime={last.created_at}
                data-testid="conversation-time"
              >
                {formatRelative(last.created_at, zone, { now, clock })}
              </time>
            )}
          </span>
          <span className="conversation__bottom">
            {/* The open conversation shows its draft in the composer already. */}
            {!active && hasDraft(draft) ? (
              <span className="conversation__preview" data-testid="conversation-draft">
                <span className="conversation__draft-label">Draft:</span> {draftPreview(draft)}
              </span>
            ) : (
              <span className="conversation__preview">{preview}</span>
            )}
            {unread > 0 && (
              <span
                className={`unread-badge${mentioned ? ' unread-badge--mention' : ''}`}
                data-testid="unread-badge"
                data-mention={mentioned || undefined}
                aria-label={mentioned ? `${unreadLabel}, including a mention of you` : unreadLabel}
              >
                {mentioned && (
                  <span className="unread-badge__mention" data-testid="mention-marker">
                    @
                  </span>
                )}
                {unread > 99 ? '99+' : unread}
              </span>
            )}
          </span>
          {online !== null && (
            <span className="visually-hidden">{online ? 'Online' : 'Offline'}</span>
          )}
        </span>
      </button>
    </li>
  )
}

/** A conversation's pinned or muted sign in its row: an icon with its name for screen readers. */
function StateIcon(props: { label: string; title: string; testId: string; children: ReactNode }) {
  return (
    <span
      className="muted-indicator"
      role="img"
      aria-label={props.label}
      title={props.title}
      data-testid={props.testId}
    >
      {props.children}
    </span>
  )
}
