// api.ts is the one door to the Go side. The same bundle runs in two shells:
//   - the Wails window, where Go methods are bound at window.go.app.App.<Method>(...args);
//   - `minyi serve` in a browser, where POST /api/<Method> takes a JSON array of the arguments
//     and answers the JSON result, or HTTP 4xx/5xx with {"error":"中文消息"}.
// Errors are thrown as ApiError whose message is already plain Chinese for the officer.
import type {
  AlertView, AuditReport, BulkResult, ExportJob, MonitorSettings, SavedSearchView, TrainResult, CaseView, Dashboard, DeadlineQuery, Department, ImportResult, InboxQuery,
  KPIReport, Page, PullResult, Record_, RecordView, ReportFile, SearchQuery, SearchResult, SourceConfig,
  SourceView, Status, TopicDetail, TopicView,
} from './types'

type Bound = Record<string, (...args: unknown[]) => Promise<unknown>>

declare global {
  interface Window {
    go?: { app?: { App?: Bound } }
  }
}

/** ApiError is a failed call; message is shown to the officer as is. */
export class ApiError extends Error {
  readonly method: string
  readonly status: number
  constructor(method: string, message: string, status = 0) {
    super(message)
    this.name = 'ApiError'
    this.method = method
    this.status = status
  }
}

function bound(): Bound | undefined {
  return typeof window !== 'undefined' ? window.go?.app?.App : undefined
}

// useMock is decided once per page load in development only: when no backend answers.
let useMock: boolean | undefined

async function viaMock<T>(method: string, args: unknown[]): Promise<T> {
  const mock = await import('./mock')
  return mock.handle(method, args) as Promise<T>
}

/** call invokes a Go method by name in whichever shell the page runs in. */
export async function call<T>(method: string, ...args: unknown[]): Promise<T> {
  const app = bound()
  if (app) {
    const fn = app[method]
    if (typeof fn !== 'function') throw new ApiError(method, `后台不支持此功能（${method}）`)
    try {
      return (await fn(...args)) as T
    } catch (e) {
      throw new ApiError(method, errorText(e))
    }
  }
  if (import.meta.env.DEV && useMock) return viaMock<T>(method, args)

  let resp: Response
  try {
    resp = await fetch(`/api/${method}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(args),
    })
  } catch {
    if (import.meta.env.DEV && useMock !== false) {
      useMock = true
      return viaMock<T>(method, args)
    }
    throw new ApiError(method, '无法连接后台服务，请检查程序是否在运行')
  }
  const text = await resp.text()
  let body: unknown = undefined
  let parsed = false
  if (text !== '') {
    try {
      body = JSON.parse(text)
      parsed = true
    } catch {
      parsed = false
    }
  }
  if (import.meta.env.DEV && useMock !== false) {
    // The Vite proxy answers 5xx with no JSON when minyi serve is not running. Calls made
    // concurrently with the first one may come back after it decided: follow its decision.
    if (useMock || (!resp.ok && !parsed)) {
      if (!useMock) console.info('[minyi] 后台未响应，开发模式使用演示数据 (src/mock)')
      useMock = true
      return viaMock<T>(method, args)
    }
    useMock = false
  }
  if (!resp.ok) {
    const msg = parsed && body && typeof body === 'object' && 'error' in body
      ? String((body as { error: unknown }).error)
      : resp.status === 404 ? `后台不支持此功能（${method}）` : `请求失败（${resp.status}）`
    throw new ApiError(method, msg, resp.status)
  }
  return (parsed ? body : null) as T
}

/** errorText turns whatever a shell threw into a message fit for the officer. */
export function errorText(e: unknown): string {
  if (e instanceof Error) return e.message
  if (typeof e === 'string') return e
  if (e && typeof e === 'object' && 'error' in e) return String((e as { error: unknown }).error)
  return '操作失败'
}

export const api = {
  inbox: (q: InboxQuery) => call<Page>('Inbox', q),
  search: (q: SearchQuery) => call<SearchResult>('Search', q),
  get: (id: string) => call<RecordView>('Get', id),
  dashboard: (days: number) => call<Dashboard>('Dashboard', days),
  status: () => call<Status>('Status'),
  loadDemo: () => call<ImportResult>('LoadDemo'),
  act: (id: string, action: string, to = '', reason = '') => call<Record_>('Act', id, action, to, reason),
  sources: () => call<SourceView[] | null>('Sources'),
  saveSource: (s: SourceConfig) => call<SourceView>('SaveSource', s),
  deleteSource: (name: string) => call<null>('DeleteSource', name),
  pullNow: (name: string) => call<PullResult>('PullNow', name),
  departments: () => call<Department[] | null>('Departments'),
  // Case work and monitoring: newer methods; screens degrade gracefully when they are missing.
  bulkAct: (ids: string[], action: string, to = '', reason = '') => call<BulkResult>('BulkAct', ids, action, to, reason),
  caseOf: (id: string) => call<CaseView>('Case', id),
  merge: (ids: string[]) => call<CaseView>('Merge', ids),
  split: (id: string) => call<CaseView>('Split', id),
  deadlines: (q: DeadlineQuery) => call<Page>('Deadlines', q),
  kpis: (from = '', to = '') => call<KPIReport>('KPIs', from, to),
  topics: (since = '', until = '') => call<TopicView[] | null>('Topics', since, until),
  topic: (id: string) => call<TopicDetail>('Topic', id),
  alerts: () => call<AlertView[] | null>('Alerts'),
  ackAlert: (id: string, assignee: string) => call<AlertView>('AckAlert', id, assignee),
  report: (from: string, to: string, format: string) => call<ReportFile>('Report', from, to, format),
  monitorSettings: () => call<MonitorSettings>('MonitorSettings'),
  setMonitorSettings: (s: MonitorSettings) => call<MonitorSettings>('SetMonitorSettings', s),
  verifyAudit: () => call<AuditReport>('VerifyAudit'),
  retrain: (task: string) => call<TrainResult>('Retrain', task),
  // 检索 extras: suggestions, personal saved searches, background exports.
  suggest: (prefix: string) => call<string[] | null>('Suggest', prefix),
  savedSearches: () => call<SavedSearchView[] | null>('SavedSearches'),
  saveSearch: (name: string, q: SearchQuery) => call<SavedSearchView>('SaveSearch', name, q),
  deleteSavedSearch: (name: string) => call<null>('DeleteSavedSearch', name),
  openSavedSearch: (name: string) => call<SearchResult>('OpenSavedSearch', name),
  startExport: (q: SearchQuery, format: string, unmasked: boolean) => call<ExportJob>('StartExport', q, format, unmasked),
  exportStatus: (id: string) => call<ExportJob>('ExportStatus', id),
  cancelExport: (id: string) => call<ExportJob>('CancelExport', id),
}
