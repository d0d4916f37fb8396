import { useIntl, type MessageDescriptor } from 'react-intl'
import { defineMessages } from '../../../shared/i18n/defineMessages'
import { formatTimestamp } from '../../../shared/time'
import { useTimeSettings } from '../hooks'
import { openConversation, openThread } from '../actions/navigation'
import { useToasts, type Toast, type ToastKind } from '../stores/toasts'

/** In-app notifications, bottom-right; auto-dismissed after 5 s unless hovered or focused. */
export function Toasts() {
  const toasts = useToasts((s) => s.toasts)
  const intl = useIntl()
  return (
    <section
      className="toasts"
      aria-live="polite"
      aria-label={intl.formatMessage({ id: 'toasts.label', defaultMessage: 'Notifications' })}
      data-testid="toasts"
    >
      {toasts.map((t) => (
        <ToastCard key={t.id} toast={t} />
      ))}
    </section>
  )
}

const kinds = defineMessages({
  message: { id: 'toast.kind.message', defaultMessage: 'Message' },
  conversation: { id: 'toast.kind.conversation', defaultMessage: 'Conversation' },
  announcement: { id: 'toast.kind.announcement', defaultMessage: 'Announcement' },
  notSent: { id: 'toast.kind.notSent', defaultMessage: 'Not sent' },
  search: { id: 'toast.kind.search', defaultMessage: 'Search' },
  other: { id: 'toast.kind.other', defaultMessage: 'Notice' },
})

const KIND_LABEL: Partial<Record<ToastKind, MessageDescriptor>> = {
  message_received: kinds.message,
  conversation_created: kinds.conversation,
  conversation_updated: kinds.conversation,
  system_notification: kinds.announcement,
  send_failed: kinds.notSent,
  search: kinds.search,
}

function ToastCard({ toast }: { toast: Toast }) {
  const { dismiss, pause, resume } = useToasts.getState()
  const { zone, clock, locale } = useTimeSettings()
  const intl = useIntl()
  const time = formatTimestamp(toast.timestamp, zone, {
    format: 'time',
    clock,
    withZone: true,
    locale,
  })
  const open = () => {
    dismiss(toast.id)
    if (toast.conversation_id !== null && toast.thread_root_id !== undefined) {
      void openThread(toast.conversation_id, toast.thread_root_id)
    } else if (toast.conversation_id !== null) void openConversation(toast.conversation_id)
  }
  return (
    <div
      className={`toast toast--${toast.kind} toast--${toast.level}`}
      data-testid="toast"
      data-kind={toast.kind}
      data-paused={toast.paused}
      onMouseEnter={() => pause(toast.id)}
      onMouseLeave={() => resume(toast.id)}
      onFocus={() => pause(toast.id)}
      onBlur={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) resume(toast.id)
      }}
    >
      <button type="button" className="toast__main" onClick={open} data-testid="toast-open">
        <span className="toast__kind">
          {intl.formatMessage(KIND_LABEL[toast.kind] ?? kinds.other)}
        </span>
        <span className="toast__title" dir="auto">
          {toast.title}
        </span>
        <span className="toast__body" dir="auto">
          {toast.body}
        </span>
        <time className="toast__time" dateTime={toast.timestamp}>
          {time}
        </time>
      </button>
      <button
        type="button"
        className="toast__dismiss"
        aria-label={intl.formatMessage({
          id: 'toast.dismiss',
          defaultMessage: 'Dismiss notification',
        })}
        data-testid="toast-dismiss"
        onClick={() => dismiss(toast.id)}
      >
        ×
      </button>
    </div>
  )
}
