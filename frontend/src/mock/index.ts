// A tiny in-memory stand-in for the Go side, loaded by api.ts ONLY in `vite dev` when neither
// window.go nor `minyi serve` answers. The production build never imports it.
import type {
  Dashboard, Department, Facets, InboxQuery, Page, Record_, RecordView, Row, SearchQuery,
  SearchResult, SourceConfig, SourceView, Status,
} from '../types'

const DEPTS: Department[] = [
  { name: '市城管局', code: 'CG', level: '市', district: '' },
  { name: '市住建局', code: 'ZJ', level: '市', district: '' },
  { name: '市生态环境局', code: 'HB', level: '市', district: '' },
  { name: '市交通运输局', code: 'JT', level: '市', district: '' },
  { name: '市教育局', code: 'JY', level: '市', district: '' },
  { name: 'A1区人民政府', code: 'A1', level: '区县', district: 'A1区' },
]

const SEED: [string, string, string, string, string, string, string, number][] = [
  ['渣土车夜间施工噪音扰民', 'A1区万家丽路工地渣土车每晚十二点后还在运输，噪音很大，多次反映无果，希望城管部门尽快处理。', '城乡建设', '渣土车', '负面', 'A1区', '12345', 2],
  ['小区电梯频繁故障存在安全隐患', 'A3区梅溪湖街道某小区电梯一个月坏了五次，有老人被困，存在安全隐患，物业推诿。', '城乡建设', '电梯安全', '负面', 'A3区', '留言板', 3],
  ['建议增加公交线路', '希望在A2区洋湖片区增加一条直达高铁站的公交线路，方便居民出行。', '交通运输', '公交线路', '中性', 'A2区', '信箱', 0],
  ['学校周边占道经营', 'A1区某小学门口每天放学时间占道经营严重，学生安全受影响。', '教育文体', '占道经营', '负面', 'A1区', '12345', 1],
  ['感谢环保部门及时处理河道污染', 'A4区浏阳河支流污染问题已经得到处理，水质明显改善，感谢相关部门。', '环境保护', '水污染', '正面', 'A4区', '留言板', 0],
  ['工厂排放刺鼻气体', 'A5区工业园某化工厂夜间偷排废气，气味刺鼻，居民头晕，请尽快查处。', '环境保护', '大气污染', '负面', 'A5区', '信访', 2],
  ['拖欠农民工工资', '某建筑公司在A2区项目拖欠三十余名农民工工资已半年，多次讨薪未果。', '劳动和社会保障', '欠薪', '负面', 'A2区', '信访', 3],
  ['路灯不亮', 'A3区桐梓坡路一段路灯已经不亮两周，夜间行人不安全。', '城乡建设', '路灯', '负面', 'A3区', '12345', 1],
  ['咨询社保转移手续', '从外省调入本市工作，社保关系如何转移，需要哪些材料？', '劳动和社会保障', '社保', '中性', '', '信箱', 0],
  ['医院挂号难', 'A1区某医院专家号总是挂不上，希望增加号源。', '卫生计生', '挂号', '负面', 'A1区', '留言板', 0],
  ['<script>alert(1)</script>测试恶意标题', '正文里有<img src=x onerror=alert(2)>的恶意内容，必须作为文本显示。', '其他', '', '中性', '', '媒体', 0],
  ['出租车拒载', '在火车站打车，出租车司机拒载短途乘客，请交通部门管理。', '交通运输', '出租车', '负面', '', '12345', 1],
]

const CAT_DEPT: Record<string, string> = {
  城乡建设: '市住建局', 交通运输: '市交通运输局', 教育文体: '市教育局', 环境保护: '市生态环境局',
  劳动和社会保障: 'A1区人民政府', 卫生计生: 'A1区人民政府', 其他: '市城管局',
}

const day = 86400_000
const now = Date.now()
const statuses = ['待受理', '已派单', '办理中', '已办结']

