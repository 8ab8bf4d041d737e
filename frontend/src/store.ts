// store.ts holds the little state the screens share: which screen is shown, the record open in
// the detail drawer, a pending search handed to 检索 from elsewhere, and the status bar.
import { reactive } from 'vue'
import { api } from './api'
import type { Department, SearchQuery, Status } from './types'

export type Screen = 'inbox' | 'search' | 'opinion' | 'stats' | 'sources' | 'settings'

export const SCREENS: { key: Screen; label: string }[] = [
  { key: 'inbox', label: '收件箱' },
  { key: 'search', label: '检索' },
  { key: 'opinion', label: '舆情' },
  { key: 'stats', label: '统计' },
  { key: 'sources', label: '数据源' },
  { key: 'settings', label: '设置' },
]

export interface SearchRequest {
  seq: number
  query: SearchQuery
}

export const state = reactive({
  screen: screenFromHash(),
  detailId: '',
  /** changed bumps whenever a record changed (Act), so lists can refresh. */
  changed: 0,
  searchRequest: null as SearchRequest | null,
  status: null as Status | null,
  statusError: '',
  departments: [] as string[],
  categories: [] as string[],
  /** openAlerts is how many alerts wait for acknowledgement (0 when the backend has none). */
  openAlerts: 0,
})

function screenFromHash(): Screen {
  const h = (typeof location !== 'undefined' ? location.hash : '').replace(/^#\/?/, '')
  return (SCREENS.find((s) => s.key === h)?.key ?? 'inbox')
}

export function go(screen: Screen) {
  state.screen = screen
  if (typeof history !== 'undefined') history.replaceState(null, '', `#/${screen}`)
}

/** searchFor switches to 检索 and runs the given query there (global search box, chart clicks). */
export function searchFor(query: SearchQuery) {
  state.searchRequest = { seq: (state.searchRequest?.seq ?? 0) + 1, query }
  go('search')
}

export function openDetail(id: string) {
  state.detailId = id
}

export async function refreshStatus() {
  try {
    const before = state.status?.records
    state.status = await api.status()
    state.statusError = ''
    // New messages landed (a scheduled pull, an import): lists and the 舆情 charts refresh live.
    if (before !== undefined && state.status.records > before) state.changed++
  } catch (e) {
    state.statusError = e instanceof Error ? e.message : String(e)
  }
}

/**
 * loadDepartments fills the department list for 派单: Departments() when the Go side has it,
 * else the departments seen in the search facets, plus any extra names (e.g. suggestions).
 */
export async function loadDepartments(): Promise<string[]> {
  if (state.departments.length > 0) return state.departments
  let names: string[] = []
  try {
    const ds: Department[] | null = await api.departments()
    names = (ds ?? []).map((d) => d.name).filter(Boolean)
  } catch {
    names = []
  }
  if (names.length === 0) {
    try {
      const r = await api.search({ query: '', limit: 1 })
      names = Object.entries(r.facets?.department ?? {}).sort((a, b) => b[1] - a[1]).map(([n]) => n)
    } catch {
      names = []
    }
  }
  state.departments = names
  return names
}

/** loadCategories lists the categories seen in the data (search facets), most frequent first. */
export async function loadCategories(): Promise<string[]> {
  if (state.categories.length > 0) return state.categories
  try {
    const r = await api.search({ query: '', limit: 1 })
    state.categories = Object.entries(r.facets?.category ?? {}).sort((a, b) => b[1] - a[1]).map(([n]) => n)
  } catch {
    state.categories = []
  }
  return state.categories
}
