import { describe, expect, it } from 'vitest'
import { completions, splitLast } from './suggest'

describe('splitLast', () => {
  const cases: [string, string, string][] = [
    ['', '', ''],
    ['渣土', '', '渣土'],
    ['渣土 惠', '渣土 ', '惠'],
    ['渣土 区县:惠', '渣土 区县:', '惠'],
    ['"噪音扰民" AND 江', '"噪音扰民" AND ', '江'],
    ['噪音\u3000惠城', '噪音\u3000', '惠城'],
    ['渣土 -施工', '渣土 -', '施工'],
    ['渣土 ', '渣土 ', ''],
  ]
  for (const [q, head, word] of cases) {
    it(JSON.stringify(q), () => {
      expect(splitLast(q)).toEqual({ head, word })
    })
  }
})

describe('completions', () => {
  it('keeps the head and replaces only the last word', () => {
    expect(completions('渣土 区县:惠', ['惠城区', '惠阳区'])).toEqual(['渣土 区县:惠城区', '渣土 区县:惠阳区'])
  })
  it('drops duplicates, empties and the word already typed', () => {
    expect(completions('惠城区', ['惠城区', '', '惠城区江北', '惠城区江北'])).toEqual(['惠城区江北'])
  })
  it('copes with no answer', () => {
    expect(completions('惠', null)).toEqual([])
  })
})
