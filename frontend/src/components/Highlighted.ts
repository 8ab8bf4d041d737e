import { defineComponent, h, type PropType } from 'vue'
import { splitMarks, splitSnippet } from '../highlight'
import type { Mark } from '../types'

/**
 * Highlighted renders text with highlighted pieces as text nodes and <mark class="kind">.
 * Give either text+marks (detail pane) or snippet (search hit with U+E000/U+E001 markers).
 * It exists so that no record text ever reaches v-html.
 */
export default defineComponent({
  name: 'Highlighted',
  props: {
    text: { type: String, default: '' },
    marks: { type: Array as PropType<readonly Mark[] | null>, default: null },
    snippet: { type: String, default: undefined },
    tag: { type: String, default: 'span' },
  },
  setup(props) {
    return () => {
      const segs = props.snippet !== undefined ? splitSnippet(props.snippet) : splitMarks(props.text, props.marks)
      return h(props.tag, { class: 'hl' }, segs.map((s) => (s.kind ? h('mark', { class: s.kind }, s.text) : s.text)))
    }
  },
})
