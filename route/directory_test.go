package route

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestDefaultDirectory(t *testing.T) {
	d := DefaultDirectory()
	for _, name := range []string{
		"惠州市城市管理和综合执法局", "惠州市城市管理和综合执法局惠城分局", "惠州市城市管理和综合执法局惠阳分局",
		"惠州市生态环境局惠城分局", "惠州市住房和城乡建设局", "惠州市公安局交通警察支队",
		"惠州市惠城区人民政府", "惠州市惠城区江北街道办事处", "惠州市惠阳区淡水街道办事处", "惠州市惠城区汝湖镇人民政府",
	} {
		if _, ok := d.Lookup(name); !ok {
			t.Errorf("default directory lacks %s", name)
		}
	}
}

func TestDirectoryXLSXRoundTrip(t *testing.T) {
	d := DefaultDirectory()
	var buf bytes.Buffer
	if err := d.WriteXLSX(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := ReadDirectoryXLSX(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if back.City != d.City || !reflect.DeepEqual(back.Departments, d.Departments) {
		t.Errorf("XLSX round trip changed the directory: city %q→%q, %d→%d departments", d.City, back.City, len(d.Departments), len(back.Departments))
		for i := range min(len(d.Departments), len(back.Departments)) {
			if !reflect.DeepEqual(d.Departments[i], back.Departments[i]) {
				t.Errorf("first difference: %+v vs %+v", d.Departments[i], back.Departments[i])
				break
			}
		}
	}
}

func TestDirectoryJSONRoundTrip(t *testing.T) {
	d := DefaultDirectory()
	var buf bytes.Buffer
	if err := d.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := LoadDirectory(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Departments, d.Departments) {
		t.Error("JSON round trip changed the directory")
	}
}

func TestLoadDirectoryErrors(t *testing.T) {
	tests := []struct{ name, json, want string }{
		{"missing name", `{"city":"x","departments":[{"code":"A"}]}`, "第 1 个部门缺少名称"},
		{"duplicate code", `{"city":"x","departments":[{"code":"A","name":"甲局"},{"code":"A","name":"乙局"}]}`, "编码重复"},
		{"duplicate name", `{"city":"x","departments":[{"name":"甲局"},{"name":"甲局"}]}`, "部门名称重复「甲局」"},
		{"bad level", `{"city":"x","departments":[{"name":"甲局","level":"省"}]}`, "层级「省」"},
		{"not json", `[`, "读取 JSON 失败"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadDirectory(strings.NewReader(tc.json))
			if !errors.Is(err, ErrInvalidDirectory) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("LoadDirectory = %v, want ErrInvalidDirectory saying %q", err, tc.want)
			}
		})
	}
}

func TestReadDirectoryXLSXRejectsNonWorkbook(t *testing.T) {
	if _, err := ReadDirectoryXLSX(strings.NewReader("not a workbook")); !errors.Is(err, ErrInvalidDirectory) {
		t.Errorf("ReadDirectoryXLSX(garbage) = %v, want ErrInvalidDirectory", err)
	}
}

func TestResolveBacksOff(t *testing.T) {
	d := DefaultDirectory()
	tests := []struct{ kind, level, district, street, want string }{
		{"城管", LevelDistrict, "惠城区", "", "惠州市城市管理和综合执法局惠城分局"},
		{"城管", LevelDistrict, "", "", "惠州市城市管理和综合执法局"},
		{"水务", LevelDistrict, "惠城区", "", "惠州市水务局"},
		{KindStreet, LevelStreet, "惠城区", "江北街道", "惠州市惠城区江北街道办事处"},
		{KindStreet, LevelStreet, "惠城区", "江北", "惠州市惠城区江北街道办事处"},
		{KindStreet, LevelStreet, "博罗县", "罗阳街道", "惠州市博罗县人民政府"},
	}
	for _, tc := range tests {
		t.Run(tc.kind+tc.district+tc.street, func(t *testing.T) {
			got, ok := d.Resolve(tc.kind, tc.level, tc.district, tc.street)
			if !ok || got.Name != tc.want {
				t.Errorf("Resolve = %q %v, want %q", got.Name, ok, tc.want)
			}
		})
	}
}

// resolveNaive is Directory.Resolve as it was before the jurisdictions' short forms were made
// once per directory: shortPlace of every jurisdiction on every call. It is the oracle.
func resolveNaive(d *Directory, kind, level, district, street string) (Department, bool) {
	if level == LevelStreet {
		if street != "" {
			for _, dep := range d.Departments {
				if dep.Level == LevelStreet && dep.Kind == kind && dep.covers(street) && (district == "" || dep.District == "" || dep.District == district) {
					return dep, true
				}
			}
		}
		if kind == KindStreet {
			kind = KindGovernment
		}
		level = LevelDistrict
	}
	if level == LevelDistrict {
		if district != "" {
			for _, dep := range d.Departments {
				if dep.Level == LevelDistrict && dep.Kind == kind && (dep.District == district || dep.covers(district)) {
					return dep, true
				}
			}
		}
		level = LevelCity
	}
	for _, dep := range d.Departments {
		if dep.Level == LevelCity && dep.Kind == kind {
			return dep, true
		}
	}
	return Department{}, false
}

// TestResolveMatchesNaive resolves every kind of the 惠州 directory at every level for every
// place name it knows (full, short, with 街道/镇 suffixes swapped) and some it does not, on the
// loaded directory and on one built by hand, and compares with resolveNaive.
func TestResolveMatchesNaive(t *testing.T) {
	dir := DefaultDirectory()
	kinds := []string{"", "没有的类型"}
	places := []string{"", "江北", "不存在区", "区", "惠州市"}
	seen := map[string]bool{}
	for _, dep := range dir.Departments {
		if !seen["k"+dep.Kind] {
			seen["k"+dep.Kind] = true
			kinds = append(kinds, dep.Kind)
		}
		for _, p := range append([]string{dep.District}, dep.Jurisdiction...) {
			for _, q := range []string{p, shortPlace(p), shortPlace(p) + "镇", shortPlace(p) + "街道", shortPlace(p) + "区"} {
				if !seen["p"+q] {
					seen["p"+q] = true
					places = append(places, q)
				}
			}
		}
	}
	byHand := &Directory{City: dir.City, Departments: dir.Departments}
	n := 0
	for _, kind := range kinds {
		for _, level := range []string{LevelCity, LevelDistrict, LevelStreet, ""} {
			for _, district := range places {
				for _, street := range places {
					want, wok := resolveNaive(dir, kind, level, district, street)
					for _, d := range []*Directory{dir, byHand} {
						got, ok := d.Resolve(kind, level, district, street)
						if ok != wok || got.Code != want.Code {
							t.Fatalf("Resolve(%q, %q, %q, %q) = %s %v, want %s %v", kind, level, district, street, got.Code, ok, want.Code, wok)
						}
					}
					n++
				}
			}
		}
	}
	t.Logf("%d kinds, %d places, %d resolutions compared", len(kinds), len(places), n)
}
