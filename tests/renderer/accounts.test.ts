import { beforeEach, describe, expect, it } from 'vitest'
import type { ConnectEmailRequest, SessionState } from '../../src/shared/ipc'
import type { PlatformAccount, User } from '../../src/shared/models'
import {
  initAccounts,
  isNewerAccountState,
  useAccounts,
} from '../../src/renderer/src/stores/accounts'
import { BOB, ME, installFakeTidings, until, type FakeTidings } from './fakeTidings'

function account(id: number, change: Partial<PlatformAccount> = {}): PlatformAccount {
  return {
    id,
    platform: 'email',
    display_name: `Account ${id}`,
    address: `me${id}@example.test`,
    state: 'connecting',
    state_reason: null,
    state_changed_at: '2026-11-28T06:30:00.000Z',
    last_sync_at: null,
    created_at: `2026-11-28T06:${String(10 + id).padStart(2, '0')}:00.000Z`,
    smtp: { host: 'smtp.example.test', port: 587, secure: false, username: 'me' },
    imap: { host: 'imap.example.test', port: 993, secure: true, username: 'me' },
    ...change,
  }
}

function session(user: User | null): SessionState {
  return {
    user,
    server_url: 'http://127.0.0.1:1',
    embedded: true,
    needs_first_account: false,
    secure_storage: true,
  }
}

const REQUEST: ConnectEmailRequest = {
  display_name: 'Account 1',
  email_address: 'me1@example.test',
  smtp: {
    host: 'smtp.example.test',
    port: 587,
    secure: false,
    username: 'me',
    password: 'smtp-pass',
  },
  imap: {
    host: 'imap.example.test',
    port: 993,
    secure: true,
    username: 'me',
    password: 'imap-pass',
  },
}

const states = () => useAccounts.getState().accounts.map((a) => [a.id, a.state])

let fake: FakeTidings

beforeEach(() => {
  fake = installFakeTidings()
  useAccounts.getState().reset()
})

describe('accounts store wiring', () => {
  it('loads when signed in, follows pushes live, and starts over for another user', async () => {
    let list = [account(2), account(1, { state: 'connected' })]
    fake.handlers['session/get'] = () => session(ME)
    fake.handlers['accounts/list'] = () => list
    const stop = initAccounts()
    await until(() => useAccounts.getState().loaded)
    // Oldest first.
    expect(states()).toEqual([
      [1, 'connected'],
      [2, 'connecting'],
    ])

    fake.push(
      'accounts/changed',
      account(2, {
        state: 'error',
        state_reason: 'The IMAP server cannot be reached.',
        state_changed_at: '2026-11-28T06:31:00.000Z',
      }),
    )
    expect(useAccounts.getState().accounts[1]).toMatchObject({
      state: 'error',
      state_reason: 'The IMAP server cannot be reached.',
    })
    fake.push('accounts/changed', account(3, { state: 'connected' }))
    expect(states()).toEqual([
      [1, 'connected'],
      [2, 'error'],
      [3, 'connected'],
    ])
    fake.push('accounts/changed', account(1, { state: 'disconnected' }))
    expect(states()).toEqual([
      [2, 'error'],
      [3, 'connected'],
    ])

    // After missed events the list is read again.
    list = [account(4)]
    fake.push('events/resync', { reason: 'too_many' })
    await until(() => useAccounts.getState().accounts[0]?.id === 4)

    // Sign-out forgets the accounts; another user's are loaded on sign-in.
    fake.push('session/changed', session(null))
    expect(useAccounts.getState()).toMatchObject({ accounts: [], loaded: false })
    list = [account(9)]
    fake.push('session/changed', session(BOB))
    await until(() => useAccounts.getState().accounts[0]?.id === 9)
    const loads = fake.callsTo('accounts/list').length

    stop()
    fake.push('accounts/changed', account(10))
    fake.push('session/changed', session(ME))
    expect(states()).toEqual([[9, 'connecting']])
    expect(fake.callsTo('accounts/list')).toHaveLength(loads)
  })

  it('does not ask for accounts while signed out', async () => {
    fake.handlers['session/get'] = () => session(null)
    fake.handlers['accounts/list'] = () => [account(1)]
    const stop = initAccounts()
    await until(() => fake.callsTo('session/get').length === 1)
    // Every promise reaction queued by the answer runs before the next macrotask.
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(fake.callsTo('accounts/list')).toEqual([])
    fake.push('session/changed', session(ME))
    await until(() => useAccounts.getState().loaded)
    expect(fake.callsTo('accounts/list')).toHaveLength(1)
    stop()
  })
})

