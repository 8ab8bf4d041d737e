import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import { splitMarks, splitSnippet } from './highlight'
import Highlighted from './components/Highlighted'

describe('splitSnippet', () => {
  const cases: { name: string; in: string; want: { text: string; kind?: string }[] }[] = [
    { name: 'plain', in: '没有标记', want: [{ text: '没有标记' }] },
    { name: 'one hit', in: '小区\uE000噪音\uE001扰民', want: [{ text: '小区' }, { text: '噪音', kind: 'hit' }, { text: '扰民' }] },
    { name: 'adjacent hits merge', in: '\uE000渣土\uE001\uE000车\uE001', want: [{ text: '渣土车', kind: 'hit' }] },
    { name: 'unclosed open', in: '路灯\uE000不亮', want: [{ text: '路灯' }, { text: '不亮', kind: 'hit' }] },
    { name: 'stray close', in: '路灯\uE001不亮', want: [{ text: '路灯不亮' }] },
    { name: 'empty', in: '', want: [] },
  ]
  for (const c of cases) it(c.name, () => expect(splitSnippet(c.in)).toEqual(c.want))
})

describe('splitMarks', () => {
  it('marks places and keywords in order', () => {
    const got = splitMarks('A1区万家丽路渣土车噪音', [
      { text: '渣土车', kind: 'keyword' },
      { text: 'A1区', kind: 'place' },
    ])
    expect(got).toEqual([
      { text: 'A1区', kind: 'place' },
      { text: '万家丽路' },
      { text: '渣土车', kind: 'keyword' },
      { text: '噪音' },
    ])
  })
  it('matches lower-cased keywords against upper-case text', () => {
    expect(splitMarks('APP无法登录', [{ text: 'app', kind: 'keyword' }])).toEqual([
      { text: 'APP', kind: 'keyword' },
      { text: '无法登录' },
    ])
  })
  it('prefers the longer overlapping mark', () => {
    expect(splitMarks('安全隐患', [
      { text: '安全', kind: 'keyword' },
      { text: '安全隐患', kind: 'urgency' },
    ])).toEqual([{ text: '安全隐患', kind: 'urgency' }])
  })
  it('finds every occurrence and ignores empty marks', () => {
    const got = splitMarks('噪音，噪音', [{ text: '', kind: 'keyword' }, { text: '噪音', kind: 'keyword' }])
    expect(got.filter((s) => s.kind).length).toBe(2)
    expect(got.map((s) => s.text).join('')).toBe('噪音，噪音')
  })
  it('keeps the text whole without marks', () => {
    expect(splitMarks('原文', null)).toEqual([{ text: '原文' }])
  })
})

describe('Highlighted', () => {
  it('renders hostile markup as text, never as HTML', () => {
    const evil = '<img src=x onerror="alert(1)">投诉<script>alert(2)</script>'
    const w = mount(Highlighted, { props: { text: evil, marks: [{ text: '投诉', kind: 'keyword' }] } })
    expect(w.find('img').exists()).toBe(false)
    expect(w.find('script').exists()).toBe(false)
    expect(w.text()).toBe(evil)
    expect(w.find('mark.keyword').text()).toBe('投诉')
  })
  it('renders snippet markers as <mark>', () => {
    const w = mount(Highlighted, { props: { snippet: '<b>噪音</b>\uE000扰民\uE001' } })
    expect(w.find('b').exists()).toBe(false)
    expect(w.find('mark.hit').text()).toBe('扰民')
  })
})
