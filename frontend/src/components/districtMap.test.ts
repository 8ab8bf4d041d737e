import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import DistrictMap from './DistrictMap.vue'
import { AREAS, areaOf, areaStats, fillFor, pathOf } from './districtMap'

describe('AREAS', () => {
  it('has the seven areas of 惠州市, each a closed outline', () => {
    expect(AREAS.map((a) => a.name).sort()).toEqual(
      ['仲恺高新区', '博罗县', '大亚湾经济技术开发区', '惠东县', '惠城区', '惠阳区', '龙门县'].sort(),
    )
    for (const a of AREAS) {
      expect(a.points.length).toBeGreaterThanOrEqual(3)
      expect(pathOf(a)).toMatch(/^M\d+ \d+( L\d+ \d+)+ Z$/)
    }
  })
})

describe('areaOf', () => {
  const cases: [string, string][] = [
    ['惠城区', '惠城区'],
    ['仲恺高新技术产业开发区', '仲恺高新区'],
    ['大亚湾', '大亚湾经济技术开发区'],
    ['惠阳', '惠阳区'],
    ['惠城区江北街道', '惠城区'],
    [' 博罗县 ', '博罗县'],
    ['', ''],
    ['东莞市', ''],
    ['惠州市', ''],
  ]
  for (const [name, want] of cases) {
    it(JSON.stringify(name), () => expect(areaOf(name)).toBe(want))
  }
})

describe('areaStats', () => {
  it('folds spellings onto one area and keeps the most frequent spelling as the filter key', () => {
    const s = areaStats({ 仲恺高新技术产业开发区: 30, 仲恺: 4, 惠城区: 10, 东莞市: 3 }, { 仲恺高新技术产业开发区: 12, 仲恺: 1, 东莞市: 2 })
    expect(s['仲恺高新区']).toEqual({ total: 34, negative: 13, key: '仲恺高新技术产业开发区' })
    expect(s['惠城区']).toEqual({ total: 10, negative: 0, key: '惠城区' })
    expect(Object.keys(s).sort()).toEqual(['仲恺高新区', '惠城区'])
  })
})

describe('fillFor', () => {
  it('shows no data in grey and darkens with the share', () => {
    expect(fillFor(null, 'volume')).toBe('#f1f2f4')
    expect(fillFor(1, 'volume')).toBe('rgb(29, 78, 137)')
    expect(fillFor(2, 'negative')).toBe(fillFor(1, 'negative'))
    expect(fillFor(0, 'negative')).not.toBe(fillFor(0.5, 'negative'))
  })
})

const stats = areaStats(
  { 惠城区: 150, 仲恺高新技术产业开发区: 30, 博罗县: 20 },
  { 惠城区: 30, 仲恺高新技术产业开发区: 27, 博罗县: 2 },
)

describe('DistrictMap', () => {
  it('draws seven areas and writes each count as text', () => {
    const w = mount(DistrictMap, { props: { stats, mode: 'volume' } })
    const areas = w.findAll('[data-testid="map-area"]')
    expect(areas).toHaveLength(7)
    expect(areas.map((a) => a.attributes('data-total'))).toContain('150')
    expect(w.text()).toContain('惠城区')
    expect(w.text()).toContain('150 件')
    // no data: the grey fill
    const longmen = areas.find((a) => a.attributes('data-name') === '龙门县')
    expect(longmen?.attributes('fill')).toBe('#f1f2f4')
  })

  it('colours by negative share in 负面占比 mode, so a small angry area outranks a big calm one', async () => {
    const w = mount(DistrictMap, { props: { stats, mode: 'negative' } })
    const fill = (name: string) => w.find(`[data-name="${name}"]`).attributes('fill') ?? ''
    const red = (c: string) => Number(/rgb\((\d+), (\d+), (\d+)\)/.exec(c)?.[2] ?? 255) // lower G = deeper red
    expect(red(fill('仲恺高新区'))).toBeLessThan(red(fill('惠城区')))
    expect(w.text()).toContain('90%')
    await w.setProps({ mode: 'volume' })
    expect(w.text()).toContain('30 件')
  })

  it('emits the district as the data spells it when an area is clicked', async () => {
    const w = mount(DistrictMap, { props: { stats, mode: 'volume' } })
    await w.find('[data-name="仲恺高新区"]').trigger('click')
    await w.find('[data-name="龙门县"]').trigger('click')
    expect(w.emitted('pick')).toEqual([['仲恺高新技术产业开发区'], ['龙门县']])
  })
})
