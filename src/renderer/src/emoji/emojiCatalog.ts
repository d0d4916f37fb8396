import { isPseudoLocale, type AppLocale } from '../../../shared/i18n/locales'
import { accent } from '../../../shared/i18n/pseudo'
import { reactionEmoji } from '../../../shared/reactions'
import type { SkinTone } from '../../../shared/preferences'

/** One emoji of emojibase-data's compact set (the fields the picker reads). */
export interface CompactEmoji {
  group?: number
  hexcode: string
  label: string
  order?: number
  tags?: string[]
  unicode: string
  skins?: CompactEmoji[]
}

/** emojibase-data's shortcodes: hexcode to one shortcode or several. */
export type Shortcodes = Record<string, string | string[]>

/** An emoji as the picker offers it. */
export interface CatalogEmoji {
  /** The emoji as a reaction stores it (see `asReaction`). */
  emoji: string
  /** Its CLDR name ("thumbs up"), what a screen reader says and what search matches first. */
  label: string
  group: number
  /** CLDR keywords and shortcodes, lower case, for search. */
  keywords: string[]
  /** `:shortcode:` names without colons (GitHub's / Slack's spellings). */
  shortcodes: string[]
  /** The emoji in each skin tone, 1 (light) to 5 (dark), when it has them. */
  tones?: Partial<Record<SkinTone, string>>
}

/** A tab of the picker: an emoji group of Unicode's, with the name shown. */
export interface EmojiCategory {
  group: number
  name: string
}

/** Unicode's groups, in its order, without "component" (skin tones and hair alone). */
export const EMOJI_CATEGORIES: readonly EmojiCategory[] = [
  { group: 0, name: 'Smileys & emotion' },
  { group: 1, name: 'People & body' },
  { group: 3, name: 'Animals & nature' },
  { group: 4, name: 'Food & drink' },
  { group: 5, name: 'Travel & places' },
  { group: 6, name: 'Activities' },
  { group: 7, name: 'Objects' },
  { group: 8, name: 'Symbols' },
  { group: 9, name: 'Flags' },
]

export interface EmojiCatalog {
  all: readonly CatalogEmoji[]
  byGroup: ReadonlyMap<number, readonly CatalogEmoji[]>
  /** Every spelling the picker shows (each tone too), to the emoji it belongs to. */
  byEmoji: ReadonlyMap<string, CatalogEmoji>
}

const SKIN_TONE_POINTS = ['1F3FB', '1F3FC', '1F3FD', '1F3FE', '1F3FF']

/**
 * emojibase's spelling as a reaction stores it: emojibase writes U+FE0F after some emoji whose
 * RGI form has none (😐️, 👍️), which is not an RGI emoji; those lose it. Null when the runtime's
 * Unicode does not know the emoji (tests/renderer/emojiCatalog.test.ts checks there is none).
 */
export function asReaction(unicode: string): string | null {
  return reactionEmoji(unicode) ?? reactionEmoji(unicode.replace(/\uFE0F/g, ''))
}

/** The one skin tone of a variant's hexcode (every person in it the same), or null. */
function toneOf(hexcode: string): SkinTone | null {
  const tones = new Set(hexcode.split('-').filter((p) => SKIN_TONE_POINTS.includes(p)))
  if (tones.size !== 1) return null
  return (SKIN_TONE_POINTS.indexOf([...tones][0]!) + 1) as SkinTone
}

function listOf(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value]
}

/**
 * The names emoji are shown with in a language other than English: emojibase's CLDR names
 * and keywords of that language by hexcode, or (the pseudo-locale) the English names accented.
 */
export type EmojiNames = (entry: CompactEmoji) => { label: string; tags: readonly string[] }

/** English's own names. */
const ENGLISH_NAMES: EmojiNames = (entry) => ({ label: entry.label, tags: [] })

/** Names from another language's compact set; an emoji it lacks keeps its English name. */
export function namesFrom(localized: readonly CompactEmoji[]): EmojiNames {
  const byHexcode = new Map(localized.map((e) => [e.hexcode, e]))
  return (entry) => {
    const found = byHexcode.get(entry.hexcode)
    return found
      ? { label: found.label, tags: [...(found.tags ?? []), ...found.label.split(/[\s:,]+/)] }
      : ENGLISH_NAMES(entry)
  }
}

