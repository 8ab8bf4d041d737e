// Package route suggests which department should handle a message: a directory of departments,
// an editable rule layer (matter × place → department) and a model learned from dispatch history,
// each suggestion carrying the reasons an officer needs to trust or overrule it.
package route

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Administrative levels of a department. Department.Level holds one of these.
const (
	LevelCity     = "市"
	LevelDistrict = "区县"
	LevelStreet   = "街道"
)

// KindStreet is the unit type of 街道办事处 and 镇政府, the 属地 units of a street or town.
const KindStreet = "街道"

// KindGovernment is the unit type of a people's government (市/区县人民政府), the fallback owner of a place.
const KindGovernment = "政府"

// ErrInvalidDirectory means a department directory could not be used; the wrapped message says which entry.
var ErrInvalidDirectory = errors.New("部门目录无效")

// ErrUnknownDepartment means a name or code is not in the directory.
var ErrUnknownDepartment = errors.New("部门不存在")

// Department is one unit that can receive a dispatched message.
type Department struct {
	Code         string   `json:"code"`                   // stable short code, e.g. "HZ-CG-HC"
	Name         string   `json:"name"`                   // full official name, the value stored on records
	Level        string   `json:"level"`                  // 市, 区县 or 街道
	Kind         string   `json:"kind,omitempty"`         // unit type shared across levels, e.g. 城管, 生态环境, 街道, 政府
	District     string   `json:"district,omitempty"`     // the 区县 it belongs to; "" for city-wide units
	Jurisdiction []string `json:"jurisdiction,omitempty"` // district/street names it covers
	Matters      []string `json:"matters,omitempty"`      // matters it handles, e.g. 渣土车, 占道经营
	Contact      string   `json:"contact,omitempty"`      // phone or address for the officer
}

// Directory is the set of departments of one city, indexed by code and name.
// It is immutable after loading, so one Directory can be shared by goroutines.
type Directory struct {
	City        string       `json:"city"`
	Departments []Department `json:"departments"`

	byCode map[string]int
	byName map[string]int
	short  [][]string // shortPlace of each department's Jurisdiction, made by NewDirectory
}

//go:embed directory_huizhou.json
var defaultDirectoryJSON []byte

// DefaultDirectory returns the embedded demo directory of 惠州市.
func DefaultDirectory() *Directory {
	d, err := LoadDirectory(bytes.NewReader(defaultDirectoryJSON))
	if err != nil {
		// The embedded file is covered by tests; failing here is a build defect.
		panic(fmt.Sprintf("embedded directory: %v", err))
	}
	return d
}

// LoadDirectory reads a directory from JSON ({"city": …, "departments": […]}) and validates it.
func LoadDirectory(r io.Reader) (*Directory, error) {
	var d Directory
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("%w: 读取 JSON 失败：%v", ErrInvalidDirectory, err)
	}
	return NewDirectory(d.City, d.Departments)
}

// NewDirectory builds a validated directory from departments; codes and names must be unique.
// A department without a code gets its name as code.
func NewDirectory(city string, deps []Department) (*Directory, error) {
	d := &Directory{City: city, Departments: make([]Department, len(deps)),
		byCode: make(map[string]int, len(deps)), byName: make(map[string]int, len(deps)),
		short: make([][]string, len(deps))}
	for i, dep := range deps {
		dep.Name = strings.TrimSpace(dep.Name)
		dep.Code = strings.TrimSpace(dep.Code)
		if dep.Name == "" {
			return nil, fmt.Errorf("%w: 第 %d 个部门缺少名称", ErrInvalidDirectory, i+1)
		}
		if dep.Code == "" {
			dep.Code = dep.Name
		}
		switch dep.Level {
		case LevelCity, LevelDistrict, LevelStreet:
		case "":
			dep.Level = LevelCity
		default:
			return nil, fmt.Errorf("%w: 部门「%s」的层级「%s」应为 市、区县 或 街道", ErrInvalidDirectory, dep.Name, dep.Level)
		}
		if _, ok := d.byName[dep.Name]; ok {
			return nil, fmt.Errorf("%w: 部门名称重复「%s」", ErrInvalidDirectory, dep.Name)
		}
		if j, ok := d.byCode[dep.Code]; ok {
			return nil, fmt.Errorf("%w: 部门「%s」与「%s」编码重复（%s）", ErrInvalidDirectory, dep.Name, d.Departments[j].Name, dep.Code)
		}
		d.byCode[dep.Code] = i
		d.byName[dep.Name] = i
		d.Departments[i] = dep
		d.short[i] = make([]string, len(dep.Jurisdiction))
		for k, j := range dep.Jurisdiction {
			d.short[i][k] = shortPlace(j)
		}
	}
	return d, nil
}

