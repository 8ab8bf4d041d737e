import { describe, expect, it } from 'vitest'
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
