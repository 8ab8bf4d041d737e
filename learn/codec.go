package learn

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"
)

// Model file layout: magic "MNYL", version (uint16 LE), the body, and the
// CRC-32 (IEEE, LE) of everything before it. The body stores only buckets
// seen in training, with IDFs on a 1/1024 grid and weights as int16 with one
// scale per class (one column only for a two-class model, whose second column
// is the negated first), so a model of a few hundred thousand features fits in
// a few MB and reloads bit-identical to the model Train returned. The body is
// not compressed: inflating cost more start-up time than the bytes it saved.
const (
	fileMagic   = "MNYL"
	fileVersion = 1
	maxLabels   = 1 << 16
	maxCells    = 1 << 28 // buckets × classes

	flagViewNorm = 0x80 // in the TF byte: views are normalised separately
	flagMirrored = 0x40 // in the TF byte: two classes, only the second's weights stored
)

func quantScale(w []float64, idf []float64) float64 {
	var mx float64
	for b, v := range w {
		if idf[b] != 0 {
			mx = max(mx, math.Abs(v))
		}
	}
	if mx == 0 {
		return 1
	}
	return mx / 32767
}

func quant(v, scale float64) int16 {
	q := math.Round(v / scale)
	return int16(min(max(q, -32767), 32767))
}

func dequant(q int16, scale float64) float32 { return float32(float64(q) * scale) }

// MarshalBinary encodes the model compactly (see the file layout above).
func (m *Model) MarshalBinary() ([]byte, error) {
	var body bytes.Buffer
	put := func(v any) { _ = binary.Write(&body, binary.LittleEndian, v) }
	putU := func(v uint64) { body.Write(binary.AppendUvarint(nil, v)) }
	body.WriteByte(m.bits)
	flags := byte(m.tf)
	if m.viewNorm {
		flags |= flagViewNorm
	}
	mirrored := m.mirrored()
	if mirrored {
		flags |= flagMirrored
	}
	body.WriteByte(flags)
	putU(uint64(m.nc))
	for _, l := range m.labels {
		putU(uint64(len(l)))
		body.WriteString(l)
	}
	put(m.invTemp)
	scales := m.scale
	for c := range m.nc {
		put(m.bias[c])
		put(scales[c])
	}
	var seen []int
	for b, v := range m.idf {
		if v != 0 {
			seen = append(seen, b)
		}
	}
	putU(uint64(len(seen)))
	prev := 0
	for _, b := range seen {
		putU(uint64(b - prev))
		prev = b
	}
	for _, b := range seen {
		put(uint16(math.Round(float64(m.idf[b]) * 1024)))
	}
	first := 0
	if mirrored {
		first = 1
	}
	for c := first; c < m.nc; c++ {
		for _, b := range seen {
			put(quant(float64(m.w[b*m.nc+c]), scales[c]))
		}
	}
	out := make([]byte, 0, 6+body.Len()+4)
	out = append(out, fileMagic...)
	out = binary.LittleEndian.AppendUint16(out, fileVersion)
	out = append(out, body.Bytes()...)
	return binary.LittleEndian.AppendUint32(out, crc32.ChecksumIEEE(out)), nil
}

// mirrored reports a two-class model whose first class is the negated second,
// as Train builds them.
func (m *Model) mirrored() bool {
	if m.nc != 2 || m.bias[0] != -m.bias[1] || m.scale[0] != m.scale[1] {
		return false
	}
	for b := 0; b < len(m.w); b += 2 {
		if m.w[b] != -m.w[b+1] {
			return false
		}
	}
	return true
}

// UnmarshalBinary decodes a model written by MarshalBinary. It checks magic,
// version and checksum and never panics on damaged input.
func (m *Model) UnmarshalBinary(data []byte) error {
	if len(data) < len(fileMagic)+2+4 || string(data[:4]) != fileMagic {
		return ErrFormat
	}
	if v := binary.LittleEndian.Uint16(data[4:6]); v != fileVersion {
		return fmt.Errorf("%w: version %d", ErrFormat, v)
	}
	n := len(data) - 4
	if crc32.ChecksumIEEE(data[:n]) != binary.LittleEndian.Uint32(data[n:]) {
		return ErrChecksum
	}
	dec, err := decodeBody(data[6:n])
	if err != nil {
		return err
	}
	m.labels, m.bits, m.tf, m.viewNorm, m.nc = dec.labels, dec.bits, dec.tf, dec.viewNorm, dec.nc
	m.w, m.bias, m.idf, m.invTemp, m.scale = dec.w, dec.bias, dec.idf, dec.invTemp, dec.scale
	return nil
}

// reader decodes the body, remembering the first error.
type reader struct {
	b   []byte
	err error
}

func (r *reader) fail(what string) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: truncated or bad %s", ErrFormat, what)
	}
}

