import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { resolveOptions } from '../../server/config'
import { LIMIT_FLAGS, LimitFlagError, limitHelp, limitOptions } from '../../server/limitFlags'

describe('the limit flags of the CLI', () => {
  it('show the defaults the server uses', () => {
    const defaults = resolveOptions({})
    for (const flag of LIMIT_FLAGS) {
      expect(defaults, flag.name).toMatchObject(flag.apply(Number(flag.shown)))
    }
  })

  it('take each flag, else its environment variable; the flag wins', () => {
    for (const flag of LIMIT_FLAGS) {
      expect(limitOptions({ [flag.name]: '7' }, {}), flag.name).toEqual(flag.apply(7))
      expect(limitOptions({}, { [flag.env]: '8' }), flag.env).toEqual(flag.apply(8))
      expect(limitOptions({ [flag.name]: '7' }, { [flag.env]: '8' })).toEqual(flag.apply(7))
      expect(limitOptions({}, { [flag.env]: '' })).toEqual({})
    }
  })

  it('refuse what is not a number the flag takes', () => {
    for (const flag of LIMIT_FLAGS) {
      const bad = ['-1', 'ten', '0x10', '1e3', ...(flag.zero ? [] : ['0'])]
      if (!flag.fraction) bad.push('1.5')
      for (const raw of bad) {
        expect(() => limitOptions({ [flag.name]: raw }, {}), `${flag.name} ${raw}`).toThrow(
          LimitFlagError,
        )
      }
    }
  })

  it('are all in the help, with their variable and default', () => {
    const help = limitHelp()
    for (const flag of LIMIT_FLAGS) {
      expect(help).toContain(`--${flag.name} <n>`)
      expect(help).toContain(`(default ${flag.shown}, env ${flag.env})`)
    }
  })

  it('are each in docs/security.md, with their variable', () => {
    const docs = readFileSync(new URL('../../docs/security.md', import.meta.url), 'utf8')
    for (const flag of LIMIT_FLAGS) {
      expect(docs, flag.name).toContain(`\`--${flag.name}\` (\`${flag.env}\`)`)
    }
  })
})
