import { useId, type ReactNode } from 'react'
import { FormattedMessage, useIntl } from 'react-intl'
import { defineMessages } from '../../../shared/i18n/defineMessages'
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
import { useTranslator } from '../stores/locale'
import { attachmentsPreview } from '../stores/pendingAttachments'

const messages = defineMessages({
  you: { id: 'conversationList.preview.you', defaultMessage: 'You' },
  preview: {
    id: 'conversationList.preview',
    defaultMessage: '{sender}: {text}',
    description: 'The last message of a conversation, after its sender’s name',
  },
  messageDeleted: { id: 'conversationList.preview.deleted', defaultMessage: 'Message deleted' },
  noMessages: { id: 'conversationList.preview.none', defaultMessage: 'No messages yet' },
  unread: {
    id: 'conversationList.unread',
    defaultMessage: '{count, plural, one {# unread message} other {# unread messages}}',
  },
  unreadWithMention: {
    id: 'conversationList.unreadWithMention',
    defaultMessage:
      '{count, plural, one {# unread message, including a mention of you} other {# unread messages, including a mention of you}}',
  },
  pinned: { id: 'conversationList.pinned', defaultMessage: 'Pinned' },
  muted: { id: 'conversationList.muted', defaultMessage: 'Muted' },
  mutedTitle: { id: 'conversationList.muted.title', defaultMessage: 'Notifications muted' },
  online: { id: 'presence.online', defaultMessage: 'Online' },
  offline: { id: 'presence.offline', defaultMessage: 'Offline' },
})

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
  const intl = useIntl()
  if (loaded && order.length === 0) {
    return (
      <p className="empty muted">
        <FormattedMessage
          id="conversationList.empty"
          defaultMessage="No conversations yet. Start one with “New conversation”."
        />
      </p>
    )
  }
  const { pinned, rest } = pinnedFirst(order, pinnedIds)
  const items = (ids: number[]) => ids.map((id) => <ConversationItem key={id} id={id} now={now} />)
  if (pinned.length === 0) {
    return (
      <ul
        className="conversation-list"
        aria-label={intl.formatMessage({
          id: 'conversationList.label',
          defaultMessage: 'Conversation list',
        })}
      >
        {items(rest)}
      </ul>
    )
  }
  return (
    <div className="conversation-lists">
      {/* Screen reader users get the same split by heading that the rule shows everyone. */}
      <h2 id={`${headingId}-pinned`} className="visually-hidden">
        <FormattedMessage {...messages.pinned} />
      </h2>
      <ul
        className="conversation-list conversation-list--pinned"
        aria-labelledby={`${headingId}-pinned`}
        data-testid="pinned-conversations"
      >
        {items(pinned)}
      </ul>
      <h2 id={`${headingId}-rest`} className="visually-hidden">
        <FormattedMessage id="conversationList.others" defaultMessage="Other conversations" />
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
  const { zone, clock, locale } = useTimeSettings()
  const muted = useIsMuted(id)
  const pinned = useIsPinned(id)
  const draft = useDrafts((s) => s.byConversation[id])
  const intl = useIntl()
  const translator = useTranslator()
  if (!conversation) return null
  const title = conversationTitle(conversation, me, people)
  const peer = directPeer(conversation, me)
  const online = peer !== null ? (people[peer]?.online ?? false) : null
  const last = conversation.last_message
  // The sender's text in an isolate of its own direction: an Arabic or Hebrew message reads
  // right to left after an English name, and a name never reorders the text around it.
  const preview = last ? (
    last.deleted_at ? (
      <FormattedMessage {...messages.messageDeleted} />
    ) : (
      <FormattedMessage
        {...messages.preview}
        values={{
          sender: (
            <bdi>
              {isOwnMessage(last, me)
                ? intl.formatMessage(messages.you)
                : last.external_sender?.name || last.sender_name}
            </bdi>
          ),
          text: (
            <bdi dir="auto" data-testid="conversation-preview-text">
              {last.text === '' && last.attachments
                ? attachmentsPreview(last.attachments, translator)
                : plainLine(last.text)}
            </bdi>
          ),
        }}
      />
    )
  ) : (
    <FormattedMessage {...messages.noMessages} />
  )
  const unread = conversation.unread_count
  const mentioned = hasUnreadMention(conversation, mentionIds, user)
  const unreadLabel = intl.formatMessage(mentioned ? messages.unreadWithMention : messages.unread, {
    count: unread,
  })
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
            <span className="conversation__title" data-testid="conversation-title" dir="auto">
              {title}
            </span>
            <PlatformTag platform={conversation.platform} />
            {pinned && (
              <StateIcon
                label={intl.formatMessage(messages.pinned)}
                title={intl.formatMessage(messages.pinned)}
                testId="pinned-indicator"
              >
                <PinIcon />
              </StateIcon>
            )}
            {muted && (
              <StateIcon
                label={intl.formatMessage(messages.muted)}
                title={intl.formatMessage(messages.mutedTitle)}
                testId="muted-indicator"
              >
                <BellOffIcon />
              </StateIcon>
            )}
            {last && (
              <time
                className="conversation__time"
                dateTime={last.created_at}
                data-testid="conversation-time"
              >
                {formatRelative(last.created_at, zone, { now, clock, locale })}
              </time>
            )}
          </span>
          <span className="conversation__bottom">
            {/* The open conversation shows its draft in the composer already. */}
            {!active && hasDraft(draft) ? (
              <span className="conversation__preview" data-testid="conversation-draft">
                <FormattedMessage
                  id="conversationList.draft"
                  defaultMessage="<label>Draft:</label> {text}"
                  values={{
                    label: (chunks) => <span className="conversation__draft-label">{chunks}</span>,
                    text: <bdi dir="auto">{draftPreview(draft)}</bdi>,
                  }}
                />
              </span>
            ) : (
              <span className="conversation__preview" data-testid="conversation-preview">
                {preview}
              </span>
            )}
            {unread > 0 && (
              <span
                className={`unread-badge${mentioned ? ' unread-badge--mention' : ''}`}
                data-testid="unread-badge"
                data-mention={mentioned || undefined}
                aria-label={unreadLabel}
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
            <span className="visually-hidden">
              {intl.formatMessage(online ? messages.online : messages.offline)}
            </span>
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
