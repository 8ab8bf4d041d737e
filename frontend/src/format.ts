// format.ts turns Go values into what the officer reads: dates, deadlines, tags.

/** isZeroTime reports Go's zero time.Time, which the JSON carries instead of omitting it. */
export function isZeroTime(s: string | undefined | null): boolean {
  return !s || s.startsWith('0001-01-01')
}

function pad(n: number) {
  return String(n).padStart(2, '0')
}

/** fmtTime shows an RFC 3339 time as local "YYYY-MM-DD HH:mm". */
export function fmtTime(s: string | undefined | null): string {
  if (isZeroTime(s)) return ''
  const d = new Date(s as string)
  if (Number.isNaN(d.getTime())) return String(s)
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`
}

export function fmtDate(s: string | undefined | null): string {
  return fmtTime(s).slice(0, 10)
}

export interface DueInfo {
  text: string
  type: 'default' | 'warning' | 'error' | 'success'
}

const CLOSED = new Set(['已办结', '不予受理'])

/** dueInfo says how much time is left until a deadline, coloured by urgency. */
export function dueInfo(due: string | undefined | null, status: string, now = Date.now()): DueInfo | null {
  if (isZeroTime(due)) return null
  const t = new Date(due as string).getTime()
  if (Number.isNaN(t)) return null
  if (CLOSED.has(status)) return { text: fmtDate(due), type: 'default' }
  const days = Math.floor((t - now) / 86400_000)
  if (t < now) return { text: `超期 ${Math.max(1, -days)} 天`, type: 'error' }
  if (days < 1) return { text: '今日到期', type: 'error' }
  if (days <= 3) return { text: `剩 ${days} 天`, type: 'warning' }
  return { text: `剩 ${days} 天`, type: 'default' }
}

export function sentimentType(s: string): 'error' | 'success' | 'default' {
  return s === '负面' ? 'error' : s === '正面' ? 'success' : 'default'
}

export const PRIORITY_LABEL = ['一般', '较急', '紧急', '特急']

export function priorityType(p: number): 'default' | 'info' | 'warning' | 'error' {
  return (['default', 'info', 'warning', 'error'] as const)[Math.max(0, Math.min(3, p | 0))]
}

export function pct(x: number | undefined | null, digits = 0): string {
  if (x === undefined || x === null || Number.isNaN(x)) return ''
  return `${(x * 100).toFixed(digits)}%`
}

export function statusType(s: string): 'default' | 'info' | 'warning' | 'success' | 'error' {
  if (s === '待受理' || s === '待派单') return 'warning'
  if (s === '已办结') return 'success'
  if (s === '不予受理') return 'error'
  if (s === '') return 'default'
  return 'info'
}
