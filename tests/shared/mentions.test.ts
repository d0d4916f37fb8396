import { describe, expect, it } from 'vitest'
import { findMentions, mentionsUser, sameUsername } from '../../src/shared/mentions'

const KNOWN = new Set(['bob', 'ann.lee', 'carol-x', 'dave.', 'eve_1'])
const known = (name: string) => KNOWN.has(name.toLowerCase())

/** The usernames mentioned, as written. */
function names(text: string): string[] {
  return findMentions(text, known).map((m) => m.username)
}

describe('findMentions', () => {
  it('finds @username at the start, after white space and after opening punctuation', () => {
    expect(names('@bob hi')).toEqual(['bob'])
    expect(names('hi @bob and\n@ann.lee')).toEqual(['bob', 'ann.lee'])
    expect(names('(@bob) "@carol-x" [@eve_1]')).toEqual(['bob', 'carol-x', 'eve_1'])
    expect(names('cc:@bob')).toEqual([])
  })

  it('gives the span of the mention in the text', () => {
    const text = 'thanks @bob!'
    const [mention] = findMentions(text, known)
    expect(mention).toEqual({ start: 7, end: 11, username: 'bob' })
    expect(text.slice(mention!.start, mention!.end)).toBe('@bob')
  })

  it('leaves punctuation after the username out of it', () => {
    expect(names('thanks @bob.')).toEqual(['bob'])
    expect(names('@bob, @ann.lee: @carol-x-')).toEqual(['bob', 'ann.lee', 'carol-x'])
    expect(names("@bob? @bob! @bob; @bob's")).toEqual(['bob', 'bob', 'bob', 'bob'])
    expect(findMentions('@ann.lee.', known)[0]).toMatchObject({ start: 0, end: 8 })
  })

  it('keeps a trailing dot that is part of a known username', () => {
    expect(names('ask @dave. now')).toEqual(['dave.'])
  })

  it('does not take e-mail addresses for mentions', () => {
    expect(names('write to bob@example.com')).toEqual([])
    expect(names('ann.lee@bob.org')).toEqual([])
    expect(names('@bob@example.com')).toEqual([])
    expect(names('mailto:bob@example.com')).toEqual([])
    // Not even when the domain is somebody's username.
    expect(findMentions('write to ann@bob.org or ann@bob', () => true)).toEqual([])
  })

  it('does not take URLs for mentions', () => {
    expect(names('https://medium.com/@bob/post')).toEqual([])
    expect(names('see https://example.com/a,@bob')).toEqual([])
    expect(names('www.example.com/(@bob)')).toEqual([])
    expect(names('https://bob@example.com/')).toEqual([])
    // A link next to a mention does not hide the mention.
    expect(names('https://example.com/x @bob')).toEqual(['bob'])
  })

  it('ignores usernames it is not told about, and runs too short or too long to be one', () => {
    expect(names('@alice @bo @nobody @')).toEqual([])
    expect(findMentions(`@${'a'.repeat(33)}`, () => true)).toEqual([])
    expect(findMentions(`@${'a'.repeat(32)}`, () => true)).toHaveLength(1)
    expect(findMentions('@ab', () => true)).toEqual([])
  })

  it('matches usernames without regard to ASCII case, keeping the spelling written', () => {
    expect(names('hi @Bob and @ANN.LEE')).toEqual(['Bob', 'ANN.LEE'])
    expect(sameUsername('Bob', 'bob')).toBe(true)
    expect(sameUsername('bob', 'bobby')).toBe(false)
  })
})

describe('mentionsUser', () => {
  it('is true only for a mention of that user', () => {
    expect(mentionsUser('ping @Bob.', 'bob')).toBe(true)
    expect(mentionsUser('ping @bobby', 'bob')).toBe(false)
    expect(mentionsUser('bob@example.com', 'bob')).toBe(false)
    expect(mentionsUser('no mention', 'bob')).toBe(false)
  })
})
