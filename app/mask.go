package app

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// 脱敏 (masking) hides the personal data citizens put in their messages before a text leaves the
// officer's own screen: exports, shared screens and reports. Every function here replaces hidden
// characters one for one with '*', so a masked text has exactly as many characters as the original
// (layouts and highlight offsets in characters stay valid) and masking can never grow a cell.

// maskRune is what a hidden character becomes.
const maskRune = '*'

// Mask hides phone numbers (mobiles, landlines with area codes), ID-card numbers (18 digits with
// X, 15 digits), bank cards, e-mail addresses, QQ/WeChat numbers after their cue, and the given
// names in "张三丰先生", "我叫王小明", "联系人：李四" (the surname stays, so "张先生" is unchanged).
// Invalid UTF-8 becomes U+FFFD; the result is always valid UTF-8.
func Mask(s string) string {
	if s == "" {
		return s
	}
	rs := []rune(s)
	changed := maskNumbers(rs)
	changed = maskEmails(rs) || changed
	changed = maskNames(rs) || changed
	if !changed && strings.ToValidUTF8(s, "\uFFFD") == s {
		return s
	}
	return string(rs)
}

// MaskAuthor hides the writer field of a message, which sources fill with a name, a phone number
// or a user id: numbers get the phone rule, anything else keeps only its first character.
func MaskAuthor(s string) string {
	rs := []rune(strings.TrimSpace(s))
	if len(rs) == 0 {
		return ""
	}
	if maskNumbers(rs) {
		return string(rs)
	}
	for i := 1; i < len(rs); i++ {
		if !unicode.IsSpace(rs[i]) {
			rs[i] = maskRune
		}
	}
	return string(rs)
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

// digitRun is a run of digit groups joined by single '-' or ' ' separators, such as
// "0752-2345678" or "6222 0202 0000 1234"; end is exclusive. x is set when an ID card's final X
// follows the last group.
type digitRun struct {
	start, end int
	groups     [][2]int // each group's [start, end)
}

// maskNumbers finds digit runs and hides the private ones, first as a whole (a separated bank
// card or landline) and otherwise group by group.
func maskNumbers(rs []rune) bool {
	changed := false
	for i := 0; i < len(rs); {
		if !isDigit(rs[i]) {
			i++
			continue
		}
		run := scanDigits(rs, i)
		if maskSpan(rs, run.start, run.end) {
			changed = true
		} else {
			for _, g := range run.groups {
				if maskSpan(rs, g[0], g[1]) {
					changed = true
				}
			}
		}
		i = run.end
		if i < len(rs) && (rs[i] == 'X' || rs[i] == 'x') {
			i++
		}
	}
	return changed
}

func isAlnum(r rune) bool {
	return r < 0x80 && (isDigit(r) || (r|0x20 >= 'a' && r|0x20 <= 'z'))
}

func scanDigits(rs []rune, i int) digitRun {
	run := digitRun{start: i}
	for {
		j := i
		for j < len(rs) && isDigit(rs[j]) {
			j++
		}
		run.groups = append(run.groups, [2]int{i, j})
		run.end = j
		if j+1 < len(rs) && (rs[j] == '-' || rs[j] == ' ') && isDigit(rs[j+1]) {
			i = j + 1
			continue
		}
		return run
	}
}

// maskSpan classifies rs[from:to] (digits and separators, maybe followed by X) and hides it if
// it is private. It reports whether anything was hidden.
func maskSpan(rs []rune, from, to int) bool {
	// An alphanumeric neighbour means a code, not a number: "ABC13812345678" is an order id.
	if from > 0 && isAlnum(rs[from-1]) {
		return false
	}
	xEnd := to
	if to < len(rs) && (rs[to] == 'X' || rs[to] == 'x') {
		xEnd = to + 1
	}
	if xEnd < len(rs) && isAlnum(rs[xEnd]) {
		return false
	}
	var pos []int // positions of the digits
	for i := from; i < to; i++ {
		if isDigit(rs[i]) {
			pos = append(pos, i)
		}
	}
	n := len(pos)
	digits := func(k int) string {
		var b strings.Builder
		for _, p := range pos[:k] {
			b.WriteRune(rs[p])
		}
		return b.String()
	}
	hideDigits := func(keepHead, keepTail int) bool {
		for _, p := range pos[keepHead : n-keepTail] {
			rs[p] = maskRune
		}
		return true
	}
	switch {
	case xEnd > to && n == 17: // ID card ending in X: keep the region code and the last 3 digits + X
		return hideDigits(6, 3)
	case xEnd > to:
		return false
	case n == 11 && isMobile(digits(n)):
		return hideDigits(3, 4)
	case n == 13 && digits(2) == "86" && isMobile(string(digitsFrom(rs, pos[2:]))):
		return hideDigits(5, 4)
	case n == 18 || n == 15:
		return hideDigits(6, 4)
	case n >= 16 && n <= 19:
		return hideDigits(6, 4)
	case (n == 10 || n == 11 || n == 12) && rs[pos[0]] == '0' && digits(2) != "00":
		// landline with its area code (0752-2345678, 02012345678): keep the area code and last 4
		area := 4 // 0752
		if d := digits(2); d == "01" || d == "02" {
			area = 3 // 010, 020…029
		}
		if n-area < 7 {
			return false
		}
		return hideDigits(area, 4)
	case n >= 5 && n <= 12 && hasCue(rs, from):
		if n <= 8 {
			return hideDigits(1, 2)
		}
		return hideDigits(3, 4)
	}
	return false
}

func digitsFrom(rs []rune, pos []int) []rune {
	out := make([]rune, len(pos))
	for i, p := range pos {
		out[i] = rs[p]
	}
	return out
}

func isMobile(d string) bool {
	return len(d) == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9'
}

// numberCues are the words after which a short number is a phone, QQ or WeChat number.
var numberCues = []string{"电话", "手机", "座机", "联系方式", "号码", "微信", "QQ", "qq", "Tel", "TEL", "tel"}

// hasCue reports whether one of numberCues ends within a few characters before rs[at].
func hasCue(rs []rune, at int) bool {
	lo := max(0, at-8)
	before := string(rs[lo:at])
	for _, c := range numberCues {
		if k := strings.LastIndex(before, c); k >= 0 {
			rest := []rune(before[k+len(c):])
			if len(rest) <= 4 {
				return true
			}
		}
	}
	return false
}

// maskEmails hides the local part of e-mail addresses except its first character.
func maskEmails(rs []rune) bool {
	changed := false
	for at := range rs {
		if rs[at] != '@' {
			continue
		}
		start := at
		for start > 0 && isEmailLocal(rs[start-1]) {
			start--
		}
		end := at + 1
		dot := false
		for end < len(rs) && (isAlnum(rs[end]) || rs[end] == '.' || rs[end] == '-') {
			if rs[end] == '.' {
				dot = true
			}
			end++
		}
		if start == at || !dot || end == at+1 {
			continue
		}
		for i := start + 1; i < at; i++ {
			rs[i] = maskRune
		}
		changed = true
	}
	return changed
}

func isEmailLocal(r rune) bool {
	return isAlnum(r) || r == '.' || r == '_' || r == '%' || r == '+' || r == '-'
}

// Names. A given name is hidden when the text marks it as a person's name: before a form of
// address (张三丰先生, 王小明女士) or after an introduction (我叫王小明, 联系人：李四). The
// surname must be one of the common surnames, so "物业马先生" and "我是王女士" stay as written.

// nameTitles are the forms of address that follow a full name.
var nameTitles = []string{"先生", "女士", "小姐", "老师", "师傅", "阿姨", "大爷", "同志"}

// nameIntros are the words after which a full name follows.
var nameIntros = []string{"我叫", "名叫", "叫做", "姓名", "联系人", "投诉人", "反映人", "来电人", "来信人", "举报人", "当事人", "申请人"}

// commonSurnames are the single-character surnames of about nine in ten Chinese people, leaving
// out rare ones that are everyday words (区, 门, 业 …) so street text is not taken for names.
const commonSurnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔汤易常温康施文牛樊葛邢安齐伍庞颜倪聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"

// compoundSurnames are two-character surnames.
var compoundSurnames = []string{"欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "司徒", "夏侯", "长孙", "宇文", "轩辕", "端木", "南宫", "西门", "独孤"}

// notInNames are characters that end a name where no delimiter does: function words and place
// or building words that follow a name in running text ("王明在江北" is 王明 + 在江北).
const notInNames = "的了是在和与及给向对找请让被把说称位个这那们或等也都还就又有无不已要会能从到于为以将由因我你他她它某其该此每各区市县镇街路村号楼室栋门店家说讲问打来去"

// cueStarts holds the first characters of nameTitles and nameIntros.
var cueStarts = func() string {
	var b strings.Builder
	for _, w := range append(slices.Clone(nameTitles), nameIntros...) {
		r, _ := utf8.DecodeRuneInString(w)
		if !strings.ContainsRune(b.String(), r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}()

func isSurname(r rune) bool { return strings.ContainsRune(commonSurnames, r) }

func isGivenNameRune(r rune) bool {
	return unicode.Is(unicode.Han, r) && !strings.ContainsRune(notInNames, r)
}

// surnameAt returns the length (1 or 2) of the surname starting at rs[i], or 0.
func surnameAt(rs []rune, i int) int {
	for _, c := range compoundSurnames {
		cr := []rune(c)
		if i+1 < len(rs) && rs[i] == cr[0] && rs[i+1] == cr[1] {
			return 2
		}
	}
	if i < len(rs) && isSurname(rs[i]) {
		return 1
	}
	return 0
}

// maskNames hides given names before titles and after introductions.
func maskNames(rs []rune) bool {
	changed := false
	for i := 0; i < len(rs); i++ {
		if !strings.ContainsRune(cueStarts, rs[i]) {
			continue // most characters start no title or introduction
		}
		if t := titleAt(rs, i); t > 0 {
			if maskNameBefore(rs, i) {
				changed = true
			}
			i += t - 1
			continue
		}
		if n := introAt(rs, i); n > 0 {
			j := i + n
			for j < len(rs) && j < i+n+2 && (rs[j] == '：' || rs[j] == ':' || rs[j] == ' ' || rs[j] == '是' || rs[j] == '为') {
				j++
			}
			if maskNameAt(rs, j) {
				changed = true
			}
			i = j - 1
		}
	}
	return changed
}

func hasAt(rs []rune, i int, w string) int {
	n := 0
	for _, r := range w {
		if i+n >= len(rs) || rs[i+n] != r {
			return 0
		}
		n++
	}
	return n
}

func titleAt(rs []rune, i int) int {
	for _, t := range nameTitles {
		if n := hasAt(rs, i, t); n > 0 {
			return n
		}
	}
	return 0
}

func introAt(rs []rune, i int) int {
	for _, t := range nameIntros {
		if n := hasAt(rs, i, t); n > 0 {
			return n
		}
	}
	return 0
}

// maskNameBefore hides the given name of a full name ending just before rs[end]: a surname
// followed by one or two given-name characters (the longest that fits wins, so 张三丰先生 hides
// 三丰). A bare surname (张先生) has nothing to hide.
func maskNameBefore(rs []rune, end int) bool {
	for _, sl := range []int{2, 1} { // compound surnames first
		for _, gl := range []int{2, 1} {
			start := end - gl - sl
			if start < 0 || surnameAt(rs, start) != sl || strings.ContainsRune(notInNames, rs[start]) {
				continue
			}
			if sl == 1 && start > 0 && surnameAt(rs, start-1) == 2 {
				continue // 欧阳娜先生 is 欧阳 + 娜, not 阳 + 娜
			}
			ok := true
			for k := end - gl; k < end; k++ {
				ok = ok && isGivenNameRune(rs[k])
			}
			if !ok {
				continue
			}
			for k := end - gl; k < end; k++ {
				rs[k] = maskRune
			}
			return true
		}
	}
	return false
}

// maskNameAt hides the given name of a full name starting at rs[i]: up to two given-name
// characters after the surname.
func maskNameAt(rs []rune, i int) bool {
	sl := surnameAt(rs, i)
	if sl == 0 {
		return false
	}
	changed := false
	for k := i + sl; k < len(rs) && k < i+sl+2 && isGivenNameRune(rs[k]) && titleAt(rs, k) == 0; k++ {
		rs[k] = maskRune
		changed = true
	}
	return changed
}
