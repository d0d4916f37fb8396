import { beforeEach, describe, expect, it } from 'vitest'
import { EN } from './intl'
import { passwordFormProblem } from '../../src/renderer/src/components/PasswordSection'
import { signedOutText, usePassword } from '../../src/renderer/src/stores/password'
import { installFakeTidings, type FakeTidings } from './fakeTidings'

describe('password form checks', () => {
  it('names the first problem, or none', () => {
    expect(passwordFormProblem('', 'new secret 1', 'new secret 1', EN.t)).toMatch(
      /current password/,
    )
    expect(passwordFormProblem('old secret', 'short12', 'short12', EN.t)).toMatch(/at least 8/)
    expect(passwordFormProblem('old secret', 'x'.repeat(257), 'x'.repeat(257), EN.t)).toMatch(/256/)
    expect(passwordFormProblem('old secret', 'new secret 1', 'new secret 2', EN.t)).toMatch(
      /differ/,
    )
    expect(passwordFormProblem('old secret', 'old secret', 'old secret', EN.t)).toMatch(
      /current one/,
    )
    expect(passwordFormProblem('old secret', 'new secret 1', 'new secret 1', EN.t)).toBeNull()
  })

  it('words the number of devices signed out', () => {
    expect(signedOutText(0)).toBe('No other device was signed in.')
    expect(signedOutText(1)).toBe('1 other device was signed out.')
    expect(signedOutText(3)).toBe('3 other devices were signed out.')
  })
})

describe('password store', () => {
  let fake: FakeTidings

  beforeEach(() => {
    fake = installFakeTidings()
    usePassword.setState({ busy: false, error: null, done: null })
  })

  it('sends the change through session/changePassword and says what happened', async () => {
    fake.handlers['session/changePassword'] = () => ({ changed: true, signed_out_sessions: 2 })
    expect(await usePassword.getState().changePassword('old secret', 'new secret 1')).toBe(true)
    expect(fake.callsTo('session/changePassword')).toEqual([
      { current_password: 'old secret', new_password: 'new secret 1' },
    ])
    expect(usePassword.getState()).toMatchObject({
      busy: false,
      error: null,
      done: 'Password changed. 2 other devices were signed out.',
    })
  })

  it('keeps the server error for the form and forgets an earlier success', async () => {
    usePassword.setState({ done: 'Password changed.' })
    fake.handlers['session/changePassword'] = () => {
      throw new Error('The current password is wrong.')
    }
    expect(await usePassword.getState().changePassword('typo', 'new secret 1')).toBe(false)
    expect(usePassword.getState()).toMatchObject({
      busy: false,
      error: 'The current password is wrong.',
      done: null,
    })
  })

  it('signs out the other devices', async () => {
    fake.handlers['session/signOutOthers'] = () => ({ signed_out_sessions: 1 })
    expect(await usePassword.getState().signOutOthers()).toBe(true)
    expect(usePassword.getState().done).toBe('1 other device was signed out.')
  })
})
