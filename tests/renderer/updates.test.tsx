import { describe, expect, it } from 'vitest'
import { EN, renderWithIntl } from './intl'
import { UpdateBanner } from '../../src/renderer/src/components/UpdateBanner'
import { UpdatesSection, updateStatusText } from '../../src/renderer/src/components/UpdatesSection'
import type { UpdateState } from '../../src/shared/updates'

const time = (iso: string) => iso.slice(11, 16)

describe('UpdateBanner', () => {
  it('shows "Restart to update" once an update is downloaded, as a status, not a dialog', () => {
    const html = renderWithIntl(
      <UpdateBanner state={{ status: 'ready', version: '1.2.0' }} onRestart={() => {}} />,
    )
    expect(html).toContain('role="status"')
    expect(html).toContain('Tidings 1.2.0 is ready.')
    expect(html).toContain('>Restart to update</button>')
    expect(html).not.toContain('dialog')
  })

  it('shows nothing while checking, downloading, failing or turned off', () => {
    const states: UpdateState[] = [
      { status: 'idle', checked_at: null },
      { status: 'checking' },
      { status: 'downloading', version: '1.2.0', percent: 40 },
      { status: 'failed', reason: 'checksum', retry_at: '2026-12-07T16:00:00Z' },
      { status: 'disabled', reason: 'admin' },
    ]
    for (const state of states) {
      expect(renderWithIntl(<UpdateBanner state={state} onRestart={() => {}} />)).toBe('')
    }
  })
})

describe('UpdatesSection', () => {
  it('an administrator’s policy locks the switch off and says so', () => {
    const html = renderWithIntl(
      <UpdatesSection
        state={{ status: 'disabled', reason: 'admin' }}
        userEnabled={true}
        onChange={() => {}}
        formatTime={time}
      />,
    )
    expect(html).toMatch(/<input[^>]*disabled=""/)
    expect(html).not.toMatch(/checked=""/)
    expect(html).toContain('Turned off by your administrator.')
  })

  it('the user’s own switch stays theirs', () => {
    const html = renderWithIntl(
      <UpdatesSection
        state={{ status: 'disabled', reason: 'user' }}
        userEnabled={false}
        onChange={() => {}}
        formatTime={time}
      />,
    )
    expect(html).not.toMatch(/disabled=""/)
    expect(html).toContain('Tidings will not look for updates.')
  })

  it('says what the updater does in one sentence', () => {
    expect(updateStatusText({ status: 'idle', checked_at: '2026-12-07T10:32:00Z' }, time, EN)).toBe(
      'Tidings is up to date (checked at 10:32).',
    )
    expect(
      updateStatusText(
        { status: 'failed', reason: 'offline', retry_at: '2026-12-07T11:02:00Z' },
        time,
        EN,
      ),
    ).toBe('Could not reach the update server; trying again at 11:02.')
    expect(
      updateStatusText({ status: 'downloading', version: '1.2.0', percent: 40 }, time, EN),
    ).toBe('Downloading Tidings 1.2.0… 40%')
  })
})
