// rowCells renders the cells that several tables share (sentiment, status, deadline, source),
// with Naive UI tags built by render functions so record text stays text.
import { h } from 'vue'
import { NTag } from 'naive-ui'
import type { Row } from '../types'
import { dueInfo, fmtTime, PRIORITY_LABEL, priorityType, sentimentType, statusType } from '../format'

export function sentimentCell(s: string) {
  return s ? h(NTag, { size: 'small', type: sentimentType(s), bordered: false }, { default: () => s }) : ''
}

export function statusCell(s: string) {
  return s ? h(NTag, { size: 'small', type: statusType(s), bordered: false }, { default: () => s }) : ''
}

export function dueCell(row: Row) {
  const d = dueInfo(row.due, row.status)
  if (!d) return h('span', { class: 'muted' }, '—')
  return h('span', { class: `due due-${d.type}` }, d.text)
}

export function timeCell(row: Row) {
  return h('span', { class: 'mono nowrap' }, fmtTime(row.time).slice(2))
}

export function sourceCell(row: Row) {
  return h('span', { class: 'nowrap' }, [
    row.channel || '—',
    row.source && row.source !== row.channel ? h('span', { class: 'muted' }, ` · ${row.source}`) : null,
  ])
}

export function titleCell(row: Row) {
  return h('span', { class: 'title-line' }, [
    row.priority > 0
      ? h(NTag, { size: 'tiny', type: priorityType(row.priority), style: 'margin-right:6px' }, { default: () => PRIORITY_LABEL[row.priority] ?? '' })
      : null,
    row.title || h('span', { class: 'muted' }, '（无标题）'),
  ])
}

export function categoryCell(row: Row) {
  return h('span', [row.category || '—', row.matter ? h('span', { class: 'muted' }, ` / ${row.matter}`) : null])
}
