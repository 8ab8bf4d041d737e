import { describe, expect, it } from 'vitest'
import { dueInfo, fmtTime, isZeroTime, pct } from './format'

describe('format', () => {
  it('treats Go zero time as empty', () => {
    expect(isZeroTime('0001-01-01T00:00:00Z')).toBe(true)
    expect(fmtTime('0001-01-01T00:00:00Z')).toBe('')
    expect(dueInfo('0001-01-01T00:00:00Z', '待受理')).toBeNull()
  })
  const now = Date.parse('2024-05-10T12:00:00Z')
  const cases = [
    { name: 'overdue', due: '2024-05-07T12:00:00Z', status: '办理中', type: 'error', text: '超期 3 天' },
    { name: 'due soon', due: '2024-05-12T13:00:00Z', status: '办理中', type: 'warning', text: '剩 2 天' },
    { name: 'plenty of time', due: '2024-05-30T12:00:00Z', status: '已派单', type: 'default', text: '剩 20 天' },
    { name: 'closed cases are never overdue', due: '2024-05-01T12:00:00Z', status: '已办结', type: 'default' },
  ]
  for (const c of cases) {
    it(c.name, () => {
      const d = dueInfo(c.due, c.status, now)
      expect(d?.type).toBe(c.type)
      if (c.text) expect(d?.text).toBe(c.text)
    })
  }
  it('formats shares', () => expect(pct(0.3456, 1)).toBe('34.6%'))
})
