// Types mirrored from the Go side: app/views.go (what the bound methods take and return) and
// domain/domain.go (Record and its parts). JSON field names must match the Go struct tags.

export interface InboxQuery {
  status?: string
  channel?: string
  category?: string
  department?: string
  district?: string
  text?: string
  offset?: number
  limit?: number
}

export interface Row {
  id: string
  time: string
  source: string
  channel: string
  title: string
  category: string
  matter: string
  department: string
  sentiment: string
  status: string
  district: string
  priority: number
  due?: string
  score?: number
  /** Plain text; U+E000 opens and U+E001 closes a highlighted match. Never HTML. */
  snippet?: string
}

export interface Page {
  total: number
  items: Row[] | null
}

export interface SearchQuery {
  query?: string
  category?: string
  department?: string
  status?: string
  district?: string
  channel?: string
  sentiment?: string
  since?: string
  until?: string
  sort?: '' | 'relevance' | 'time'
  offset?: number
  limit?: number
}

export type Facets = Record<string, Record<string, number>>

export interface SearchResult {
  total: number
  took_ms: number
  hits: Row[] | null
  facets: Facets | null
}

export interface Place {
  name: string
  full: string
  level: string
  path?: string[]
  start?: number
  end?: number
}

export interface Analysis {
  words?: string[]
  category: string
  category_prob?: number
  matter?: string
  sentiment: string
  sentiment_prob?: number
  emotion?: string
  places?: Place[]
  district?: string
  street?: string
  keywords?: string[]
  urgency_cues?: string[]
  priority: number
}

export interface Suggestion {
  department: string
  confidence: number
  reasons?: string[]
  flagged?: boolean
}

export interface Event {
  time: string
  actor: string
  action: string
  from?: string
  to?: string
  reason?: string
}

/** Record is domain.Record; Item's fields are embedded (flattened) in the JSON. */
export interface Record_ {
  id: string
  seq: number
  received: string
  hash: string
  source: string
  source_id?: string
  channel: string
  title: string
  body: string
  time: string
  author?: string
  url?: string
  label?: string
  department?: string
  likes?: number
  dislikes?: number
  extra?: Record<string, string>
  analysis: Analysis
  suggestions?: Suggestion[] | null
  assigned_department?: string
  status: string
  due?: string
  case_id?: string
  events?: Event[] | null
}

export type MarkKind = 'place' | 'keyword' | 'urgency'

export interface Mark {
  text: string
  kind: MarkKind | string
}

export interface RecordView {
  record: Record_
  marks: Mark[] | null
  similar: Row[] | null
}

export interface Count {
  name: string
  count: number
}

export interface DayCount {
  date: string
  count: number
  negative: number
}

export interface Dashboard {
  days: number
  total: number
  negative_share: number
  by_day: DayCount[] | null
  by_category: Count[] | null
  by_channel: Count[] | null
  by_district: Count[] | null
  by_sentiment: Count[] | null
  by_department: Count[] | null
  hot_words: Count[] | null
}

export interface RowError {
  file?: string
  line: number
  error: string
}

export interface ImportResult {
  read: number
  new: number
  duplicate: number
  rejected: number
  errors: RowError[] | null
}

export interface Status {
  version: string
  data_dir: string
  records: number
  indexed: number
  banners: string[] | null
  channels: string[] | null
  statuses: string[] | null
}

export interface SourceView {
  name: string
  channel: string
  kind: string
  url: string
  folder: string
  schedule: string
  enabled: boolean
  last_run: string
  last_duration_ms: number
  last_read: number
  last_new: number
  last_duplicate: number
  last_rejected: number
  last_error: string
  failures: number
}

export interface SourceConfig {
  name: string
  channel: string
  kind: string
  url: string
  folder: string
  schedule: string
  enabled: boolean
  timeout_seconds: number
  max_mb: number
}

export interface PullResult {
  source: string
  read: number
  new: number
  duplicate: number
  rejected: number
  error: string
}

export interface Department {
  name: string
  code: string
  level: string
  district: string
}

/** Actions of the case lifecycle that Act accepts. */
export const ACTIONS = [
  '受理', '派单', '签收', '办理', '答复', '回访', '办结', '退单',
  '延期申请', '延期批准', '督办', '重办', '不予受理',
] as const
export type Action = (typeof ACTIONS)[number]

/** Actions that need a target (to): the department for 派单, the satisfaction for 回访, the category for 改分类. */
export const NEEDS_TO: readonly string[] = ['派单', '回访', '改分类']
/** Actions that must carry a reason. */
export const NEEDS_REASON: readonly string[] = ['退单', '不予受理', '延期申请']