describe('accounts store actions', () => {
  it('connects an email account and keeps the later state whatever arrives first', async () => {
    let answer!: (value: PlatformAccount) => void
    fake.handlers['accounts/connectEmail'] = () =>
      new Promise<PlatformAccount>((resolve) => (answer = resolve))
    const pending = useAccounts.getState().connectEmail(REQUEST)
    expect(useAccounts.getState().connecting).toBe(true)
    expect(fake.callsTo('accounts/connectEmail')).toEqual([REQUEST])

    // The failure is announced before the answer to the request comes back.
    useAccounts.getState().apply(
      account(1, {
        state: 'error',
        state_reason: 'Refused.',
        state_changed_at: '2026-11-28T06:30:01.000Z',
      }),
    )
    answer(account(1, { state: 'connecting' }))
    expect(await pending).toMatchObject({ id: 1 })
    expect(useAccounts.getState()).toMatchObject({ connecting: false, connectError: null })
    expect(useAccounts.getState().accounts).toEqual([
      expect.objectContaining({ id: 1, state: 'error', state_reason: 'Refused.' }),
    ])
  })

  it('reports a refused connect to the form', async () => {
    fake.handlers['accounts/connectEmail'] = () => {
      throw new Error('Invalid accounts/connectEmail request at /email_address: bad')
    }
    expect(await useAccounts.getState().connectEmail(REQUEST)).toBeNull()
    expect(useAccounts.getState()).toMatchObject({
      connecting: false,
      connectError: 'Invalid accounts/connectEmail request at /email_address: bad',
      accounts: [],
    })
  })

  it('disconnects: gone at once, and late answers do not bring it back', async () => {
    useAccounts.getState().apply(account(1, { state: 'connected' }))
    useAccounts.getState().apply(account(2, { state: 'connected' }))
    let release!: () => void
    fake.handlers['accounts/disconnect'] = () => new Promise<void>((resolve) => (release = resolve))
    const done = useAccounts.getState().disconnect(1)
    expect(useAccounts.getState().pending).toEqual({ 1: 'disconnect' })
    release()
    expect(await done).toBe(true)
    expect(states()).toEqual([[2, 'connected']])
    expect(useAccounts.getState().pending).toEqual({})
    expect(fake.callsTo('accounts/disconnect')).toEqual([{ account_id: 1 }])

    useAccounts
      .getState()
      .apply(account(1, { state: 'connected', state_changed_at: '2026-11-28T07:00:00.000Z' }))
    expect(states()).toEqual([[2, 'connected']])
    fake.handlers['accounts/list'] = () => [account(1), account(2, { state: 'connected' })]
    await useAccounts.getState().load()
    expect(states()).toEqual([[2, 'connected']])
  })

  it('retries an account now and shows why an action failed', async () => {
    useAccounts.getState().apply(account(1, { state: 'error', state_reason: 'Down.' }))
    fake.handlers['accounts/sync'] = () =>
      account(1, {
        state: 'connected',
        last_sync_at: '2026-11-28T06:40:00.000Z',
        state_changed_at: '2026-11-28T06:40:00.000Z',
      })
    expect(await useAccounts.getState().sync(1)).toBe(true)
    expect(useAccounts.getState().accounts[0]).toMatchObject({
      state: 'connected',
      last_sync_at: '2026-11-28T06:40:00.000Z',
    })

    fake.handlers['accounts/disconnect'] = () => {
      throw new Error('Cannot reach the server: fetch failed')
    }
    expect(await useAccounts.getState().disconnect(1)).toBe(false)
    expect(useAccounts.getState().actionErrors).toEqual({
      1: 'Cannot reach the server: fetch failed',
    })
    expect(useAccounts.getState().pending).toEqual({})
    expect(states()).toEqual([[1, 'connected']])
    // The next attempt clears the old complaint.
    expect(await useAccounts.getState().sync(1)).toBe(true)
    expect(useAccounts.getState().actionErrors).toEqual({})
  })

  it('shows a failed load', async () => {
    fake.handlers['accounts/list'] = () => {
      throw new Error('Sign in first')
    }
    await useAccounts.getState().load()
    expect(useAccounts.getState()).toMatchObject({ loaded: false, error: 'Sign in first' })
  })
})

describe('isNewerAccountState', () => {
  const at = (state: PlatformAccount['state'], time: string) =>
    account(1, { state, state_changed_at: `2026-11-28T06:30:0${time}.000Z` })

  it('prefers the later change, and on a tie anything over "connecting"', () => {
    expect(isNewerAccountState(at('connecting', '0'), at('error', '1'))).toBe(true)
    expect(isNewerAccountState(at('error', '1'), at('connecting', '0'))).toBe(false)
    expect(isNewerAccountState(at('error', '1'), at('connecting', '1'))).toBe(false)
    expect(isNewerAccountState(at('connecting', '1'), at('connected', '1'))).toBe(true)
    expect(isNewerAccountState(at('error', '1'), at('error', '1'))).toBe(true)
  })
})