const records: Record_[] = SEED.map(([title, body, cat, matter, senti, district, channel, prio], i) => {
  const t = new Date(now - i * day * 1.7 - i * 3600_000)
  const dept = CAT_DEPT[cat] ?? '市城管局'
  return {
    id: `M${String(i + 1).padStart(6, '0')}`,
    seq: i + 1,
    received: t.toISOString(),
    hash: `h${i}`,
    source: channel === '12345' ? '12345热线' : channel === '留言板' ? '领导留言板' : channel === '信箱' ? '市长信箱' : channel,
    channel,
    title,
    body,
    time: t.toISOString(),
    analysis: {
      category: cat,
      category_prob: 0.62 + (i % 4) * 0.09,
      matter,
      sentiment: senti,
      sentiment_prob: senti === '负面' ? 0.86 : 0.2,
      district,
      street: district === 'A3区' ? '梅溪湖街道' : '',
      keywords: matter ? [matter, ...body.slice(8, 10).split('')] : [],
      urgency_cues: prio >= 2 ? ['多次反映', '安全隐患'].filter((c) => body.includes(c)) : [],
      places: district ? [{ name: district, full: district, level: '区县' }] : [],
      priority: prio,
    },
    suggestions: [
      { department: dept, confidence: 0.71, reasons: [`分类「${cat}」对应本部门`, matter ? `关键词：${matter}` : '历史相似案件'] },
      { department: '市城管局', confidence: 0.18, reasons: ['占道、噪音类事项'] },
      { department: district ? `${district}人民政府` : 'A1区人民政府', confidence: 0.07, reasons: ['属地管理'], flagged: i % 5 === 0 },
    ],
    status: statuses[i % statuses.length],
    assigned_department: i % 4 === 0 ? '' : dept,
    due: new Date(t.getTime() + 15 * day).toISOString(),
    events: [{ time: t.toISOString(), actor: '系统', action: '导入', to: '' }],
  }
})

const alerts = [
  {
    id: 'spike-负面-1', time: new Date(now - 2 * 3600_000).toISOString(), day: new Date().toISOString().slice(0, 10),
    kind: '突增', level: '橙色', key: '负面', title: '负面信件较近 7 日均值突增', count: 6, evidence: ['M000001', 'M000002', 'M000006'],
    acknowledged: false,
  },
  {
    id: 'watch-安全-1', time: new Date(now - 26 * 3600_000).toISOString(), day: '', kind: '关注词', level: '红色', key: '安全生产',
    title: '出现安全隐患类关注词', count: 2, words: ['安全隐患', '被困'], evidence: ['M000002'], acknowledged: true, assignee: '应急科',
  },
]

let sources: SourceView[] = [
  {
    name: '市长信箱', channel: '信箱', kind: 'html', url: 'http://example.gov.cn/szxx', folder: '', schedule: '@every 30m',
    enabled: true, last_run: new Date(now - 600_000).toISOString(), last_duration_ms: 1840, last_read: 20, last_new: 3,
    last_duplicate: 17, last_rejected: 0, last_error: '', failures: 0,
  },
  {
    name: '12345导出', channel: '12345', kind: 'folder', url: '', folder: '/data/12345', schedule: '@every 1h',
    enabled: true, last_run: new Date(now - 3600_000).toISOString(), last_duration_ms: 320, last_read: 0, last_new: 0,
    last_duplicate: 0, last_rejected: 0, last_error: '目录不存在：/data/12345', failures: 3,
  },
]

function toRow(r: Record_): Row {
  return {
    id: r.id, time: r.time, source: r.source, channel: r.channel, title: r.title,
    category: r.analysis.category, matter: r.analysis.matter ?? '',
    department: r.assigned_department || r.suggestions?.[0]?.department || '',
    sentiment: r.analysis.sentiment, status: r.status, district: r.analysis.district ?? '',
    priority: r.analysis.priority, due: r.due,
  }
}

function facetsOf(rs: Record_[]): Facets {
  const f: Facets = { category: {}, department: {}, status: {}, district: {}, channel: {}, sentiment: {}, month: {} }
  const add = (k: string, v: string) => { if (v) f[k][v] = (f[k][v] ?? 0) + 1 }
  for (const r of rs) {
    const row = toRow(r)
    add('category', row.category); add('department', row.department); add('status', row.status)
    add('district', row.district); add('channel', row.channel); add('sentiment', row.sentiment)
    add('month', row.time.slice(0, 7))
  }
  return f
}

function snippet(body: string, words: string[]): string {
  let s = body.slice(0, 120)
  for (const w of words) if (w) s = s.split(w).join(`\uE000${w}\uE001`)
  return s
}

function inbox(q: InboxQuery): Page {
  const rs = records.filter((r) =>
    (!q.status || r.status === q.status) && (!q.channel || r.channel === q.channel) &&
    (!q.category || r.analysis.category === q.category) &&
    (!q.text || r.title.includes(q.text) || r.body.includes(q.text)))
  const off = q.offset ?? 0
  return { total: rs.length, items: rs.slice(off, off + (q.limit || 50)).map(toRow) }
}

