import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Contact, Conversation } from '../../src/shared/models'
import { EventStream, startTidings, type Session, type TidingsHarness } from './harness'

describe('contacts', () => {
  let tidings: TidingsHarness
  let ann: Session
  let bob: Session
  let cid: Session
  beforeAll(async () => {
    tidings = await startTidings()
    ann = await tidings.register('ann')
    bob = await tidings.register('bob')
    cid = await tidings.register('cid')
  })
  afterAll(() => tidings.close())

  it('creates, lists, updates and deletes a contact, telling the owner’s devices', async () => {
    const phone = await EventStream.open(tidings.server, ann.token)
    const laptop = await EventStream.open(tidings.server, ann.token)
    const bobStream = await EventStream.open(tidings.server, bob.token)
    try {
      const created = await ann.request<Contact>('POST', '/contacts', {
        name: 'Dora Diaz',
        handles: [
          { platform: 'email', kind: 'email', value: 'dora@example.org' },
          { platform: 'whatsapp', kind: 'phone', value: '+1 555 0100' },
          { platform: 'email', kind: 'email', value: 'dora@example.org' },
        ],
        notes: 'Met at the conference',
      })
      expect(created.status).toBe(201)
      expect(created.data).toMatchObject({ name: 'Dora Diaz', owner_id: ann.userId })
      expect(created.data.handles).toHaveLength(2)
      for (const stream of [phone, laptop]) {
        const event = await stream.next('contact_updated')
        expect(event.data).toMatchObject({ kind: 'contact', action: 'created' })
        expect(event.id).toBeGreaterThan(0)
      }

      const list = await ann.request<Contact[]>('GET', '/contacts')
      expect(list.data.map((c) => c.name)).toEqual(['Dora Diaz'])
      expect((await bob.request<Contact[]>('GET', '/contacts')).data).toEqual([])

      const id = created.data.id
      const updated = await ann.request<Contact>('PATCH', `/contacts/${id}`, { notes: 'VIP' })
      expect(updated.status).toBe(200)
      expect(updated.data).toMatchObject({ name: 'Dora Diaz', notes: 'VIP' })
      const updateEvent = await phone.next(
        'contact_updated',
        (e) => e.data.kind === 'contact' && e.data.action === 'updated',
      )
      expect(updateEvent.data).toMatchObject({ contact: { id, notes: 'VIP' } })

      // Not the owner: indistinguishable from a missing contact.
      expect((await bob.request('PATCH', `/contacts/${id}`, { notes: 'x' })).status).toBe(404)
      expect((await bob.request('DELETE', `/contacts/${id}`)).status).toBe(404)

      const deleted = await ann.request<Contact>('DELETE', `/contacts/${id}`)
      expect(deleted.status).toBe(200)
      await laptop.next(
        'contact_updated',
        (e) => e.data.kind === 'contact' && e.data.action === 'deleted',
      )
      expect((await ann.request<Contact[]>('GET', '/contacts')).data).toEqual([])
      expect((await ann.request('GET', `/contacts/${id}`)).status).toBe(404)
      // Bob never heard of any of it.
      expect(bobStream.of('contact_updated')).toEqual([])
    } finally {
      phone.close()
      laptop.close()
      bobStream.close()
    }
  })

  it('rejects a contact without a name or with an unknown platform', async () => {
    expect((await ann.request('POST', '/contacts', { name: '' })).status).toBe(400)
    const blank = await ann.request('POST', '/contacts', { name: '   ' })
    expect(blank).toMatchObject({
      status: 400,
      body: { error: { message: 'A contact name cannot be blank.' } },
    })
    const kept = await ann.request<{ id: number }>('POST', '/contacts', { name: 'Kept' })
    expect((await ann.request('PATCH', `/contacts/${kept.data.id}`, { name: ' ' })).status).toBe(
      400,
    )
    expect(
      (await ann.request<{ name: string }>('GET', `/contacts/${kept.data.id}`)).data.name,
    ).toBe('Kept')
    const bad = await ann.request('POST', '/contacts', {
      name: 'X',
      handles: [{ platform: 'fax', kind: 'phone', value: '1' }],
    })
    expect(bad.status).toBe(400)
  })

  it('announces a changed display name to people who share a conversation, not to others', async () => {
    const conversation = await ann.request<Conversation>('POST', '/conversations', {
      member_ids: [bob.userId],
    })
    expect([200, 201]).toContain(conversation.status)
    const bobStream = await EventStream.open(tidings.server, bob.token)
    const cidStream = await EventStream.open(tidings.server, cid.token)
    try {
      const renamed = await ann.request('PATCH', '/users/me', { display_name: 'Ann Archer' })
      expect(renamed.status).toBe(200)
      const event = await bobStream.next('contact_updated')
      expect(event.data).toEqual({
        kind: 'profile',
        action: 'updated',
        user: { id: ann.userId, username: 'ann', display_name: 'Ann Archer', role: 'admin' },
      })
      // A marker after the rename: cid has received nothing by the time bob hears of it again.
      await ann.request('PATCH', '/users/me', { display_name: 'Ann A.' })
      await bobStream.next(
        'contact_updated',
        (e) => e.data.kind === 'profile' && e.data.user.display_name === 'Ann A.',
      )
      expect(cidStream.of('contact_updated')).toEqual([])
      // The same name again changes nothing and announces nothing.
      await ann.request('PATCH', '/users/me', { display_name: 'Ann A.' })
      const count = bobStream.of('contact_updated').length
      await ann.request('PATCH', '/users/me', { display_name: 'Ann B.' })
      await bobStream.next(
        'contact_updated',
        (e) => e.data.kind === 'profile' && e.data.user.display_name === 'Ann B.',
      )
      expect(bobStream.of('contact_updated').length).toBe(count + 1)
    } finally {
      bobStream.close()
      cidStream.close()
    }
  })
})
