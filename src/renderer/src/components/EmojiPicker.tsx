import {
  useEffect,
  useId,
  useMemo,
  useRef,
  useState,
  type KeyboardEvent,
  type RefObject,
} from 'react'
import { FormattedMessage, useIntl, type IntlShape } from 'react-intl'
import { defineMessages } from '../../../shared/i18n/defineMessages'
import type { SkinTone } from '../../../shared/preferences'
import {
  EMOJI_CATEGORIES,
  inTone,
  loadEmojiCatalog,
  searchEmoji,
  type CatalogEmoji,
  type EmojiCatalog,
} from '../emoji/emojiCatalog'
import { useTranslator } from '../stores/locale'
import { usePreferences } from '../stores/preferences'

interface Props {
  /** What the picker is for, e.g. "React to Jane's message sent at 10:02". */
  label: string
  /** Emoji shown pressed (the user's reactions on the message). */
  pressed?: ReadonlySet<string>
  /** The button that opened the picker, which toggles it itself: focus going there keeps it. */
  trigger?: RefObject<HTMLElement | null>
  onChoose(emoji: string): void
  /** Escape (`refocus`: focus goes back to the trigger), or focus leaving the picker. */
  onClose(refocus: boolean): void
}

/** Emoji per row of the grid: Up and Down move by this many. */
const COLUMNS = 9
const RECENT = -1

const messages = defineMessages({
  toneDefault: { id: 'emojiPicker.tone.default', defaultMessage: 'Default' },
  toneLight: { id: 'emojiPicker.tone.light', defaultMessage: 'Light' },
  toneMediumLight: { id: 'emojiPicker.tone.mediumLight', defaultMessage: 'Medium-light' },
  toneMedium: { id: 'emojiPicker.tone.medium', defaultMessage: 'Medium' },
  toneMediumDark: { id: 'emojiPicker.tone.mediumDark', defaultMessage: 'Medium-dark' },
  toneDark: { id: 'emojiPicker.tone.dark', defaultMessage: 'Dark' },
  loading: { id: 'emojiPicker.loading', defaultMessage: 'Loading emoji…' },
  results: { id: 'emojiPicker.results', defaultMessage: 'Search results' },
  recent: { id: 'emojiPicker.recent', defaultMessage: 'Recently used' },
  search: { id: 'emojiPicker.search', defaultMessage: 'Search emoji' },
  skinTone: { id: 'emojiPicker.skinTone', defaultMessage: 'Skin tone' },
  categories: { id: 'emojiPicker.categories', defaultMessage: 'Emoji categories' },
  smileys: { id: 'emojiPicker.category.smileys', defaultMessage: 'Smileys & emotion' },
  people: { id: 'emojiPicker.category.people', defaultMessage: 'People & body' },
  animals: { id: 'emojiPicker.category.animals', defaultMessage: 'Animals & nature' },
  food: { id: 'emojiPicker.category.food', defaultMessage: 'Food & drink' },
  travel: { id: 'emojiPicker.category.travel', defaultMessage: 'Travel & places' },
  activities: { id: 'emojiPicker.category.activities', defaultMessage: 'Activities' },
  objects: { id: 'emojiPicker.category.objects', defaultMessage: 'Objects' },
  symbols: { id: 'emojiPicker.category.symbols', defaultMessage: 'Symbols' },
  flags: { id: 'emojiPicker.category.flags', defaultMessage: 'Flags' },
})

const SKIN_TONES = [
  { tone: 0, name: messages.toneDefault, sample: '✋' },
  { tone: 1, name: messages.toneLight, sample: '✋🏻' },
  { tone: 2, name: messages.toneMediumLight, sample: '✋🏼' },
  { tone: 3, name: messages.toneMedium, sample: '✋🏽' },
  { tone: 4, name: messages.toneMediumDark, sample: '✋🏾' },
  { tone: 5, name: messages.toneDark, sample: '✋🏿' },
] as const satisfies readonly { tone: SkinTone; name: object; sample: string }[]

