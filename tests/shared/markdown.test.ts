import { describe, expect, it } from 'vitest'
import { mentionsUser } from '../../src/shared/mentions'
import { mayHaveMarkup, plainLine, plainText, proseText } from '../../src/shared/markdown'

// One definition of chat Markdown for every reader: what notifications, previews, quotes and the
// search index show is the message as it reads, without its markers.

describe('plainText', () => {
  it('drops the markers of bold, italic, strikethrough, code and links', () => {
    expect(plainText('**bold** *it* _it_ ~~gone~~ `x = 1` [the docs](https://example.com)')).toBe(
      'bold it it gone x = 1 the docs',
    )
  })

  it('keeps a line for each quote line, list item and code line', () => {
    expect(plainText('> quoted\n\n- one\n- two\n\n1. first\n```ts\nconst a = 1\nlet b\n```')).toBe(
      'quoted\none\ntwo\nfirst\nconst a = 1\nlet b',
    )
  })

  it('leaves what chat text means otherwise as typed: headings, rules, HTML, images, one tilde', () => {
    expect(plainText('#1 priority')).toBe('#1 priority')
    expect(plainText('<b>not bold</b>')).toBe('<b>not bold</b>')
    expect(plainText('<script>alert(1)</script>')).toBe('<script>alert(1)</script>')
    expect(plainText('about ~5 minutes~ ago')).toBe('about ~5 minutes~ ago')
    expect(plainText('![alt](https://example.com/x.png)')).toBe('!alt')
    expect(plainText('    indented code').trim()).toBe('indented code')
  })

  it('returns plain text as it is, without parsing', () => {
    expect(mayHaveMarkup('see you at 5, ok?')).toBe(false)
    expect(plainText('see you at 5, ok?')).toBe('see you at 5, ok?')
    expect(mayHaveMarkup('a *b*')).toBe(true)
    expect(mayHaveMarkup('- item')).toBe(true)
  })

  it('puts a preview on one line', () => {
    expect(plainLine('**Release**\n\n- build\n- ship')).toBe('Release build ship')
  })
})

describe('proseText', () => {
  it('gives each run of text its line, leaving code and the text of links out', () => {
    expect(proseText('ask `@bob` or\n```\n@carol\n```\n**@dave** [@erin](https://e.example)')).toBe(
      'ask \n or\n@dave\n ',
    )
    expect(proseText('no markup @bob')).toBe('no markup @bob')
  })

  it('so an @name in code mentions nobody', () => {
    expect(mentionsUser('ping `@bob`', 'bob')).toBe(false)
    expect(mentionsUser('```\n@bob\n```', 'bob')).toBe(false)
    expect(mentionsUser('**@bob** look', 'bob')).toBe(true)
  })
})
