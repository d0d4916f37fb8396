/** A text and its selection (`start` to `end`, as a textarea has them). */
export interface Edit {
  text: string
  start: number
  end: number
}

/** The markers Ctrl/Cmd+B and Ctrl/Cmd+I put around a selection. `_` for italic, so that toggling
 * it inside `**bold**` never takes a star of the bold's. */
export const BOLD = '**'
export const ITALIC = '_'

/**
 * Toggles `marker` around the selection, as a word processor's Bold does: a selection already
 * between the markers (or holding them at its ends) loses them; any other is wrapped, without
 * the white space at its ends (`** word**` would not be bold), and stays selected. With nothing
 * selected, the markers go either side of the caret, which lands between them.
 */
export function toggleMarker({ text, start, end }: Edit, marker: string): Edit {
  const size = marker.length
  const before = text.slice(Math.max(0, start - size), start)
  const after = text.slice(end, end + size)
  if (before === marker && after === marker) {
    return {
      text: text.slice(0, start - size) + text.slice(start, end) + text.slice(end + size),
      start: start - size,
      end: end - size,
    }
  }
  const selected = text.slice(start, end)
  if (selected.length >= 2 * size && selected.startsWith(marker) && selected.endsWith(marker)) {
    const inner = selected.slice(size, selected.length - size)
    return {
      text: text.slice(0, start) + inner + text.slice(end),
      start,
      end: start + inner.length,
    }
  }
  const from = start + (selected.length - selected.trimStart().length)
  const to = Math.max(from, end - (selected.length - selected.trimEnd().length))
  return {
    text: text.slice(0, from) + marker + text.slice(from, to) + marker + text.slice(to),
    start: from + size,
    end: to + size,
  }
}
