import { afterEach, describe, expect, it, vi } from 'vitest'
import { ApiError, call, errorText } from './api'

afterEach(() => {
  vi.unstubAllGlobals()
  delete window.go
})

function jsonResponse(status: number, body: unknown) {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

describe('call over HTTP (minyi serve)', () => {
  it('POSTs the arguments as a JSON array to /api/<Method>', async () => {
    const fetchMock = vi.fn(async () => jsonResponse(200, { total: 3, items: [] }))
    vi.stubGlobal('fetch', fetchMock)
    const got = await call<{ total: number }>('Inbox', { status: '待受理', limit: 50 })
    expect(got.total).toBe(3)
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit]
    expect(url).toBe('/api/Inbox')
    expect(init.method).toBe('POST')
    expect(JSON.parse(String(init.body))).toEqual([{ status: '待受理', limit: 50 }])
  })

  it('passes several arguments in order', async () => {
    const fetchMock = vi.fn(async () => jsonResponse(200, { id: 'M1' }))
    vi.stubGlobal('fetch', fetchMock)
    await call('Act', 'M1', '派单', '市城管局', '')
    const init = (fetchMock.mock.calls[0] as unknown as [string, RequestInit])[1]
    expect(JSON.parse(String(init.body))).toEqual(['M1', '派单', '市城管局', ''])
  })

  const failures = [
    { name: 'Chinese error from the server', status: 400, body: { error: '派单必须选择承办部门' }, want: '派单必须选择承办部门' },
    { name: 'server error', status: 500, body: { error: '数据库已损坏' }, want: '数据库已损坏' },
  ]
  for (const f of failures) {
    it(f.name, async () => {
      vi.stubGlobal('fetch', vi.fn(async () => jsonResponse(f.status, f.body)))
      const err = await call('Act', 'M1', '派单', '', '').catch((e: unknown) => e)
      expect(err).toBeInstanceOf(ApiError)
      expect((err as ApiError).message).toBe(f.want)
      expect((err as ApiError).status).toBe(f.status)
    })
  }
})

describe('call in the Wails window', () => {
  it('uses the bound method and never fetch', async () => {
    const fetchMock = vi.fn()
    vi.stubGlobal('fetch', fetchMock)
    const Get = vi.fn(async (id: unknown) => ({ record: { id } }))
    window.go = { app: { App: { Get } } }
    const got = await call<{ record: { id: string } }>('Get', 'M000007')
    expect(got.record.id).toBe('M000007')
    expect(Get).toHaveBeenCalledWith('M000007')
    expect(fetchMock).not.toHaveBeenCalled()
  })

  it('turns a rejected promise (a Go error string) into ApiError', async () => {
    window.go = { app: { App: { Get: async () => { throw '找不到该信件' } } } }
    await expect(call('Get', 'X')).rejects.toThrow('找不到该信件')
  })

  it('reports a method the Go side does not bind', async () => {
    window.go = { app: { App: {} } }
    await expect(call('Sources')).rejects.toThrow('后台不支持此功能（Sources）')
  })
})

describe('errorText', () => {
  it('reads strings, errors and {error}', () => {
    expect(errorText('甲')).toBe('甲')
    expect(errorText(new Error('乙'))).toBe('乙')
    expect(errorText({ error: '丙' })).toBe('丙')
  })
})
