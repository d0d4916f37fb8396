import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { registerAdmin, type TestAccount } from '../support/accounts'
import { RawConnection, requestFrom, requestHead } from '../support/rawHttp'
import { startHarness, type TestServer } from '../support/serverHarness'

const MISDIRECTED = {
  status: 'error',
  error: { code: 'misdirected_request', message: expect.any(String) },
}

/** A WebSocket upgrade request, written by hand so that its Host is whatever the test says. */
function upgradeHead(baseUrl: string, token: string, host: string): string {
  return requestHead(baseUrl, 'GET', `/events/ws/connect?token=${token}`, {
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version': '13',
  }).replace(/^Host: .*$/m, `Host: ${host}`)
}

/**
 * DNS rebinding: a page on another domain points its name at 127.0.0.1 and reaches the desktop
 * app's bundled server, Host header and all. A fresh bundled server offers the admin role to
 * the first registration, so the page could take it.
 */
describe('the Host header of a server bound to loopback', () => {
  let server: TestServer

  beforeAll(async () => {
    server = await startHarness()
  })
  afterAll(() => server.stop())

  it('refuses a page that rebinds its own name to 127.0.0.1, before anything runs', async () => {
    for (const host of ['evil.example', `evil.example:${server.port}`, 'localhost.evil.example']) {
      const status = await requestFrom(server.url, 'GET', '/auth/status', { headers: { host } })
      expect(status.status, host).toBe(421)
      expect(status.json).toEqual(MISDIRECTED)
      const register = await requestFrom(server.url, 'POST', '/auth/register', {
        headers: { host },
        body: { username: 'intruder', password: 'rebound password' },
      })
      expect(register.status).toBe(421)
    }
    // Nothing was registered: the first account is still to be made.
    const status = await requestFrom(server.url, 'GET', '/auth/status')
    expect(status.json).toMatchObject({ data: { needs_first_account: true } })
  })

  it('answers its loopback names, with or without the port', async () => {
    for (const host of [
      `127.0.0.1:${server.port}`,
      `localhost:${server.port}`,
      'LOCALHOST',
      `[::1]:${server.port}`,
    ]) {
      const response = await requestFrom(server.url, 'GET', '/healthz', { headers: { host } })
      expect(response.status, host).toBe(200)
    }
  })

  it('refuses a WebSocket upgrade for another host name, even with a valid token', async () => {
    const admin = await registerAdmin(server.url)
    const refused = await RawConnection.open(server.url)
    refused.write(upgradeHead(server.url, admin.token, 'evil.example'))
    const answer = await refused.answer()
    expect(answer.status).toBe(421)
    expect(answer.json).toEqual(MISDIRECTED)
    refused.destroy()
    const accepted = await RawConnection.open(server.url)
    accepted.write(upgradeHead(server.url, admin.token, `localhost:${server.port}`))
    expect((await accepted.answer()).status).toBe(101)
    accepted.destroy()
  })
})

describe('the Host header of a server with public URLs', () => {
  let server: TestServer
  let admin: TestAccount

  beforeAll(async () => {
    server = await startHarness({
      publicUrls: ['https://chat.example.com', 'http://10.1.2.3:8000'],
    })
    admin = await registerAdmin(server.url)
  })
  afterAll(() => server.stop())

  it('answers the public host names and the loopback ones, and refuses the rest', async () => {
    const headers = (host: string) => ({ host, authorization: `Bearer ${admin.token}` })
    for (const host of ['chat.example.com', 'chat.example.com:443', '10.1.2.3:8000', 'localhost']) {
      const response = await requestFrom(server.url, 'GET', '/users/me', { headers: headers(host) })
      expect(response.status, host).toBe(200)
    }
    for (const host of ['example.com', 'evil.chat.example.com', '10.1.2.4']) {
      const response = await requestFrom(server.url, 'GET', '/users/me', { headers: headers(host) })
      expect(response.status, host).toBe(421)
      expect(response.json).toEqual(MISDIRECTED)
    }
  })

  it('answers a health check without a Host header, as a load balancer sends it', async () => {
    // HAProxy's `option httpchk GET /healthz` (deploy/haproxy.cfg) is HTTP/1.0, without a Host.
    const check = await RawConnection.open(server.url)
    check.write('GET /healthz HTTP/1.0\r\n\r\n')
    expect((await check.answer()).status).toBe(200)
    check.destroy()
  })
})