func (r *reader) bytes(n int, what string) []byte {
	if r.err != nil || n < 0 || n > len(r.b) {
		r.fail(what)
		return nil
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *reader) uvarint(what string) uint64 {
	if r.err != nil {
		return 0
	}
	v, k := binary.Uvarint(r.b)
	if k <= 0 {
		r.fail(what)
		return 0
	}
	r.b = r.b[k:]
	return v
}

func (r *reader) u16(what string) uint16 {
	b := r.bytes(2, what)
	if b == nil {
		return 0
	}
	return binary.LittleEndian.Uint16(b)
}

func (r *reader) u32(what string) uint32 {
	b := r.bytes(4, what)
	if b == nil {
		return 0
	}
	return binary.LittleEndian.Uint32(b)
}

func (r *reader) u64(what string) uint64 {
	b := r.bytes(8, what)
	if b == nil {
		return 0
	}
	return binary.LittleEndian.Uint64(b)
}

func decodeBody(raw []byte) (*Model, error) {
	r := &reader{b: raw}
	hdr := r.bytes(2, "header")
	if r.err != nil {
		return nil, r.err
	}
	bits, tf := hdr[0], TFMode(hdr[1]&^(flagViewNorm|flagMirrored))
	mirrored := hdr[1]&flagMirrored != 0
	if bits < 10 || bits > 24 || tf < TFSublinear || tf > TFRaw {
		return nil, fmt.Errorf("%w: header", ErrFormat)
	}
	dim := 1 << bits
	nc := r.uvarint("label count")
	if r.err != nil || nc < 2 || nc > maxLabels || nc*uint64(dim) > maxCells || (mirrored && nc != 2) {
		return nil, fmt.Errorf("%w: label count", ErrFormat)
	}
	m := &Model{bits: bits, tf: tf, viewNorm: hdr[1]&flagViewNorm != 0, nc: int(nc)}
	for range nc {
		l := r.uvarint("label")
		if l > uint64(len(r.b)) {
			r.fail("label")
		}
		m.labels = append(m.labels, string(r.bytes(int(l), "label")))
	}
	m.invTemp = math.Float64frombits(r.u64("temperature"))
	scales := make([]float64, nc)
	m.scale = scales
	m.bias = make([]float32, nc)
	for c := range m.nc {
		m.bias[c] = math.Float32frombits(r.u32("bias"))
		scales[c] = math.Float64frombits(r.u64("scale"))
	}
	if r.err != nil {
		return nil, r.err
	}
	if !finite(m.invTemp) || m.invTemp <= 0 {
		return nil, fmt.Errorf("%w: temperature", ErrFormat)
	}
	for c := range m.nc {
		if !finite(scales[c]) || scales[c] <= 0 || !finite(float64(m.bias[c])) {
			return nil, fmt.Errorf("%w: scale", ErrFormat)
		}
	}
	stored := m.nc
	if mirrored {
		stored = 1
	}
	nseen := r.uvarint("bucket count")
	if r.err != nil || nseen > uint64(dim) || nseen*uint64(2+2*stored) > uint64(len(r.b)) {
		return nil, fmt.Errorf("%w: bucket count", ErrFormat)
	}
	seen := make([]int32, nseen)
	b := uint64(0)
	for i := range seen {
		delta := r.uvarint("bucket")
		if i > 0 && delta == 0 {
			r.fail("bucket order")
		}
		b += delta
		if b >= uint64(dim) {
			r.fail("bucket")
			break
		}
		seen[i] = int32(b)
	}
	idfs := r.bytes(2*len(seen), "idf")
	if r.err != nil {
		return nil, r.err
	}
	m.idf = make([]float32, dim)
	for i, b := range seen {
		q := binary.LittleEndian.Uint16(idfs[2*i:])
		if q == 0 {
			return nil, fmt.Errorf("%w: zero idf", ErrFormat)
		}
		m.idf[b] = float32(float64(q) / 1024)
	}
	m.w = make([]float32, dim*m.nc)
	for c := m.nc - stored; c < m.nc; c++ {
		col := r.bytes(2*len(seen), "weights")
		if r.err != nil {
			return nil, r.err
		}
		for i, b := range seen {
			m.w[int(b)*m.nc+c] = dequant(int16(binary.LittleEndian.Uint16(col[2*i:])), scales[c])
		}
	}
	if mirrored {
		if m.bias[0] != -m.bias[1] {
			return nil, fmt.Errorf("%w: mirrored bias", ErrFormat)
		}
		scales[0] = scales[1]
		for _, b := range seen {
			m.w[int(b)*2] = -m.w[int(b)*2+1]
		}
	}
	if len(r.b) != 0 {
		return nil, fmt.Errorf("%w: trailing bytes", ErrFormat)
	}
	return m, nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