// Lookup finds a department by code or full name.
func (d *Directory) Lookup(key string) (Department, bool) {
	if d == nil {
		return Department{}, false
	}
	if i, ok := d.byCode[key]; ok {
		return d.Departments[i], true
	}
	if i, ok := d.byName[key]; ok {
		return d.Departments[i], true
	}
	return Department{}, false
}

// Names lists the full names of all departments in directory order.
func (d *Directory) Names() []string {
	if d == nil {
		return nil
	}
	out := make([]string, len(d.Departments))
	for i, dep := range d.Departments {
		out[i] = dep.Name
	}
	return out
}

// WriteJSON writes the directory as indented JSON that LoadDirectory reads back.
func (d *Directory) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(d); err != nil {
		return fmt.Errorf("write directory json: %w", err)
	}
	return nil
}

// Resolve finds the unit of a kind responsible for a place: at LevelStreet the 属地 unit whose
// jurisdiction holds street; at LevelDistrict the unit of that kind serving district; at LevelCity the
// city unit. When the asked level has no unit it backs off upwards (street → district → city), which is
// how dispatch works when a 分局 does not exist. ok is false when nothing fits.
func (d *Directory) Resolve(kind, level, district, street string) (Department, bool) {
	if d == nil {
		return Department{}, false
	}
	if level == LevelStreet {
		if street != "" {
			short := shortPlace(street)
			for i := range d.Departments {
				dep := &d.Departments[i]
				if dep.Level == LevelStreet && dep.Kind == kind && d.covers(i, street, short) && (district == "" || dep.District == "" || dep.District == district) {
					return *dep, true
				}
			}
		}
		if kind == KindStreet {
			kind = KindGovernment // a street's owner above it is the district government
		}
		level = LevelDistrict
	}
	if level == LevelDistrict {
		if district != "" {
			short := shortPlace(district)
			for i := range d.Departments {
				dep := &d.Departments[i]
				if dep.Level == LevelDistrict && dep.Kind == kind && (dep.District == district || d.covers(i, district, short)) {
					return *dep, true
				}
			}
		}
		level = LevelCity
	}
	for i := range d.Departments {
		if dep := &d.Departments[i]; dep.Level == LevelCity && dep.Kind == kind {
			return *dep, true
		}
	}
	return Department{}, false
}

// covers is Departments[i].covers(place) with the jurisdictions' short forms made once by
// NewDirectory; short is shortPlace(place).
func (d *Directory) covers(i int, place, short string) bool {
	dep := &d.Departments[i]
	if len(d.short) != len(d.Departments) || len(d.short[i]) != len(dep.Jurisdiction) {
		return dep.covers(place) // a Directory not made by NewDirectory
	}
	for k, j := range dep.Jurisdiction {
		if j == place || d.short[i][k] == short {
			return true
		}
	}
	return false
}

// covers reports whether place is one of the department's jurisdiction names (full or short form).
func (dep *Department) covers(place string) bool {
	for _, j := range dep.Jurisdiction {
		if j == place || shortPlace(j) == shortPlace(place) {
			return true
		}
	}
	return false
}

// Place is a district or street the directory knows, with the forms that may appear in text.
type dirPlace struct {
	full     string // 江北街道
	short    string // 江北
	district string // 惠城区 (for a street), or the district itself
	street   bool
}

// places lists every jurisdiction name in the directory, longest first so that matching prefers
// 惠城区江北街道 over 江北.
func (d *Directory) places() []dirPlace {
	seen := map[string]bool{}
	var out []dirPlace
	add := func(full, district string, street bool) {
		if full == "" || seen[full] {
			return
		}
		seen[full] = true
		out = append(out, dirPlace{full: full, short: shortPlace(full), district: district, street: street})
	}
	for _, dep := range d.Departments {
		if dep.District != "" {
			add(dep.District, dep.District, false)
		}
	}
	for _, dep := range d.Departments {
		for _, j := range dep.Jurisdiction {
			if dep.Level == LevelStreet {
				add(j, dep.District, true)
			} else if dep.Level == LevelDistrict {
				add(j, j, false)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return len(out[i].full) > len(out[j].full) })
	return out
}

// placeSuffixes are administrative suffixes dropped to get the short form people write (江北街道 → 江北).
var placeSuffixes = []string{"街道办事处", "人民政府", "街道", "新区", "新镇", "镇", "乡", "区", "县", "市"}

// shortPlace drops one administrative suffix, keeping at least two characters.
func shortPlace(s string) string {
	for _, suf := range placeSuffixes {
		if strings.HasSuffix(s, suf) {
			rest := strings.TrimSuffix(s, suf)
			if len([]rune(rest)) >= 2 {
				return rest
			}
		}
	}
	return s
}
