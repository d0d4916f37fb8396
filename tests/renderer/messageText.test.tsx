import { describe, expect, it } from 'vitest'
import { MessageText } from '../../src/renderer/src/formatting/MessageText'
import { mentionDirectory } from '../../src/renderer/src/mentions'
import { JANE, ME } from './fakeTidings'
import { renderWithIntl } from './intl'

// A message's Markdown as React elements: formatting shown, raw HTML as text, only links main
// opens as anchors, mentions and bare links as in plain text, code left alone.

const SELF = { ...ME, username: 'mia' }
const MENTIONS = mentionDirectory({ [JANE.id]: { ...JANE, online: true } }, SELF)

function render(text: string): string {
  return renderWithIntl(<MessageText text={text} mentions={MENTIONS} />)
}

describe('MessageText', () => {
  it('shows plain text without the parser, as before', () => {
    const html = render('see you at 5')
    expect(html).toBe('<p class="message__text" dir="auto">see you at 5</p>')
  })

  it('renders bold, italic, strikethrough, inline code, quotes and lists', () => {
    const html = render('**b** _i_ ~~s~~ `c`\n\n> q\n\n- one\n- two\n\n1. first')
    expect(html).toContain('data-testid="formatted-text"')
    expect(html).toContain('<strong>b</strong>')
    expect(html).toContain('<em>i</em>')
    expect(html).toContain('<del>s</del>')
    expect(html).toContain('<code>c</code>')
    // Each block is laid out by its own first letter: right to left when that is Arabic or Hebrew.
    expect(html).toMatch(/<blockquote>\s*<p dir="auto">q<\/p>\s*<\/blockquote>/)
    expect(html).toMatch(/<ul dir="auto">\s*<li>one<\/li>\s*<li>two<\/li>\s*<\/ul>/)
    expect(html).toMatch(/<ol dir="auto">\s*<li>first<\/li>\s*<\/ol>/)
  })

  it('shows raw HTML as typed text, never as elements', () => {
    const html = render('**hi** <img src=x onerror="alert(1)"> <script>alert(2)</script>')
    expect(html).not.toContain('<img')
    expect(html).not.toContain('<script')
    expect(html).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;')
    expect(html).toContain('&lt;script&gt;alert(2)&lt;/script&gt;')
  })

  it('links only what main opens: a javascript: link shows its text alone', () => {
    const html = render('[docs](https://example.com/d) and [bad](javascript:alert(1)) *x*')
    expect(html).toContain(
      '<a href="https://example.com/d" title="https://example.com/d" target="_blank" rel="noopener noreferrer" class="text-link">docs</a>',
    )
    expect(html).not.toContain('javascript:')
    expect(html).toContain('<span>bad</span>')
  })

  it('keeps mentions and bare links inside formatting, but not inside code', () => {
    const html = render(`**@${JANE.username}** see example.com \`@${JANE.username} example.com\``)
    expect(html).toContain('class="mention"')
    expect(html).toContain('href="https://example.com"')
    expect(html).toContain(`<code>@${JANE.username} example.com</code>`)
  })

  it('shows a fenced block as a focusable code block naming its language', () => {
    const html = render('```ts\nconst a = 1\n```')
    expect(html).toContain('data-testid="code-block"')
    expect(html).toContain('data-language="ts"')
    expect(html).toContain('aria-label="Code (ts)"')
    // Code reads left to right even inside a message written right to left.
    expect(html).toContain('dir="ltr"')
    expect(html).toContain('tabindex="0"')
    expect(html).toContain('const a = 1')
  })

  it('leaves headings and rules as the text typed', () => {
    const html = render('#1 priority\n---\n*now*')
    expect(html).toContain('#1 priority')
    expect(html).not.toContain('<h1')
    expect(html).not.toContain('<hr')
  })
})
