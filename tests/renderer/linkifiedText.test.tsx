import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { LinkifiedText } from '../../src/renderer/src/components/LinkifiedText'

// Message text goes through linkifyjs; only links that main would open in the system browser
// become anchors, and the text around them is rendered as it was.

function render(text: string): string {
  return renderToStaticMarkup(<LinkifiedText text={text} />)
}

function anchor(href: string, text: string): string {
  return `<a href="${href}" target="_blank" rel="noopener noreferrer" class="text-link">${text}</a>`
}

describe('LinkifiedText', () => {
  it('links http(s) URLs, opening in a new window without opener or referrer', () => {
    expect(render('see https://example.com/a?b=c&d=e now')).toBe(
      `see ${anchor('https://example.com/a?b=c&amp;d=e', 'https://example.com/a?b=c&amp;d=e')} now`,
    )
    expect(render('http://example.org')).toBe(anchor('http://example.org', 'http://example.org'))
  })

  it('links bare www. and domain links over https', () => {
    expect(render('go to www.example.com.')).toBe(
      `go to ${anchor('https://www.example.com', 'www.example.com')}.`,
    )
    expect(render('example.org/path')).toBe(anchor('https://example.org/path', 'example.org/path'))
  })

  it('leaves other schemes, email addresses and credentials as text', () => {
    for (const text of [
      'javascript:alert(1)',
      'file:///etc/passwd',
      'mailto:someone@example.com',
      'someone@example.com',
      'slack://open?team=T1',
      'ftp://files.example.com/a',
      'https://user:pass@example.com/',
      'no links here',
    ]) {
      expect(render(text), text).not.toContain('<a')
    }
  })

  it('keeps line breaks and escapes markup in the text', () => {
    expect(render('one\nhttps://example.com\n<b>two</b>')).toBe(
      `one\n${anchor('https://example.com', 'https://example.com')}\n&lt;b&gt;two&lt;/b&gt;`,
    )
  })
})
