import { describe, expect, it } from 'vitest'
import {
  headerValue,
  htmlToText,
  messageIds,
  normalizeSubject,
  replySubject,
} from '../../server/email/threading'

describe('mail threading helpers', () => {
  it('normalizes subjects across reply and forward prefixes, list tags, case and spaces', () => {
    expect(normalizeSubject('Re: RE:  Fwd: [team] Quarterly   Report')).toBe('quarterly report')
    expect(normalizeSubject('AW: Quarterly report')).toBe('quarterly report')
    expect(normalizeSubject('Re[2]: Quarterly report')).toBe('quarterly report')
    expect(normalizeSubject('Regarding the report')).toBe('regarding the report')
    expect(normalizeSubject(null)).toBe('')
  })

  it('prefixes a reply subject once', () => {
    expect(replySubject('Lunch')).toBe('Re: Lunch')
    expect(replySubject('RE: Lunch')).toBe('RE: Lunch')
    expect(replySubject('AW: Lunch')).toBe('AW: Lunch')
    expect(replySubject('Fwd: Budget plan')).toBe('Re: Fwd: Budget plan')
    expect(replySubject('WG: Budget plan')).toBe('Re: WG: Budget plan')
  })

  it('extracts message ids and folded header values', () => {
    expect(messageIds('<a@x> <b@y>\t<c@z>')).toEqual(['<a@x>', '<b@y>', '<c@z>'])
    expect(messageIds('no ids here')).toEqual([])
    const block = 'Message-ID: <m@x>\r\nReferences: <a@x>\r\n <b@y>\r\nSubject: s'
    expect(headerValue(block, 'references')).toBe('<a@x> <b@y>')
    expect(headerValue(block, 'in-reply-to')).toBeNull()
  })

  it('renders html as readable text', () => {
    expect(htmlToText('<p>Hi &amp; welcome</p><style>p{}</style><br>Bye')).toBe(
      'Hi & welcome\n\nBye',
    )
  })
})