export const CHANNELS = ['信访', '12345', '留言板', '信箱', '媒体', '其他']
export const STATUSES = ['待受理', '已受理', '待派单', '已派单', '已签收', '办理中', '已答复', '已回访', '已办结', '不予受理']
export const SENTIMENTS = ['负面', '中性', '正面']

// ---- case work (app/cases.go, app/duplicates.go, app/kpi.go) ----

export interface BulkItem {
  id: string
  ok: boolean
  status?: string
  error?: string
}

export interface BulkResult {
  action: string
  done: number
  failed: number
  items: BulkItem[] | null
}

export interface TimelineEvent extends Event {
  id: string
}

export interface CaseView {
  case_id: string
  record: Record_
  messages: Row[] | null
  timeline: TimelineEvent[] | null
  due?: string
  overdue: boolean
  suggestions: Suggestion[] | null
  /** actions legal in the record's status */
  allowed: string[] | null
  same_person: Row[] | null
}

export const DEADLINE_OVERDUE = '逾期'
export const DEADLINE_DUE_SOON = '即将到期'

export interface DeadlineQuery {
  kind: string
  department?: string
  within?: number
  offset?: number
  limit?: number
}

export interface KPI {
  department: string
  dispatched: number
  returned: number
  replied: number
  on_time: number
  visits: number
  satisfied: number
  overdue: number
  on_time_rate: number
  return_rate: number
  satisfaction_rate: number
  avg_handle_hours: number
}

export interface KPIReport {
  from: string
  to: string
  rows: KPI[] | null
}

// ---- public-opinion monitoring (app/monitor.go) ----

export interface TopicView {
  id: string
  title: string
  keywords: string[] | null
  size: number
  heat: number
  rising: boolean
  likes: number
  dislikes: number
  negative_share: number
  places: Count[] | null
  first: string
  last: string
  volume: DayCount[] | null
}

/** TopicDetail is a topic page: monitor.Topic and its member messages (newest first, ≤ 500). */
export interface TopicDetail {
  id: string
  title: string
  keywords: string[] | null
  size: number
  messages?: string[] | null
  representative?: MessageRef[] | null
  volume?: DayCount[] | null
  sentiment?: TopicSentiment
  places?: Count[] | null
  categories?: Count[] | null
  likes?: number
  dislikes?: number
  /** distinct case ids linked to the members */
  cases?: string[] | null
  first?: string
  last?: string
  concentration?: number
  heat?: number
  rising?: boolean
  burst?: BurstScore
  rows: Row[] | null
}

export interface AlertView {
  id: string
  time: string
  day: string
  kind: string
  level: string
  key: string
  title: string
  count: number
  words?: string[] | null
  evidence: string[] | null
  acknowledged: boolean
  assignee?: string
}

export interface ReportFile {
  name: string
  path: string
}

/** Satisfaction answers for 回访 (Act's to). */
export const VISIT_RESULTS = ['满意', '基本满意', '不满意']
/** 改分类 is the bulk action that corrects the category (to = the new category). */
export const ACT_RECATEGORISE = '改分类'

// ---- topic page (monitor.Topic in app.TopicDetail) ----

export interface MessageRef {
  id: string
  title: string
  time: string
  similarity: number
  likes?: number
}

export interface TopicSentiment {
  negative: number
  neutral: number
  positive: number
  negative_share: number
}

export interface BurstScore {
  count: number
  mean: number
  std: number
  z: number
  burst: boolean
}

// ---- search extras (app/export.go, app/saved.go, app/suggest.go) ----

/** ExportJob states as the Go side spells them. */
export const EXPORT_RUNNING = '进行中'
export const EXPORT_DONE = '已完成'
export const EXPORT_CANCELLED = '已取消'
export const EXPORT_FAILED = '失败'

export interface ExportJob {
  id: string
  state: string
  done: number
  total: number
  format: string
  unmasked: boolean
  path?: string
  error?: string
  started: string
}

export interface SavedSearchView {
  name: string
  query: SearchQuery
  created: string
  last_opened?: string
  total: number
  /** matches added since it was last opened */
  new: number
}

// ---- settings (store.AuditReport, app.MonitorSettings, app.TrainResult) ----

export interface AuditReport {
  ok: boolean
  entries: number
  head_seq: number
  head_hash: string
  bad_seq?: number
  problem?: string
}

export interface WatchList {
  category: string
  level: string
  words: string[] | null
}

export interface MonitorSettings {
  webhook_url: string
  watch_lists: WatchList[] | null
}

export interface TrainResult {
  task: string
  n: number
  labels: string[] | null
  seconds: number
  path: string
}
