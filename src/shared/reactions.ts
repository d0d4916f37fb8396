import { Limits } from './limits'

/**
 * A pictographic emoji with what may follow it inside one emoji: variation selectors, skin tones,
 * hair components, zero-width joiners with further pictographs, and the tags of subdivision flags.
 */
const PICTOGRAPHIC = /^\p{Extended_Pictographic}[\p{Extended_Pictographic}\p{Emoji_Component}]*$/u
const FLAG = /^\p{Regional_Indicator}{2}$/u
const KEYCAP = /^[0-9#*]\uFE0F?\u20E3$/u

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' })

/** Why `emoji` cannot be a reaction, or null when it can: exactly one emoji, nothing else. */
export function reactionEmojiProblem(emoji: string): string | null {
  const problem = 'emoji must be exactly one emoji (such as 👍), with no other text.'
  if (emoji.length === 0 || emoji.length > Limits.reactionEmojiMaxChars) return problem
  let count = 0
  for (const _segment of graphemes.segment(emoji)) {
    if (++count > 1) return problem
  }
  return PICTOGRAPHIC.test(emoji) || FLAG.test(emoji) || KEYCAP.test(emoji) ? null : problem
}
