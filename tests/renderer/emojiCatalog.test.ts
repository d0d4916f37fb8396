import deCompact from 'emojibase-data/de/compact.json'
import compact from 'emojibase-data/en/compact.json'
import github from 'emojibase-data/en/shortcodes/github.json'
import { describe, expect, it } from 'vitest'
import { reactionEmoji } from '../../src/shared/reactions'
import {
  EMOJI_CATEGORIES,
  buildCatalog,
  inTone,
  namesFrom,
  searchEmoji,
  type CompactEmoji,
  type Shortcodes,
} from '../../src/renderer/src/emoji/emojiCatalog'
import {
  insertEmoji,
  shortcodeOptions,
  shortcodeQueryAt,
} from '../../src/renderer/src/emoji/shortcodeQuery'

// The picker's emoji come from emojibase-data: every one of them (each skin tone too) must be an
// emoji the server takes as a reaction, in the Unicode this Node knows.

const data = compact as CompactEmoji[]
const shortcodes = github as Shortcodes
const catalog = buildCatalog(data, shortcodes)

describe('emoji catalog', () => {
  it('offers every categorized emoji of emojibase, each one a reaction the server accepts', () => {
    const offered = data.filter((e) => EMOJI_CATEGORIES.some((c) => c.group === e.group))
    expect(catalog.all.length).toBe(offered.length)
    expect(catalog.all.length).toBeGreaterThan(1800)
    for (const item of catalog.all) {
      expect(reactionEmoji(item.emoji), item.label).toBe(item.emoji)
      for (const toned of Object.values(item.tones ?? {})) {
        expect(reactionEmoji(toned), item.label).toBe(toned)
      }
    }
  })

  it('fills each category in Unicode order, without the skin tone components', () => {
    expect(catalog.byGroup.get(0)![0]!.label).toBe('grinning face')
    expect(catalog.byGroup.has(2)).toBe(false)
    expect(catalog.byGroup.get(9)!.some((e) => e.label === 'flag: Germany')).toBe(true)
  })

  it('gives an emoji in the chosen skin tone when it has them', () => {
    const thumbs = catalog.byEmoji.get('👍')!
    expect(thumbs.label).toBe('thumbs up')
    expect(inTone(thumbs, 0)).toBe('👍')
    expect(inTone(thumbs, 4)).toBe('👍🏾')
    expect(catalog.byEmoji.get('👍🏾')).toBe(thumbs)
    const rocket = catalog.byEmoji.get('🚀')!
    expect(inTone(rocket, 4)).toBe('🚀')
  })

  it('finds emoji by name, keyword and shortcode, names first', () => {
    expect(searchEmoji(catalog, 'thumbs')[0]!.emoji).toBe('👍')
    expect(searchEmoji(catalog, ':+1').map((e) => e.emoji)).toContain('👍')
    expect(searchEmoji(catalog, 'tada')[0]!.emoji).toBe('🎉')
    expect(searchEmoji(catalog, 'red heart')[0]!.emoji).toBe('❤️')
    expect(searchEmoji(catalog, 'zzqx')).toEqual([])
    expect(searchEmoji(catalog, '  ')).toEqual([])
  })

  it('names emoji in German (CLDR) and still finds them by English words and shortcodes', () => {
    const german = buildCatalog(data, shortcodes, namesFrom(deCompact as CompactEmoji[]))
    expect(german.all.length).toBe(catalog.all.length)
    expect(german.byGroup.get(0)![0]!.label).toBe('grinsendes Gesicht')
    expect(searchEmoji(german, 'rakete')[0]!.emoji).toBe('🚀')
    expect(searchEmoji(german, 'rocket')[0]!.emoji).toBe('🚀')
    expect(searchEmoji(german, 'tada')[0]!.emoji).toBe('🎉')
  })
})

describe('composer :shortcode: completion', () => {
  it('finds the query at the caret after a space or the start, with two characters or more', () => {
    expect(shortcodeQueryAt(':ta', 3)).toEqual({ start: 0, query: 'ta' })
    expect(shortcodeQueryAt('ship it :+1', 11)).toEqual({ start: 8, query: '+1' })
    expect(shortcodeQueryAt('ship it :t', 10)).toBeNull()
    expect(shortcodeQueryAt('at 12:30', 8)).toBeNull()
    expect(shortcodeQueryAt('see https://x', 13)).toBeNull()
    expect(shortcodeQueryAt(':tada', 5, 3)).toBeNull()
  })

  it('offers shortcodes by prefix, shortest first, then names', () => {
    expect(shortcodeOptions(catalog, 'tada')[0]!.emoji).toBe('🎉')
    expect(shortcodeOptions(catalog, '+1')[0]!.emoji).toBe('👍')
    expect(shortcodeOptions(catalog, 'rocke').map((e) => e.emoji)).toContain('🚀')
    expect(shortcodeOptions(catalog, 'tada').length).toBeLessThanOrEqual(8)
  })

  it('puts the emoji, in the skin tone, where the query was', () => {
    const thumbs = catalog.byEmoji.get('👍')!
    const query = shortcodeQueryAt('ok :+1 now', 6)!
    expect(insertEmoji('ok :+1 now', query, 6, thumbs, 2)).toEqual({
      text: 'ok 👍🏼 now',
      caret: 3 + '👍🏼'.length,
      emoji: '👍🏼',
    })
  })
})