/** Each Unicode emoji group's name (EMOJI_CATEGORIES' groups). */
const CATEGORY_NAMES: Readonly<Record<number, (typeof messages)[keyof typeof messages]>> = {
  0: messages.smileys,
  1: messages.people,
  3: messages.animals,
  4: messages.food,
  5: messages.travel,
  6: messages.activities,
  7: messages.objects,
  8: messages.symbols,
  9: messages.flags,
}

/** A category's name in the window's language. */
function categoryName(intl: IntlShape, group: number, english: string): string {
  const name = CATEGORY_NAMES[group]
  return name ? intl.formatMessage(name) : english
}

/**
 * Every emoji (emojibase-data, loaded when the picker first opens): search by name, keyword or
 * `:shortcode:`, the recently used first, Unicode's categories as tabs, and the skin tone the user
 * chose. The grid is one tab stop: arrow keys move in it, Enter or Space chooses, Escape closes.
 * Choosing an emoji records it among the recently used (emoji/used).
 */
export function EmojiPicker({ label, pressed, trigger, onChoose, onClose }: Props) {
  const [catalog, setCatalog] = useState<EmojiCatalog | null>(null)
  const [query, setQuery] = useState('')
  const [tab, setTab] = useState<number | null>(null)
  const [active, setActive] = useState(0)
  const root = useRef<HTMLDivElement>(null)
  const grid = useRef<HTMLDivElement>(null)
  const id = useId()
  const recent = usePreferences((s) => s.prefs.recent_emoji)
  const tone = usePreferences((s) => s.prefs.emoji_skin_tone)
  const intl = useIntl()
  const { locale } = useTranslator()

  useEffect(() => {
    let live = true
    void loadEmojiCatalog(locale).then((loaded) => {
      if (live) setCatalog(loaded)
    })
    return () => {
      live = false
    }
  }, [locale])

  const shownTab = tab ?? (recent.length > 0 ? RECENT : EMOJI_CATEGORIES[0]!.group)
  const { heading, emoji } = useMemo((): { heading: string; emoji: string[] } => {
    if (!catalog) return { heading: intl.formatMessage(messages.loading), emoji: [] }
    if (query.trim() !== '') {
      return {
        heading: intl.formatMessage(messages.results),
        emoji: searchEmoji(catalog, query).map((item) => inTone(item, tone)),
      }
    }
    if (shownTab === RECENT) return { heading: intl.formatMessage(messages.recent), emoji: recent }
    const category = EMOJI_CATEGORIES.find((c) => c.group === shownTab)!
    const items: readonly CatalogEmoji[] = catalog.byGroup.get(category.group) ?? []
    return {
      heading: categoryName(intl, category.group, category.name),
      emoji: items.map((item) => inTone(item, tone)),
    }
  }, [catalog, query, shownTab, recent, tone, intl])

  const nameOf = (e: string) => catalog?.byEmoji.get(e)
  const at = Math.min(active, Math.max(0, emoji.length - 1))

  function choose(e: string) {
    void usePreferences.getState().emojiUsed(e)
    onChoose(e)
  }

  function focusCell(index: number) {
    setActive(index)
    grid.current?.querySelectorAll<HTMLButtonElement>('button')[index]?.focus()
  }

  function onGridKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    const last = emoji.length - 1
    const moves: Record<string, number> = {
      ArrowRight: at + 1,
      ArrowLeft: at - 1,
      ArrowDown: at + COLUMNS,
      ArrowUp: at - COLUMNS,
      Home: 0,
      End: last,
    }
    const to = moves[e.key]
    if (to === undefined) return
    e.preventDefault()
    focusCell(Math.max(0, Math.min(last, to)))
  }

  function onSearchKeyDown(e: KeyboardEvent<HTMLInputElement>) {
    if (e.key === 'Enter' && emoji.length > 0) {
      e.preventDefault()
      choose(emoji[0]!)
    } else if (e.key === 'ArrowDown' && emoji.length > 0) {
      e.preventDefault()
      focusCell(0)
    }
  }

  return (
    <div
      ref={root}
      className="emoji-picker"
      role="dialog"
      aria-label={label}
      data-testid="emoji-picker"
      onKeyDown={(e) => {
        if (e.key !== 'Escape') return
        e.preventDefault()
        e.stopPropagation()
        onClose(true)
      }}
      onBlur={(e) => {
        const to = e.relatedTarget as Node | null
        if (to && (root.current?.contains(to) || to === trigger?.current)) return
        onClose(false)
      }}
    >
      <div className="emoji-picker__bar">
        <input
          type="search"
          className="input emoji-picker__search"
          aria-label={intl.formatMessage(messages.search)}
          placeholder={intl.formatMessage(messages.search)}
          data-testid="emoji-search"
          autoFocus
          value={query}
          onChange={(e) => {
            setQuery(e.target.value)
            setActive(0)
          }}
          onKeyDown={onSearchKeyDown}
        />
        <select
          className="input emoji-picker__tone"
          aria-label={intl.formatMessage(messages.skinTone)}
          data-testid="emoji-skin-tone"
          value={tone}
          onChange={(e) =>
            void usePreferences.getState().setSkinTone(Number(e.target.value) as SkinTone)
          }
        >
          {SKIN_TONES.map((t) => (
            <option key={t.tone} value={t.tone}>
              {t.sample} {intl.formatMessage(t.name)}
            </option>
          ))}
        </select>
      </div>
      {query.trim() === '' && (
        <div
          className="emoji-picker__tabs"
          role="tablist"
          aria-label={intl.formatMessage(messages.categories)}
        >
          {[
            ...(recent.length > 0
              ? [{ group: RECENT, name: intl.formatMessage(messages.recent), sample: '🕘' }]
              : []),
            ...EMOJI_CATEGORIES.map((c) => ({
              group: c.group,
              name: categoryName(intl, c.group, c.name),
              sample: catalog?.byGroup.get(c.group)?.[0]?.emoji ?? '',
            })),
          ].map((c) => (
            <button
              key={c.group}
              type="button"
              role="tab"
              id={`${id}-tab-${c.group}`}
              className="emoji-picker__tab"
              data-testid="emoji-category"
              aria-selected={shownTab === c.group}
              aria-controls={`${id}-panel`}
              aria-label={c.name}
              title={c.name}
              onClick={() => {
                setTab(c.group)
                setActive(0)
              }}
            >
              <span aria-hidden="true">{c.sample}</span>
            </button>
          ))}
        </div>
      )}
      <div
        className="emoji-picker__panel"
        id={`${id}-panel`}
        role={query.trim() === '' ? 'tabpanel' : 'region'}
        aria-labelledby={`${id}-heading`}
      >
        <h3 className="emoji-picker__heading" id={`${id}-heading`}>
          {heading}
        </h3>
        {catalog && emoji.length === 0 && (
          <p className="small muted" role="status">
            <FormattedMessage
              id="emojiPicker.noMatch"
              defaultMessage="No emoji match “{query}”."
              values={{ query: <bdi>{query.trim()}</bdi> }}
            />
          </p>
        )}
        <div
          ref={grid}
          className="emoji-picker__grid"
          role="group"
          aria-labelledby={`${id}-heading`}
          data-testid="emoji-grid"
          onKeyDown={onGridKeyDown}
        >
          {emoji.map((e, i) => {
            const item = nameOf(e)
            const name = item?.label ?? e
            const codes = item?.shortcodes.map((c) => `:${c}:`).join(' ')
            // The shortcodes are the same in every language: only the name is translated.
            return (
              <button
                key={e}
                type="button"
                className="emoji-picker__emoji"
                data-testid="emoji-option"
                data-emoji={e}
                tabIndex={i === at ? 0 : -1}
                aria-label={name}
                aria-pressed={pressed ? pressed.has(e) : undefined}
                title={codes ? `${name} ${codes}` : name}
                onFocus={() => setActive(i)}
                onClick={() => choose(e)}
              >
                {e}
              </button>
            )
          })}
        </div>
      </div>
    </div>
  )
}
