import { describe, expect, it, vi } from 'vitest'
import { defineComponent, h, nextTick } from 'vue'
import { flushPromises, mount } from '@vue/test-utils'
import { NMessageProvider, NNotificationProvider } from 'naive-ui'
import { answer } from '../mock'

// The screen talks to the in-memory mock through the real api module's wrappers.
const calls: { method: string; args: unknown[] }[] = []
vi.mock('../api', async (orig) => {
  const real = await orig<typeof import('../api')>()
  const call = async (method: string, ...args: unknown[]) => {
    calls.push({ method, args })
    return answer(method, args)
  }
  return {
    ...real,
    call,
    api: {
      inbox: (q: unknown) => call('Inbox', q),
      search: (q: unknown) => call('Search', q),
      act: (id: string, action: string, to = '', reason = '') => call('Act', id, action, to, reason),
      bulkAct: (ids: string[], action: string, to = '', reason = '') => call('BulkAct', ids, action, to, reason),
      departments: () => call('Departments'),
      status: () => call('Status'),
    },
  }
})

import Inbox from './Inbox.vue'
import { state } from '../store'

async function mountInbox() {
  const Host = defineComponent({
    render: () => h(NNotificationProvider, null, { default: () => h(NMessageProvider, null, { default: () => h(Inbox) }) }),
  })
  const w = mount(Host, { attachTo: document.body })
  for (let i = 0; i < 50 && w.findAll('[data-testid="inbox-row"]').length === 0; i++) {
    await new Promise((r) => setTimeout(r, 150))
    await flushPromises()
  }
  return w
}

function key(k: string) {
  window.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true }))
}

describe('Inbox', () => {
  it('lists rows and moves, selects and opens with the keyboard', async () => {
    state.screen = 'inbox'
    state.detailId = ''
    const w = await mountInbox()
    const rows = w.findAll('[data-testid="inbox-row"]')
    expect(rows.length).toBeGreaterThan(3)
    const ids = rows.map((r) => r.attributes('data-id'))

    key('j'); key('j'); key('k')
    await nextTick()
    expect(w.find('.row-cursor').attributes('data-id')).toBe(ids[1])

    key('x')
    await nextTick()
    expect(w.text()).toContain('已选 1 件')

    key('Enter')
    expect(state.detailId).toBe(ids[1])

    // With the detail open, j moves on and opens the next message.
    key('j')
    expect(state.detailId).toBe(ids[2])
    state.detailId = ''
    w.unmount()
  }, 30_000)

  it('applies a bulk action to every selected row through BulkAct', async () => {
    state.screen = 'inbox'
    state.detailId = ''
    const w = await mountInbox()
    const ids = w.findAll('[data-testid="inbox-row"]').map((r) => r.attributes('data-id') as string)
    key('x'); key('j'); key('x')
    await nextTick()
    calls.length = 0
    // 督办 needs no dialog; call the handler the 批量操作 menu calls (the menu itself is teleported).
    const vm = w.findComponent(Inbox).vm as unknown as { startBulk: (a: string) => void }
    expect(typeof vm.startBulk).toBe('function')
    vm.startBulk('督办')
    for (let i = 0; i < 50 && !calls.some((c) => c.method === 'BulkAct'); i++) {
      await new Promise((r) => setTimeout(r, 100))
    }
    await flushPromises()
    const bulk = calls.filter((c) => c.method === 'BulkAct')
    expect(bulk).toHaveLength(1)
    expect([...(bulk[0].args[0] as string[])].sort()).toEqual([ids[0], ids[1]].sort())
    expect(bulk[0].args[1]).toBe('督办')
    for (const id of [ids[0], ids[1]]) {
      const v = answer('Get', [id]) as { record: { events: { action: string }[] } }
      expect(v.record.events.at(-1)?.action).toBe('督办')
    }
    w.unmount()
  }, 30_000)
})
