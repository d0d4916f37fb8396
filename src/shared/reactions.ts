import { Limits } from './limits'

/**
 * One emoji as Unicode recommends it for interchange (UTS #51's RGI set: every keyboard's and
 * picker's emoji, with their skin tones, ZWJ sequences such as families and professions, flags of
 * countries and subdivisions, and keycaps), anchored, so nothing else may come before or after it.
 * A property of strings needs the `v` flag, which the shared build target does not spell yet.
 */
const RGI_EMOJI = new RegExp('^\\p{RGI_Emoji}$', 'v')

/** A character that is an emoji but shows as text unless U+FE0F follows it (❤, ☺, ✌). */
const TEXT_DEFAULT = /^(?=\p{Emoji})\P{Emoji_Presentation}$/u
/** What may follow such a character inside its emoji in place of U+FE0F (a skin tone). */
const QUALIFIED_BY = /^[\uFE0F\p{Emoji_Modifier}]$/u
const VARIATION_SELECTOR_16 = '\uFE0F'

export const REACTION_EMOJI_PROBLEM =
  'emoji must be exactly one emoji (such as 👍), with no other text.'

/**
 * The form in which `text` is stored as a reaction, or null when it is not exactly one emoji.
 * The emoji's text-style spelling, without its U+FE0F (❤ as some keyboards type it, or ❤‍🔥), is
 * the same emoji as ❤️ and is stored fully qualified, so two spellings never make two chips.
 * What this runtime's Unicode does not know yet is refused (Node 24 and Chromium know the data
 * the app's picker offers: tests/renderer/emojiCatalog.test.ts checks every emoji of it).
 */
export function reactionEmoji(text: string): string | null {
  if (text.length === 0 || text.length > Limits.reactionEmojiMaxChars) return null
  if (RGI_EMOJI.test(text)) return text
  const qualified = fullyQualified(text)
  return qualified !== text && RGI_EMOJI.test(qualified) ? qualified : null
}

/** Why `emoji` cannot be a reaction, or null when it can (see reactionEmoji). */
export function reactionEmojiProblem(emoji: string): string | null {
  return reactionEmoji(emoji) === null ? REACTION_EMOJI_PROBLEM : null
}

/** `text` with U+FE0F after each text-style emoji character that lacks it. */
function fullyQualified(text: string): string {
  const points = [...text]
  return points
    .map((point, i) => {
      const next = points[i + 1]
      const bare = TEXT_DEFAULT.test(point) && (next === undefined || !QUALIFIED_BY.test(next))
      return bare ? point + VARIATION_SELECTOR_16 : point
    })
    .join('')
}
