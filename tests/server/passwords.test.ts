import { describe, expect, it } from 'vitest'
import { resolveOptions } from '../../server/config'
import { hashPassword, verifyPassword } from '../../server/services/passwords'

describe('password hashes', () => {
  it('are scrypt N=2^15, r=8, p=1 unless a server is told otherwise', async () => {
    expect(resolveOptions({}).scryptCost).toBe(32768)
    const hash = await hashPassword('correct horse battery')
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/)
    expect(await verifyPassword('correct horse battery', hash)).toBe(true)
    expect(await verifyPassword('correct horse battery!', hash)).toBe(false)
  })

  it('verify with the parameters stored in the hash, whatever the server makes now', async () => {
    const cheap = await hashPassword('pässword', { N: 1024, r: 8, p: 1 })
    expect(cheap.startsWith('scrypt$1024$8$1$')).toBe(true)
    // NFKC: the same password typed with a combining accent.
    expect(await verifyPassword('pa\u0308ssword', cheap)).toBe(true)
    expect(await verifyPassword('password', cheap)).toBe(false)
    expect(await verifyPassword('x', 'md5$abc')).toBe(false)
  })
})
