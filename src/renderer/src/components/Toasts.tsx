import { formatTimestamp } from '../../../shared/time'
import { useTimeSettings } from '../hooks'
import { openConversation, openThread } from '../actions/navigation'
import { useToasts, type Toast } from '../stores/toasts'

/** In-app notifications, bottom-right; auto-dismissed after 5 s unless hovered or focused. */
export function Toasts() {
  const toasts = useToasts((s) => s.toasts)
  return (
    <section className="toasts" aria-live="polite" aria-label="Notifications" data-testid="toasts">
      {toasts.map((t) => (
        <ToastCard key={t.id} toast={t} />
      ))}
    </section>
  )
}

const KIND_LABEL: Record<string, string> = {
  message_received: 'Message',
  conversation_created: 'Conversation',
  conversation_updated: 'Conversation',
  system_notification: 'Announcement',
  send_failed: 'Not sent',
  search: 'Search',
}

function ToastCard({ toast }: { toast: Toast }) {
  const { dismiss, pause, resume } = useToasts.getState()
  const { zone, clock } = useTimeSettings()
  const time = formatTimestamp(toast.timestamp, zone, { format: 'time', clock, withZone: true })
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
        <span className="toast__kind">{KIND_LABEL[toast.kind] ?? toast.kind}</span>
        <span className="toast__title">{toast.title}</span>
        <span className="toast__body">{toast.body}</span>
        <time className="toast__time" dateTime={toast.timestamp}>
          {time}
        </time>
      </button>
      <button
        type="button"
        className="toast__dismiss"
        aria-label="Dismiss notification"
        data-testid="toast-dismiss"
        onClick={() => dismiss(toast.id)}
      >
        ×
      </button>
    </div>
  )
}