function search(q: SearchQuery): SearchResult {
  const words = (q.query ?? '').replace(/["“”]/g, ' ').split(/\s+/).filter((w) => w && !/^(AND|OR|NOT)$/.test(w))
    .map((w) => w.replace(/^[^:：]+[:：]/, ''))
  const rs = records.filter((r) => {
    const row = toRow(r)
    const d = row.time.slice(0, 10)
    return words.every((w) => r.title.includes(w) || r.body.includes(w) || row.department.includes(w) || row.category.includes(w)) &&
      (!q.category || row.category === q.category) && (!q.department || row.department === q.department) &&
      (!q.status || row.status === q.status) && (!q.district || row.district === q.district) &&
      (!q.channel || row.channel === q.channel) && (!q.sentiment || row.sentiment === q.sentiment) &&
      (!q.since || d >= q.since) && (!q.until || d <= q.until)
  })
  const off = q.offset ?? 0
  return {
    total: rs.length, took_ms: 1.2, facets: facetsOf(rs),
    hits: rs.slice(off, off + (q.limit || 20)).map((r) => ({ ...toRow(r), score: 1, snippet: snippet(r.body, words) })),
  }
}

function get(id: string): RecordView {
  const r = records.find((x) => x.id === id)
  if (!r) throw new Error('找不到该信件')
  const marks = [
    ...(r.analysis.places ?? []).map((p) => ({ text: p.name, kind: 'place' })),
    ...(r.analysis.keywords ?? []).map((k) => ({ text: k, kind: 'keyword' })),
    ...(r.analysis.urgency_cues ?? []).map((k) => ({ text: k, kind: 'urgency' })),
  ]
  const similar = records.filter((x) => x !== r && x.analysis.category === r.analysis.category).slice(0, 5).map(toRow)
  return { record: structuredClone(r), marks, similar }
}

function count(vals: string[]) {
  const m = new Map<string, number>()
  for (const v of vals) if (v) m.set(v, (m.get(v) ?? 0) + 1)
  return [...m].map(([name, c]) => ({ name, count: c })).sort((a, b) => b.count - a.count)
}

function dashboard(days: number): Dashboard {
  const rows = records.map(toRow)
  const byDay = new Map<string, { count: number; negative: number }>()
  for (let i = days - 1; i >= 0; i--) byDay.set(new Date(now - i * day).toISOString().slice(0, 10), { count: 0, negative: 0 })
  for (const r of rows) {
    const d = byDay.get(r.time.slice(0, 10))
    if (d) { d.count++; if (r.sentiment === '负面') d.negative++ }
  }
  const neg = rows.filter((r) => r.sentiment === '负面').length
  return {
    days, total: rows.length, negative_share: neg / rows.length,
    by_day: [...byDay].map(([date, v]) => ({ date, ...v })),
    by_category: count(rows.map((r) => r.category)), by_channel: count(rows.map((r) => r.channel)),
    by_district: count(rows.map((r) => r.district)), by_sentiment: count(rows.map((r) => r.sentiment)),
    by_department: count(rows.map((r) => r.department)),
    hot_words: count(records.flatMap((r) => r.analysis.keywords ?? [])).slice(0, 20),
  }
}

const NEXT: Record<string, string> = {
  受理: '已受理', 派单: '已派单', 签收: '已签收', 办理: '办理中', 答复: '已答复', 回访: '已回访', 办结: '已办结',
  退单: '待派单', 不予受理: '不予受理', 重办: '办理中',
}

function act(id: string, action: string, to: string, reason: string): Record_ {
  const r = records.find((x) => x.id === id)
  if (!r) throw new Error('找不到该信件')
  if (action === '派单' && !to) throw new Error('派单必须选择承办部门')
  if ((action === '退单' || action === '不予受理') && !reason) throw new Error('请填写理由')
  const from = r.status
  if (NEXT[action]) r.status = NEXT[action]
  if (action === '派单') r.assigned_department = to
  if (action === '退单') r.assigned_department = ''
  r.events = [...(r.events ?? []), { time: new Date().toISOString(), actor: '演示用户', action, from, to, reason }]
  return structuredClone(r)
}

function saveSource(c: SourceConfig): SourceView {
  if (!c.name) throw new Error('请填写数据源名称')
  const old = sources.find((s) => s.name === c.name)
  const v: SourceView = {
    ...(old ?? { last_run: '', last_duration_ms: 0, last_read: 0, last_new: 0, last_duplicate: 0, last_rejected: 0, last_error: '', failures: 0 }),
    name: c.name, channel: c.channel, kind: c.kind, url: c.url, folder: c.folder, schedule: c.schedule, enabled: c.enabled,
  }
  sources = [...sources.filter((s) => s.name !== c.name), v]
  return v
}

let saved: { name: string; query: SearchQuery; created: string; total: number; new: number }[] = []
let exportSeq = 0
const exports = new Map<string, { id: string; state: string; done: number; total: number; format: string; unmasked: boolean; started: string; path?: string }>()
let monitorSettings = {
  webhook_url: '',
  watch_lists: [
    { category: '敏感词', level: '严重', words: ['自杀', '跳楼'] },
    { category: '安全隐患', level: '预警', words: ['燃气泄漏', '坍塌'] },
  ],
}

/** handle answers one call like the Go side would, after a short delay like a real backend's. */
export async function handle(method: string, args: unknown[]): Promise<unknown> {
  await new Promise((r) => setTimeout(r, 120))
  return answer(method, args)
}

/** answer answers one call at once (tests use it directly). */
export function answer(method: string, args: unknown[]): unknown {
  switch (method) {
    case 'Inbox': return inbox(args[0] as InboxQuery)
    case 'Search': return search(args[0] as SearchQuery)
    case 'Get': return get(args[0] as string)
    case 'Dashboard': return dashboard(args[0] as number)
    case 'Status': {
      const st: Status = {
        version: 'dev-mock', data_dir: '(演示数据，未连接后台)', records: records.length, indexed: records.length,
        banners: sources.filter((s) => s.failures >= 3).map((s) => `数据源「${s.name}」连续 ${s.failures} 次拉取失败：${s.last_error}`),
        channels: ['信访', '12345', '留言板', '信箱', '媒体', '其他'],
        statuses: ['待受理', '已受理', '待派单', '已派单', '已签收', '办理中', '已答复', '已回访', '已办结', '不予受理'],
      }
      return st
    }
    case 'LoadDemo': return { read: records.length, new: 0, duplicate: records.length, rejected: 0, errors: [] }
    case 'Act': return act(args[0] as string, args[1] as string, args[2] as string, args[3] as string)
    case 'BulkAct': {
      const [ids, action, to, reason] = args as [string[], string, string, string]
      const items = ids.map((id) => {
        try {
          return { id, ok: true, status: act(id, action, to, reason).status }
        } catch (e) {
          return { id, ok: false, error: e instanceof Error ? e.message : String(e) }
        }
      })
      return { action, done: items.filter((x) => x.ok).length, failed: items.filter((x) => !x.ok).length, items }
    }
    case 'Deadlines': {
      const q = args[0] as { kind: string; offset?: number; limit?: number }
      const open = records.filter((r) => r.status !== '已办结' && r.status !== '不予受理' && r.due)
      const t = (r: Record_) => Date.parse(r.due as string)
      const rs = open.filter((r) => (q.kind === '逾期' ? t(r) < Date.now() : t(r) >= Date.now() && t(r) < Date.now() + 3 * day))
        .sort((a, b) => t(a) - t(b))
      const off = q.offset ?? 0
      return { total: rs.length, items: rs.slice(off, off + (q.limit || 50)).map(toRow) }
    }
    case 'Case': {
      const v = get(args[0] as string)
      const r = v.record
      const ALLOWED: Record<string, string[]> = {
        待受理: ['受理', '不予受理', '派单'], 已受理: ['派单', '不予受理'], 待派单: ['派单'], 已派单: ['签收', '退单', '督办'],
        已签收: ['办理', '退单', '延期申请', '督办'], 办理中: ['答复', '延期申请', '督办'], 已答复: ['回访', '办结', '重办'],
        已回访: ['办结', '重办'], 已办结: ['重办'], 不予受理: [],
      }
      return {
        case_id: r.case_id || r.id, record: r, messages: [toRow(r)],
        timeline: (r.events ?? []).map((e) => ({ ...e, id: r.id })), due: r.due, overdue: false,
        suggestions: r.suggestions, allowed: ALLOWED[r.status] ?? [], same_person: [],
      }
    }
    case 'Alerts': return alerts
    case 'AckAlert': {
      const a = alerts.find((x) => x.id === args[0])
      if (!a) throw new Error('找不到该告警')
      Object.assign(a, { acknowledged: true, assignee: args[1] as string })
      return a
    }
    case 'Topics': return [
      {
        id: 'M000001', title: '渣土车夜间施工噪音', keywords: ['渣土车', '噪音', '夜间', '工地'], size: 3, heat: 12.5, rising: true,
        likes: 10, dislikes: 0, negative_share: 1, places: [{ name: 'A1区', count: 3 }], first: records[2].time, last: records[0].time, volume: [],
      },
      {
        id: 'M000002', title: '电梯故障与安全隐患', keywords: ['电梯', '安全隐患', '物业'], size: 2, heat: 7.1, rising: false,
        likes: 3, dislikes: 0, negative_share: 1, places: [{ name: 'A3区', count: 2 }], first: records[5].time, last: records[1].time, volume: [],
      },
    ]
    case 'Topic': {
      const rows = records.slice(0, 3).map(toRow)
      return { id: args[0], title: '渣土车夜间施工噪音', keywords: ['渣土车', '噪音'], size: rows.length, rows }
    }
    case 'KPIs': return {
      from: '', to: '',
      rows: DEPTS.slice(0, 5).map((d, i) => ({
        department: d.name, dispatched: 10 - i, returned: i, replied: 8 - i, on_time: 7 - i, visits: 5, satisfied: 5 - (i % 3),
        overdue: i % 2, on_time_rate: (7 - i) / (8 - i), return_rate: i / (10 - i), satisfaction_rate: (5 - (i % 3)) / 5, avg_handle_hours: 30 + i * 12,
      })),
    }
    case 'Report': return { name: `舆情报告.${args[2]}`, path: `/tmp/reports/舆情报告.${args[2]}` }
    case 'Sources': return sources
    case 'SaveSource': return saveSource(args[0] as SourceConfig)
    case 'DeleteSource': sources = sources.filter((s) => s.name !== args[0]); return null
    case 'PullNow': return { source: args[0], read: 5, new: 1, duplicate: 4, rejected: 0, error: '' }
    case 'Departments': return DEPTS
    case 'Suggest': {
      const w = String(args[0] ?? '').split(/[\s:：]/).pop() ?? ''
      const words = [...new Set(records.flatMap((r) => [r.analysis.district ?? '', r.analysis.matter ?? '', r.analysis.category]))]
      return w ? words.filter((x) => x && x.startsWith(w)).slice(0, 10) : []
    }
    case 'SavedSearches': return saved.map((x) => ({ ...x, total: search(x.query).total, new: x.name.length % 3 }))
    case 'SaveSearch': {
      const v = { name: String(args[0]), query: args[1] as SearchQuery, created: new Date().toISOString(), total: 0, new: 0 }
      saved = [...saved.filter((x) => x.name !== v.name), v]
      return v
    }
    case 'DeleteSavedSearch': saved = saved.filter((x) => x.name !== args[0]); return null
    case 'OpenSavedSearch': {
      const x = saved.find((y) => y.name === args[0])
      if (!x) throw new Error('未找到该检索')
      return search(x.query)
    }
    case 'StartExport': {
      const total = search({ ...(args[0] as SearchQuery), limit: 1 }).total
      const job = { id: `E${++exportSeq}`, state: '进行中', done: 0, total, format: String(args[1]), unmasked: Boolean(args[2]), started: new Date().toISOString() }
      exports.set(job.id, job)
      return job
    }
    case 'ExportStatus': {
      const j = exports.get(String(args[0]))
      if (!j) throw new Error('未找到该导出')
      if (j.state === '进行中') {
        j.done = Math.min(j.total, j.done + Math.max(1, Math.ceil(j.total / 4)))
        if (j.done >= j.total) Object.assign(j, { state: '已完成', path: `/tmp/exports/export-${j.id}.${j.format}` })
      }
      return { ...j }
    }
    case 'CancelExport': {
      const j = exports.get(String(args[0]))
      if (!j) throw new Error('未找到该导出')
      if (j.state === '进行中') j.state = '已取消'
      return { ...j }
    }
    case 'VerifyAudit': return { ok: true, entries: 42, head_seq: 42, head_hash: 'ab12cd34ef56ab12cd34ef56ab12cd34' }
    case 'MonitorSettings': return monitorSettings
    case 'SetMonitorSettings': monitorSettings = args[0] as typeof monitorSettings; return monitorSettings
    case 'Retrain': return { task: args[0], n: records.length, labels: [...new Set(records.map((r) => r.analysis.category))], seconds: 0.4, path: '/tmp/models/classify.bin' }
  }
  throw new Error(`演示数据不支持 ${method}`)
}
