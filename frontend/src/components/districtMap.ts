// districtMap.ts holds the offline outline of 惠州市 for the 舆情 map: seven hand-drawn,
// simplified polygons in their rough relative positions (north up), sharing their borders, so the
// console needs no tiles or downloads. It also matches the district names the data uses (full
// names, short names) to the seven areas, and picks a colour for a value.

/** Area is one 区县 of the map. */
export interface Area {
  /** name is the canonical short name shown on the map. */
  name: string
  /** aliases are the other spellings analysis or imports may give it (full names first). */
  aliases: string[]
  /** points of the outline in the 500×420 map box. */
  points: [number, number][]
  /** label is where the name is written. */
  label: [number, number]
}

// Shared vertices keep neighbouring areas' borders identical.
const P = {
  A: [40, 40], B: [150, 18], C: [215, 55], D: [222, 128], E: [140, 152], F: [52, 138],
  Y: [300, 92], G: [278, 162], H: [266, 214], I: [214, 226], J: [168, 236], K: [118, 242], L: [42, 218],
  M: [334, 176], N: [338, 252], O: [286, 284], Pp: [236, 270], Q: [200, 292], R: [128, 288],
  S: [282, 332], T: [232, 348], U: [150, 338], V: [324, 318], W: [334, 378], X: [272, 394],
  Z: [402, 78], AA: [472, 150], AB: [482, 262], AC: [432, 332], AD: [362, 384],
} as const satisfies Record<string, [number, number]>

const pts = (...ks: (keyof typeof P)[]) => ks.map((k) => [...P[k]] as [number, number])

export const AREAS: Area[] = [
  { name: '龙门县', aliases: ['龙门'], points: pts('A', 'B', 'C', 'D', 'E', 'F'), label: [130, 88] },
  { name: '博罗县', aliases: ['博罗'], points: pts('F', 'E', 'D', 'C', 'Y', 'G', 'H', 'I', 'J', 'K', 'L'), label: [170, 190] },
  {
    name: '仲恺高新区',
    aliases: ['仲恺高新技术产业开发区', '仲恺高新技术开发区', '仲恺区', '仲恺'],
    points: pts('K', 'J', 'I', 'Pp', 'Q', 'R'), label: [178, 262],
  },
  { name: '惠城区', aliases: ['惠城'], points: pts('I', 'H', 'G', 'M', 'N', 'O', 'Pp'), label: [282, 232] },
  { name: '惠阳区', aliases: ['惠阳'], points: pts('R', 'Q', 'Pp', 'O', 'N', 'V', 'S', 'T', 'U'), label: [232, 312] },
  {
    name: '大亚湾经济技术开发区',
    aliases: ['大亚湾开发区', '大亚湾区', '大亚湾'],
    points: pts('T', 'S', 'V', 'W', 'X'), label: [288, 360],
  },
  { name: '惠东县', aliases: ['惠东'], points: pts('Y', 'Z', 'AA', 'AB', 'AC', 'AD', 'W', 'V', 'N', 'M', 'G'), label: [402, 210] },
]

/** shortLabel is the name written on the map (the long 开发区 names shortened to fit). */
export function shortLabel(a: Area): string {
  return a.name === '大亚湾经济技术开发区' ? '大亚湾区' : a.name
}

/** pathOf turns an area's outline into an SVG path. */
export function pathOf(a: Area): string {
  return a.points.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${x} ${y}`).join(' ') + ' Z'
}

/**
 * areaOf finds the area a district name from the data belongs to: exact names and aliases
 * first, then a name that starts with one of them (e.g. 惠城区江北街道 → 惠城区). "" when none.
 */
export function areaOf(district: string): string {
  const d = district.trim()
  if (!d) return ''
  for (const a of AREAS) if (a.name === d || a.aliases.includes(d)) return a.name
  for (const a of AREAS) {
    for (const n of [a.name, ...a.aliases]) if (n.length >= 2 && d.startsWith(n)) return a.name
  }
  return ''
}

/** AreaStat is what the map knows of one area: messages, negative ones, and the data's own name. */
export interface AreaStat {
  total: number
  negative: number
  /** key is the district name as the data spells it, used to filter 检索 (the most frequent spelling). */
  key: string
}

/**
 * areaStats folds district counts (all messages and negative ones, as the search facets give
 * them) onto the seven areas. Names that match no area are left out.
 */
export function areaStats(all: Record<string, number>, negative: Record<string, number>): Record<string, AreaStat> {
  const out: Record<string, AreaStat> = {}
  const best: Record<string, number> = {}
  for (const [name, n] of Object.entries(all)) {
    const a = areaOf(name)
    if (!a) continue
    const s = (out[a] ??= { total: 0, negative: 0, key: name })
    s.total += n
    if (n > (best[a] ?? -1)) {
      best[a] = n
      s.key = name
    }
  }
  for (const [name, n] of Object.entries(negative)) {
    const a = areaOf(name)
    if (a && out[a]) out[a].negative += n
  }
  return out
}

function mix(from: number[], to: number[], t: number): string {
  const c = from.map((f, i) => Math.round(f + (to[i] - f) * t))
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`
}

/** fillFor colours a share 0…1 on the blue (volume) or red (negativity) scale; null = no data. */
export function fillFor(share: number | null, mode: 'volume' | 'negative'): string {
  if (share === null || Number.isNaN(share)) return '#f1f2f4'
  const t = Math.max(0, Math.min(1, share))
  return mode === 'volume' ? mix([232, 240, 250], [29, 78, 137], t) : mix([252, 236, 232], [176, 40, 30], t)
}
