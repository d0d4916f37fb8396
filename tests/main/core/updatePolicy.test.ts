import { describe, expect, it } from 'vitest'
import {
  adminPolicy,
  adminPolicyPath,
  readPolicyFile,
  resolveUpdatePolicy,
  updaterSupported,
} from '../../../src/main/core/updatePolicy'

describe('the administrator’s word', () => {
  it('TIDINGS_AUTO_UPDATE=0 (or false, off, no) turns updates off', () => {
    for (const value of ['0', 'false', 'OFF', ' no ']) {
      expect(adminPolicy({ TIDINGS_AUTO_UPDATE: value }, null)).toEqual({
        autoUpdate: false,
        problem: null,
      })
    }
    expect(adminPolicy({ TIDINGS_AUTO_UPDATE: '1' }, null)).toEqual({
      autoUpdate: null,
      problem: null,
    })
  })

  it('the machine’s policy file says auto_update true or false; anything else is reported and ignored', () => {
    expect(adminPolicy({}, '{"auto_update": false}')).toEqual({ autoUpdate: false, problem: null })
    expect(adminPolicy({}, '{"auto_update": true}')).toEqual({ autoUpdate: true, problem: null })
    expect(adminPolicy({}, '{}')).toEqual({ autoUpdate: null, problem: null })
    expect(adminPolicy({}, '{auto_update: false')).toEqual({
      autoUpdate: null,
      problem: 'the policy file is not valid JSON',
    })
    expect(adminPolicy({}, '{"auto_update": "no"}')).toEqual({
      autoUpdate: null,
      problem: 'auto_update in the policy file is not true or false',
    })
    expect(adminPolicy({}, '[]').problem).toBe('the policy file is not a JSON object')
  })

  it('lives where users and installers do not write', () => {
    expect(adminPolicyPath('linux', {})).toBe('/etc/tidings/policy.json')
    expect(adminPolicyPath('darwin', {})).toBe('/Library/Application Support/Tidings/policy.json')
    expect(adminPolicyPath('win32', { ProgramData: 'D:\\PD' })).toMatch(
      /^D:\\PD[\\/]Tidings[\\/]policy\.json$/,
    )
    expect(readPolicyFile('/nonexistent/tidings/policy.json')).toBeNull()
  })
})

describe('resolveUpdatePolicy', () => {
  const none = { autoUpdate: null, problem: null }

  it('the administrator wins over the user, then the copy must be updatable, then the user decides', () => {
    expect(
      resolveUpdatePolicy({
        admin: { autoUpdate: false, problem: null },
        userEnabled: true,
        supported: true,
      }),
    ).toEqual({ enabled: false, reason: 'admin' })
    expect(resolveUpdatePolicy({ admin: none, userEnabled: true, supported: false })).toEqual({
      enabled: false,
      reason: 'unsupported',
    })
    expect(resolveUpdatePolicy({ admin: none, userEnabled: false, supported: true })).toEqual({
      enabled: false,
      reason: 'user',
    })
    expect(
      resolveUpdatePolicy({
        admin: { autoUpdate: true, problem: null },
        userEnabled: false,
        supported: true,
      }),
    ).toEqual({ enabled: false, reason: 'user' })
    expect(resolveUpdatePolicy({ admin: none, userEnabled: true, supported: true })).toEqual({
      enabled: true,
    })
  })
})

describe('updaterSupported', () => {
  const base = {
    isPackaged: true,
    env: {},
    resourcesPath: '/opt/Tidings/resources',
    exists: () => false,
  }

  it('packaged Windows and macOS builds; on Linux an AppImage or a deb/rpm package', () => {
    expect(updaterSupported({ ...base, platform: 'win32' })).toBe(true)
    expect(updaterSupported({ ...base, platform: 'darwin' })).toBe(true)
    expect(updaterSupported({ ...base, platform: 'linux' })).toBe(false)
    expect(
      updaterSupported({
        ...base,
        platform: 'linux',
        env: { APPIMAGE: '/home/a/Tidings.AppImage' },
      }),
    ).toBe(true)
    expect(
      updaterSupported({
        ...base,
        platform: 'linux',
        exists: (p) => p === '/opt/Tidings/resources/package-type',
      }),
    ).toBe(true)
  })

  it('not a development run, unless a test feed is given', () => {
    expect(updaterSupported({ ...base, isPackaged: false, platform: 'win32' })).toBe(false)
    expect(
      updaterSupported({
        ...base,
        isPackaged: false,
        platform: 'linux',
        env: { TIDINGS_UPDATE_FEED_URL: 'http://127.0.0.1:1/' },
      }),
    ).toBe(true)
  })
})