/**
 * The picker's catalog from emojibase-data's compact English set and its shortcodes, with names
 * in the window's language (`names`); search finds an emoji by its English name and keywords too.
 */
export function buildCatalog(
  data: readonly CompactEmoji[],
  shortcodes: Shortcodes,
  names: EmojiNames = ENGLISH_NAMES,
): EmojiCatalog {
  const all: CatalogEmoji[] = []
  const byEmoji = new Map<string, CatalogEmoji>()
  const sorted = data
    .filter((e) => e.group !== undefined && EMOJI_CATEGORIES.some((c) => c.group === e.group))
    .sort((a, b) => (a.order ?? 0) - (b.order ?? 0))
  for (const entry of sorted) {
    const emoji = asReaction(entry.unicode)
    if (emoji === null) continue
    const codes = listOf(shortcodes[entry.hexcode])
    const shown = names(entry)
    const english = shown.label === entry.label ? [] : entry.label.split(/[\s:,]+/)
    const item: CatalogEmoji = {
      emoji,
      label: shown.label,
      group: entry.group!,
      shortcodes: codes,
      keywords: [...shown.tags, ...english, ...(entry.tags ?? []), ...codes].map((k) =>
        k.toLowerCase(),
      ),
    }
    for (const skin of entry.skins ?? []) {
      const tone = toneOf(skin.hexcode)
      const toned = tone === null ? null : asReaction(skin.unicode)
      if (tone === null || toned === null) continue
      ;(item.tones ??= {})[tone] = toned
      byEmoji.set(toned, item)
    }
    all.push(item)
    byEmoji.set(emoji, item)
  }
  const byGroup = new Map<number, CatalogEmoji[]>()
  for (const item of all) {
    const list = byGroup.get(item.group) ?? []
    list.push(item)
    byGroup.set(item.group, list)
  }
  return { all, byGroup, byEmoji }
}

/** The emoji in the user's skin tone, when it has that tone. */
export function inTone(item: CatalogEmoji, tone: SkinTone): string {
  return (tone !== 0 && item.tones?.[tone]) || item.emoji
}

/**
 * Emoji whose name, keyword or shortcode matches every word of `query` (at the start of one of
 * its words), best first: a name starting with the query, then a shortcode, then the rest, each
 * in Unicode's order.
 */
export function searchEmoji(catalog: EmojiCatalog, query: string, limit = 64): CatalogEmoji[] {
  const words = query.toLowerCase().replace(/:/g, ' ').trim().split(/\s+/).filter(Boolean)
  if (words.length === 0) return []
  const scored: { item: CatalogEmoji; score: number }[] = []
  for (const item of catalog.all) {
    const label = item.label.toLowerCase()
    const terms = [
      ...label.split(/[\s:,]+/),
      ...item.keywords,
      ...item.keywords.flatMap((k) => k.split('_')),
    ]
    if (!words.every((w) => terms.some((t) => t.startsWith(w)))) continue
    const whole = words.join(' ')
    const score = label.startsWith(whole)
      ? 0
      : item.shortcodes.some((s) => s.startsWith(words.join('_')))
        ? 1
        : 2
    scored.push({ item, score })
  }
  return scored
    .sort((a, b) => a.score - b.score)
    .slice(0, limit)
    .map((s) => s.item)
}

/** The names of each language Tidings speaks besides English (each loaded when first asked). */
async function namesOf(locale: AppLocale): Promise<EmojiNames> {
  if (isPseudoLocale(locale)) return (entry) => ({ label: accent(entry.label), tags: [] })
  if (locale === 'de') {
    const data = await import('emojibase-data/de/compact.json')
    return namesFrom(data.default as CompactEmoji[])
  }
  return ENGLISH_NAMES
}

const loading = new Map<AppLocale, Promise<EmojiCatalog>>()

/**
 * The catalog with names in `locale`, its data (about 600 KB, and as much for the names of
 * another language) loaded the first time a picker opens in that language.
 */
export function loadEmojiCatalog(locale: AppLocale): Promise<EmojiCatalog> {
  let catalog = loading.get(locale)
  if (!catalog) {
    catalog = Promise.all([
      import('emojibase-data/en/compact.json'),
      import('emojibase-data/en/shortcodes/github.json'),
      namesOf(locale),
    ]).then(([data, codes, names]) =>
      buildCatalog(data.default as CompactEmoji[], codes.default as Shortcodes, names),
    )
    loading.set(locale, catalog)
  }
  return catalog
}
