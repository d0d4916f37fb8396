import http from 'node:http'
import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  isPublicAddress,
  publicAddressLookup,
  resolvePublicAddress,
} from '../../server/net/publicAddressGuard'

describe('public addresses', () => {
  it('are neither loopback, private, link-local nor the like, in IPv4, IPv6 and IPv4-in-IPv6', () => {
    for (const address of [
      '127.0.0.1',
      '127.8.9.10',
      '0.0.0.0',
      '10.1.2.3',
      '100.64.0.1',
      '169.254.169.254',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '192.0.2.7',
      '198.18.0.1',
      '224.0.0.1',
      '240.0.0.1',
      '255.255.255.255',
      '::',
      '::1',
      'fe80::1',
      'fe80::1%eth0',
      'fc00::1',
      'fd12:3456::1',
      'fec0::1',
      'ff02::1',
      '100::1',
      '2001:db8::1',
      '2001::1', // Teredo
      '2001:2::1', // benchmarking
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::ffff:10.0.0.1',
      '::ffff:0:a9fe:a9fe', // IPv4-translated
      '64:ff9b::a9fe:a9fe',
      '64:ff9b:1::808:808', // local-use NAT64
      '2002:7f00:1::1', // 6to4 of 127.0.0.1
      '2002:c0a8:101::', // 6to4 of 192.168.1.1
      '::127.0.0.1',
      '::10.0.0.1',
      '1::1', // outside global unicast
      'not an address',
      '',
      'localhost',
    ]) {
      expect(isPublicAddress(address), address).toBe(false)
    }
    for (const address of [
      '8.8.8.8',
      '1.1.1.1',
      '93.184.216.34',
      '172.32.0.1',
      '100.128.0.1',
      '2606:4700:4700::1111',
      '2a00:1450:4001::1',
      '::ffff:8.8.8.8',
      '64:ff9b::808:808',
      '2002:808:808::1',
    ]) {
      expect(isPublicAddress(address), address).toBe(true)
    }
  })
})

describe('resolvePublicAddress', () => {
  it('refuses a host that is, or resolves to, an address that is not public, unless allowed', async () => {
    for (const host of ['127.0.0.1', 'localhost', '::1', '169.254.169.254']) {
      await expect(resolvePublicAddress(host, { hint: 'a hint' }), host).rejects.toMatchObject({
        code: 'ENONPUBLICADDRESS',
        message: expect.stringContaining('(a hint)') as unknown,
      })
    }
    expect(await resolvePublicAddress('localhost', { allowNonPublic: true })).toBe('localhost')
    expect(await resolvePublicAddress('8.8.8.8')).toBe('8.8.8.8')
  })

  it('passes on the lookup’s own error for a name that does not resolve', async () => {
    await expect(resolvePublicAddress('nothing-here.invalid')).rejects.toMatchObject({
      code: 'ENOTFOUND',
    })
  })
})

/** The guard as a `lookup` option, as an HTTP client for link previews would use it. */
describe('publicAddressLookup', () => {
  let listener: http.Server
  let port: number
  let requests = 0

  beforeAll(async () => {
    listener = http.createServer((_request, response) => {
      requests += 1
      response.end('internal')
    })
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve))
    port = (listener.address() as net.AddressInfo).port
  })
  afterAll(() => listener?.close())

  function get(lookup: ReturnType<typeof publicAddressLookup>): Promise<string> {
    return new Promise((resolve, reject) => {
      const request = http.get({ host: 'localhost', port, family: 4, lookup }, (response) => {
        response.setEncoding('utf8')
        let body = ''
        response.on('data', (chunk: string) => (body += chunk))
        response.on('end', () => resolve(body))
      })
      request.on('error', reject)
    })
  }

  it('keeps a client from connecting to a name that resolves to loopback', async () => {
    await expect(get(publicAddressLookup())).rejects.toMatchObject({ code: 'ENONPUBLICADDRESS' })
    expect(requests).toBe(0)
  })

  it('lets it through when allowed, with or without family auto-selection', async () => {
    expect(await get(publicAddressLookup({ allowNonPublic: true }))).toBe('internal')
    const socket = net.connect({
      host: 'localhost',
      port,
      autoSelectFamily: true,
      lookup: publicAddressLookup({ allowNonPublic: true }),
    })
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve)
      socket.once('error', reject)
    })
    socket.destroy()
    expect(requests).toBe(1)
  })
})
