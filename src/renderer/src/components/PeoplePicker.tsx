import type { ReactNode } from 'react'
import { useIntl } from 'react-intl'
import type { Person } from '../../../shared/models'

/** A person as the lists show one: presence dot, name, @username; the presence also in words. */
export function PersonLabel({
  name,
  username,
  online,
  className,
  children,
}: {
  name: string
  username: string
  online: boolean
  className?: string
  /** Said right after the name, before the username (" (you)"). */
  children?: ReactNode
}) {
  const intl = useIntl()
  return (
    <>
      <span
        className={`presence-dot presence-dot--inline presence-dot--${online ? 'online' : 'offline'}`}
        aria-hidden="true"
      />
      <span className={className}>
        <bdi>{name}</bdi>
        {children}{' '}
        <span className="muted" translate="no">
          @{username}
        </span>
        <span className="visually-hidden">
          {' '}
          {online
            ? intl.formatMessage({ id: 'people.online', defaultMessage: '(online)' })
            : intl.formatMessage({ id: 'people.offline', defaultMessage: '(offline)' })}
        </span>
      </span>
    </>
  )
}

/**
 * A search box over people and a checkbox per match, by name: the new-conversation dialog's
 * choice of people and the details dialog's "Add people". Which people may be chosen, what the
 * choice means and the filter's text are the caller's.
 */
export function PeoplePicker({
  inputId,
  label,
  legend,
  hideLegend = false,
  people,
  filter,
  onFilterChange,
  selected,
  onToggle,
  emptyText,
  optionTestId,
}: {
  inputId: string
  label: string
  legend: string
  hideLegend?: boolean
  people: readonly Person[]
  filter: string
  onFilterChange(filter: string): void
  selected: readonly number[]
  onToggle(userId: number): void
  emptyText: string
  optionTestId: string
}) {
  const intl = useIntl()
  const query = filter.trim().toLowerCase()
  const matches = people
    .filter(
      (p) =>
        !query ||
        p.display_name.toLowerCase().includes(query) ||
        p.username.toLowerCase().includes(query),
    )
    .sort((a, b) => a.display_name.localeCompare(b.display_name, intl.locale))
  return (
    <>
      <label htmlFor={inputId}>{label}</label>
      <input
        id={inputId}
        type="search"
        value={filter}
        onChange={(e) => onFilterChange(e.target.value)}
        placeholder={intl.formatMessage({
          id: 'people.filter.placeholder',
          defaultMessage: 'Name or username',
        })}
      />
      <fieldset className="people-picker">
        <legend className={hideLegend ? 'visually-hidden' : undefined}>{legend}</legend>
        {matches.length === 0 && <p className="muted">{emptyText}</p>}
        {matches.map((p) => (
          <label key={p.id} className="people-picker__row" data-testid={optionTestId}>
            <input
              type="checkbox"
              checked={selected.includes(p.id)}
              onChange={() => onToggle(p.id)}
            />
            <PersonLabel name={p.display_name} username={p.username} online={p.online} />
          </label>
        ))}
      </fieldset>
    </>
  )
}

/** `selected` with `userId` added, or taken out when it was in. */
export function toggled(selected: readonly number[], userId: number): number[] {
  return selected.includes(userId) ? selected.filter((x) => x !== userId) : [...selected, userId]
}
