import { useEffect, useState, type RefObject } from 'react'
import { useIntl } from 'react-intl'
import type { AppLocale } from '../../../shared/i18n/locales'
import { inTone, loadEmojiCatalog, type EmojiCatalog } from '../emoji/emojiCatalog'
import { insertEmoji, shortcodeOptions, shortcodeQueryAt } from '../emoji/shortcodeQuery'
import { useTranslator } from '../stores/locale'
import { usePreferences } from '../stores/preferences'
import type { MentionAutocomplete } from './MentionAutocomplete'
import { useCaretCompletion } from './useCaretCompletion'

interface Options {
  input: RefObject<HTMLTextAreaElement | null>
  text: string
  /** Replaces the composer's text (as typing would: the draft and typing notice follow). */
  onText(text: string): void
}

/**
 * `:shortcode:` completion in the composer, the same combobox as @mentions: typing `:` and two
 * letters (`:ta`) lists matching emoji (`:tada:` 🎉, by shortcode, then name); a pick puts the
 * emoji, in the user's skin tone, in place of what was typed, and counts as recently used. The
 * emoji data loads the first time a `:` query appears.
 */
export function useShortcodeAutocomplete({ input, text, onText }: Options): MentionAutocomplete {
  const intl = useIntl()
  const { locale } = useTranslator()
  // The catalog of the window's language (its emoji names); another is loaded after a switch.
  const [loaded, setLoaded] = useState<{ locale: AppLocale; catalog: EmojiCatalog } | null>(null)
  const catalog = loaded?.locale === locale ? loaded.catalog : null
  const tone = usePreferences((s) => s.prefs.emoji_skin_tone)
  const completion = useCaretCompletion({
    input,
    text,
    onText,
    queryAt: shortcodeQueryAt,
    options: (query) => (catalog ? shortcodeOptions(catalog, query.query) : []),
    insert: (written, query, caret, item) => {
      const next = insertEmoji(written, query, caret, item, tone)
      void usePreferences.getState().emojiUsed(next.emoji)
      return next
    },
  })
  const { open, options, current, optionId, pick, wanted } = completion

  useEffect(() => {
    if (!wanted || catalog) return
    let live = true
    void loadEmojiCatalog(locale).then((ready) => {
      if (live) setLoaded({ locale, catalog: ready })
    })
    return () => {
      live = false
    }
  }, [wanted, catalog, locale])

  const listbox = open ? (
    <ul
      id={completion.listId}
      role="listbox"
      aria-label={intl.formatMessage({ id: 'shortcodes.list.label', defaultMessage: 'Emoji' })}
      className="mention-list"
      data-testid="shortcode-list"
    >
      {options.map((item, i) => (
        <li
          key={item.emoji}
          id={optionId(i)}
          role="option"
          aria-selected={i === current}
          className={`mention-list__option${i === current ? ' mention-list__option--active' : ''}`}
          data-testid="shortcode-option"
          data-emoji={inTone(item, tone)}
          // Keeps the focus (and the caret) in the textarea.
          onMouseDown={(e) => e.preventDefault()}
          onClick={() => pick(i)}
        >
          <span aria-hidden="true">{inTone(item, tone)}</span>{' '}
          <span className="mention-list__name">{item.label}</span>
          {item.shortcodes[0] && (
            <span className="muted" translate="no">
              {' '}
              :{item.shortcodes[0]}:
            </span>
          )}
        </li>
      ))}
    </ul>
  ) : null

  return { inputProps: completion.inputProps, onKeyDown: completion.onKeyDown, listbox }
}
