import { create } from 'zustand'
import type { Person, User } from '../../../shared/models'
import { ipc, errorMessage } from '../ipcClient'

interface PresenceStore {
  /** Everyone the user may talk to, by id. */
  people: Record<number, Person>
  loaded: boolean
  error: string | null
  load(): Promise<void>
  setOnline(user: User | Person, online: boolean): void
  /**
   * The server's new copy of a person (deactivated, reactivated, another role): a deactivated
   * one stays for the names in history, marked so, and leaves pickers and presence.
   */
  setPerson(person: Person): void
  reset(): void
}

export const usePresence = create<PresenceStore>()((set, get) => ({
  people: {},
  loaded: false,
  error: null,
  load: async () => {
    try {
      const list = await ipc()['users/list']()
      const people: Record<number, Person> = {}
      for (const person of list) people[person.id] = person
      set({ people, loaded: true, error: null })
    } catch (error) {
      set({ error: errorMessage(error) })
    }
  },
  setOnline: (user, online) => {
    const known = get().people[user.id]
    const person: Person = {
      id: user.id,
      username: user.username,
      display_name: user.display_name,
      role: user.role,
      online,
      ...(known?.deactivated ? { deactivated: true } : {}),
    }
    if (known && known.online === online && known.display_name === user.display_name) return
    set({ people: { ...get().people, [user.id]: person } })
  },
  setPerson: (person) => {
    const copy: Person = person.deactivated ? { ...person, online: false } : { ...person }
    if (!person.deactivated) delete copy.deactivated
    set({ people: { ...get().people, [person.id]: copy } })
  },
  reset: () => set({ people: {}, loaded: false, error: null }),
}))
