import {
  useEffect,
  useId,
  useMemo,
  useRef,
  useState,
  type KeyboardEvent,
  type RefObject,
} from 'react'
import type { SkinTone } from '../../../shared/preferences'
import {
  EMOJI_CATEGORIES,
  inTone,
  loadEmojiCatalog,
  searchEmoji,
  type CatalogEmoji,
  type EmojiCatalog,
} from '../emoji/emojiCatalog'
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

const SKIN_TONES: readonly { tone: SkinTone; name: string; sample: string }[] = [
  { tone: 0, name: 'Default', sample: '✋' },
  { tone: 1, name: 'Light', sample: '✋🏻' },
  { tone: 2, name: 'Medium-light', sample: '✋🏼' },
  { tone: 3, name: 'Medium', sample: '✋🏽' },
  { tone: 4, name: 'Medium-dark', sample: '✋🏾' },
  { tone: 5, name: 'Dark', sample: '✋🏿' },
]

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

  useEffect(() => {
    let live = true
    void loadEmojiCatalog().then((loaded) => {
      if (live) setCatalog(loaded)
    })
    return () => {
      live = false
    }
  }, [])

  const shownTab = tab ?? (recent.length > 0 ? RECENT : EMOJI_CATEGORIES[0]!.group)
  const { heading, emoji } = useMemo((): { heading: string; emoji: string[] } => {
    if (!catalog) return { heading: 'Loading emoji…', emoji: [] }
    if (query.trim() !== '') {
      return {
        heading: 'Search results',
        emoji: searchEmoji(catalog, query).map((item) => inTone(item, tone)),
      }
    }
    if (shownTab === RECENT) return { heading: 'Recently used', emoji: recent }
    const category = EMOJI_CATEGORIES.find((c) => c.group === shownTab)!
    const items: readonly CatalogEmoji[] = catalog.byGroup.get(category.group) ?? []
    return { heading: category.name, emoji: items.map((item) => inTone(item, tone)) }
  }, [catalog, query, shownTab, recent, tone])

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
          aria-label="Search emoji"
          placeholder="Search emoji"
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
          aria-label="Skin tone"
          data-testid="emoji-skin-tone"
          value={tone}
          onChange={(e) =>
            void usePreferences.getState().setSkinTone(Number(e.target.value) as SkinTone)
          }
        >
          {SKIN_TONES.map((t) => (
            <option key={t.tone} value={t.tone}>
              {t.sample} {t.name}
            </option>
          ))}
        </select>
      </div>
      {query.trim() === '' && (
        <div className="emoji-picker__tabs" role="tablist" aria-label="Emoji categories">
          {[
            ...(recent.length > 0 ? [{ group: RECENT, name: 'Recently used', sample: '🕘' }] : []),
            ...EMOJI_CATEGORIES.map((c) => ({
              ...c,
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
            No emoji match “{query.trim()}”.
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
