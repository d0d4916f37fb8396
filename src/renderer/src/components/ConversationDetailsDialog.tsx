import { useEffect, useId, useRef, useState, type FormEvent } from 'react'
import { FormattedMessage, useIntl } from 'react-intl'
import { defineMessages } from '../../../shared/i18n/defineMessages'
import { errorMessage } from '../ipcClient'
import { platformLabel } from '../platformLabel'
import { leaveConversation } from '../actions/membership'
import {
  conversationPermissions,
  conversationTitle,
  useConversations,
} from '../stores/conversations'
import { useTranslator } from '../stores/locale'
import { usePresence } from '../stores/presence'
import { useSession } from '../stores/session'
import { ModalDialog } from './ModalDialog'
import { PeoplePicker, PersonLabel, toggled } from './PeoplePicker'

const messages = defineMessages({
  renamed: { id: 'details.status.renamed', defaultMessage: 'Renamed to {title}.' },
  added: { id: 'details.status.added', defaultMessage: 'Added {names}.' },
  removed: { id: 'details.status.removed', defaultMessage: 'Removed {name}.' },
  keep: {
    id: 'details.leave.keep',
    defaultMessage: 'Keep',
    description: 'Cancels deleting a direct conversation',
  },
  stay: {
    id: 'details.leave.stay',
    defaultMessage: 'Stay',
    description: 'Cancels leaving a group',
  },
})

/**
 * A conversation's title and members, and what the server lets the user change: rename it, add
 * people to a Tidings group, remove others (its creator or an admin), leave it. A direct
 * conversation has none of the first three; leaving it is offered as deleting it, as other
 * messengers do with a one-to-one chat. Reads the conversation from the store, so renames and
 * members joining or leaving show while it is open.
 */
