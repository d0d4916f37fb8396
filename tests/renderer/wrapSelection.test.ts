import { describe, expect, it } from 'vitest'
import { BOLD, ITALIC, toggleMarker } from '../../src/renderer/src/formatting/wrapSelection'

describe('toggleMarker (Ctrl/Cmd+B and Ctrl/Cmd+I)', () => {
  it('wraps the selection and keeps it selected', () => {
    expect(toggleMarker({ text: 'make it bold', start: 8, end: 12 }, BOLD)).toEqual({
      text: 'make it **bold**',
      start: 10,
      end: 14,
    })
  })

  it('leaves the white space at the ends of the selection outside the markers', () => {
    expect(toggleMarker({ text: 'a word here', start: 1, end: 7 }, ITALIC)).toEqual({
      text: 'a _word_ here',
      start: 3,
      end: 7,
    })
  })

  it('unwraps a selection between markers, or holding them at its ends', () => {
    expect(toggleMarker({ text: 'x **b** y', start: 4, end: 5 }, BOLD)).toEqual({
      text: 'x b y',
      start: 2,
      end: 3,
    })
    expect(toggleMarker({ text: 'x _i_ y', start: 2, end: 5 }, ITALIC)).toEqual({
      text: 'x i y',
      start: 2,
      end: 3,
    })
  })

  it('puts the caret between the markers when nothing is selected', () => {
    expect(toggleMarker({ text: 'ab', start: 1, end: 1 }, BOLD)).toEqual({
      text: 'a****b',
      start: 3,
      end: 3,
    })
  })

  it('italic inside bold takes no star of the bold', () => {
    const bold = toggleMarker({ text: 'word', start: 0, end: 4 }, BOLD)
    const both = toggleMarker(bold, ITALIC)
    expect(both).toEqual({ text: '**_word_**', start: 3, end: 7 })
    expect(toggleMarker(both, ITALIC)).toEqual(bold)
  })
})