export function ConversationDetailsDialog({
  conversationId,
  onClose,
}: {
  conversationId: number
  onClose: () => void
}) {
  const conversation = useConversations((s) => s.byId[conversationId])
  const rename = useConversations((s) => s.rename)
  const addMembers = useConversations((s) => s.addMembers)
  const removeMember = useConversations((s) => s.removeMember)
  const people = usePresence((s) => s.people)
  const user = useSession((s) => s.session?.user ?? null)
  const [draftTitle, setDraftTitle] = useState<string | null>(null)
  const [filter, setFilter] = useState('')
  const [selected, setSelected] = useState<number[]>([])
  const [confirmLeave, setConfirmLeave] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [status, setStatus] = useState('')
  const leaveButton = useRef<HTMLButtonElement>(null)
  const keepButton = useRef<HTMLButtonElement>(null)
  const confirmShown = useRef(false)
  const intl = useIntl()
  const translator = useTranslator()
  const id = useId()

  useEffect(() => {
    void usePresence.getState().load()
  }, [])

  useEffect(() => {
    // The confirmation takes focus from the button that asked it, and gives it back if kept.
    if (confirmLeave) keepButton.current?.focus()
    else if (confirmShown.current) leaveButton.current?.focus()
    confirmShown.current = confirmLeave
  }, [confirmLeave])

  if (!conversation) return null
  const me = user?.id ?? null
  const can = conversationPermissions(conversation, user)
  const title = conversationTitle(conversation, me, people)
  const memberIds = new Set(conversation.members.map((m) => m.user_id))
  const candidates = Object.values(people).filter((p) => !memberIds.has(p.id) && !p.deactivated)
  const titleValue = draftTitle ?? conversation.title ?? ''
  const titleChanged = titleValue.trim() !== '' && titleValue.trim() !== (conversation.title ?? '')
  const direct = conversation.kind === 'direct'
  // The other person of a direct conversation may have deleted it already.
  const alone = conversation.members.every((m) => m.user_id === me)

  async function run(action: () => Promise<void>, done: string): Promise<boolean> {
    setBusy(true)
    setError(null)
    setStatus('')
    try {
      await action()
      setStatus(done)
      return true
    } catch (e) {
      setError(errorMessage(e))
      return false
    } finally {
      setBusy(false)
    }
  }

  async function submitTitle(e: FormEvent) {
    e.preventDefault()
    if (!titleChanged) return
    const next = titleValue.trim()
    const done = intl.formatMessage(messages.renamed, { title: next })
    if (await run(() => rename(conversationId, next), done)) setDraftTitle(null)
  }

  async function submitAdd(e: FormEvent) {
    e.preventDefault()
    if (selected.length === 0) return
    const names = translator.list(selected.map((p) => people[p]?.display_name ?? `#${p}`))
    const done = intl.formatMessage(messages.added, { names })
    if (await run(() => addMembers(conversationId, selected), done)) {
      setSelected([])
      setFilter('')
    }
  }

  function remove(userId: number, name: string) {
    void run(
      () => removeMember(conversationId, userId),
      intl.formatMessage(messages.removed, { name }),
    )
  }

  async function leave() {
    setBusy(true)
    setError(null)
    try {
      // On success the conversation leaves the store, which closes this dialog with the thread.
      await leaveConversation(conversationId)
      onClose()
    } catch (e) {
      setError(errorMessage(e))
      setBusy(false)
      setConfirmLeave(false)
    }
  }

  return (
    <ModalDialog
      labelledBy={`${id}-heading`}
      testId="conversation-details-dialog"
      onClose={onClose}
    >
      <h2 id={`${id}-heading`}>
        <FormattedMessage id="details.title" defaultMessage="Conversation details" />
      </h2>
      <p className="details__title" data-testid="details-title" dir="auto">
        {title}
      </p>
      <p className="muted small">
        {direct ? (
          <FormattedMessage id="details.kind.direct" defaultMessage="Direct conversation" />
        ) : (
          <FormattedMessage id="details.kind.group" defaultMessage="Group" />
        )}
        {conversation.platform !== 'tidings' &&
          ` · ${platformLabel(conversation.platform, translator)}`}
      </p>

      {can.rename && (
        <form className="details__section" onSubmit={(e) => void submitTitle(e)}>
          <label htmlFor={`${id}-title`}>
            <FormattedMessage id="details.rename.label" defaultMessage="Title" />
          </label>
          <div className="details__row">
            <input
              id={`${id}-title`}
              dir="auto"
              value={titleValue}
              maxLength={128}
              placeholder={title}
              data-testid="details-title-input"
              onChange={(e) => setDraftTitle(e.target.value)}
            />
            <button
              type="submit"
              className="button"
              disabled={busy || !titleChanged}
              data-testid="details-rename"
            >
              <FormattedMessage id="details.rename" defaultMessage="Rename" />
            </button>
          </div>
        </form>
      )}

      <section className="details__section" aria-labelledby={`${id}-members`}>
        <h3 id={`${id}-members`} className="details__subheading">
          <FormattedMessage
            id="details.members"
            defaultMessage="Members ({count, number})"
            values={{ count: conversation.members.length }}
          />
        </h3>
        <ul className="details__members" data-testid="member-list">
          {conversation.members.map((m) => {
            const person = people[m.user_id]
            const name = person?.display_name ?? m.display_name
            return (
              <li key={m.user_id} className="details__member" data-testid="member-item">
                <PersonLabel
                  name={name}
                  username={m.username}
                  online={person?.online ?? false}
                  className="details__member-name"
                >
                  {m.user_id === me &&
                    ` ${intl.formatMessage({ id: 'details.member.you', defaultMessage: '(you)' })}`}
                </PersonLabel>
                {can.removeOthers && m.user_id !== me && (
                  <button
                    type="button"
                    className="button button--small"
                    aria-label={intl.formatMessage(
                      { id: 'details.member.remove.label', defaultMessage: 'Remove {name}' },
                      { name },
                    )}
                    disabled={busy}
                    data-testid="remove-member"
                    onClick={() => remove(m.user_id, name)}
                  >
                    <FormattedMessage id="details.member.remove" defaultMessage="Remove" />
                  </button>
                )}
              </li>
            )
          })}
        </ul>
      </section>

      {can.addMembers && (
        <form className="details__section" onSubmit={(e) => void submitAdd(e)}>
          <PeoplePicker
            inputId={`${id}-filter`}
            label={intl.formatMessage({ id: 'details.add.label', defaultMessage: 'Add people' })}
            legend={intl.formatMessage({
              id: 'details.add.legend',
              defaultMessage: 'People to add',
            })}
            hideLegend
            people={candidates}
            filter={filter}
            onFilterChange={setFilter}
            selected={selected}
            onToggle={(userId) => setSelected((s) => toggled(s, userId))}
            emptyText={intl.formatMessage({
              id: 'details.add.empty',
              defaultMessage: 'Nobody else to add.',
            })}
            optionTestId="add-person-option"
          />
          <button
            type="submit"
            className="button"
            disabled={busy || selected.length === 0}
            data-testid="details-add"
          >
            <FormattedMessage
              id="details.add"
              defaultMessage="{count, plural, =0 {Add} one {Add} other {Add # people}}"
              values={{ count: selected.length }}
            />
          </button>
        </form>
      )}

      <p className="muted small" role="status" data-testid="details-status">
        {status}
      </p>
      {error && (
        <p className="form-error" role="alert" data-testid="details-error">
          {error}
        </p>
      )}

      {confirmLeave ? (
        <div
          className="details__confirm"
          role="group"
          aria-labelledby={`${id}-confirm`}
          data-testid="leave-confirm"
        >
          <p id={`${id}-confirm`}>
            {!direct ? (
              <FormattedMessage
                id="details.leave.confirmGroup"
                defaultMessage="Leave {title}? You will no longer see its messages unless someone adds you again."
                values={{ title: <bdi>{title}</bdi> }}
              />
            ) : alone ? (
              <FormattedMessage
                id="details.leave.confirmAlone"
                defaultMessage="Delete this conversation? It leaves your list with its messages."
              />
            ) : (
              <FormattedMessage
                id="details.leave.confirmDirect"
                defaultMessage="Delete your conversation with {name}? It leaves your list and you will no longer see its messages; {name} keeps them. Writing to {name} again starts a new conversation."
                values={{ name: <bdi>{title}</bdi> }}
              />
            )}
          </p>
          <div className="dialog__actions">
            <button
              ref={keepButton}
              type="button"
              className="button"
              disabled={busy}
              onClick={() => setConfirmLeave(false)}
            >
              <FormattedMessage {...(direct ? messages.keep : messages.stay)} />
            </button>
            <button
              type="button"
              className="button button--danger"
              disabled={busy}
              data-testid="leave-confirm-button"
              onClick={() => void leave()}
            >
              {direct ? (
                <FormattedMessage id="details.leave.delete" defaultMessage="Delete" />
              ) : (
                <FormattedMessage id="details.leave.leave" defaultMessage="Leave" />
              )}
            </button>
          </div>
        </div>
      ) : (
        <div className="dialog__actions">
          {can.leave && (
            <button
              ref={leaveButton}
              type="button"
              className="button button--danger"
              disabled={busy}
              data-testid="leave-conversation"
              onClick={() => setConfirmLeave(true)}
            >
              {direct ? (
                <FormattedMessage
                  id="details.deleteConversation"
                  defaultMessage="Delete conversation"
                />
              ) : (
                <FormattedMessage
                  id="details.leaveConversation"
                  defaultMessage="Leave conversation"
                />
              )}
            </button>
          )}
          <button type="button" className="button" data-testid="details-close" onClick={onClose}>
            <FormattedMessage id="details.close" defaultMessage="Close" />
          </button>
        </div>
      )}
    </ModalDialog>
  )
}
