package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// bigRSS is an RSS 2.0 feed of n distinct messages with unique GUIDs, shaped like a 12345 export.
func bigRSS(n int) []byte {
	places := []string{"江北街道", "桥东街道", "淡水街道", "罗阳街道", "澳头街道", "河南岸街道", "小金口街道", "陈江街道", "惠环街道", "龙丰街道", "水口街道", "横沥镇"}
	roads := []string{"文昌一路", "三环路", "演达大道", "麦地路", "下埔路", "江北东路", "鹅岭北路", "惠州大道", "东江公园旁", "金山湖小区", "新湖路", "花边岭", "中心区二号小区", "仲恺大道", "长湖路", "河南岸菜市场"}
	issues := []string{"渣土车夜间抛洒泥土，路面全是泥浆", "烧烤店油烟直排，居民无法开窗", "工地夜间施工噪音到凌晨两点", "流动摊贩占道经营，行人只能走机动车道",
		"建筑垃圾偷倒在河边", "小区停水三天没有通知", "路灯连续一周不亮，晚上很危险", "井盖缺失，已有老人摔倒", "广场舞音响声音过大", "下水道堵塞，污水倒灌进商铺",
		"共享单车乱停放堵住盲道", "公交站台顶棚破损漏雨", "学校门口早晚高峰拥堵严重", "垃圾桶满了没人清运，臭味很大", "物业擅自提高停车费", "电动车在楼道充电有火灾隐患",
		"绿化带被改成停车场", "道路修好又挖，反复施工", "菜市场周边污水横流", "违章建筑占用消防通道", "出租车拒载绕路", "小区电梯频繁故障困人", "河道发黑发臭，蚊虫很多", "医院周边黑车拉客"}
	asks := []string{"请尽快处理。", "希望有关部门管一管。", "已经反映过多次，一直没有解决。", "恳请领导重视。", "请相关部门核实并答复。", "影响居民正常生活，请处理。", "存在安全隐患，请尽快解决。", "希望给个说法。"}
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<rss version="2.0"><channel><title>12345 热线</title><link>http://example.gov.cn/</link>` + "\n")
	start := time.Date(2026, 10, 1, 8, 0, 0, 0, time.FixedZone("CST", 8*3600))
	for i := 0; i < n; i++ {
		p, r, is, ask := places[i%len(places)], roads[(i/len(places))%len(roads)], issues[(i/(len(places)*len(roads)))%len(issues)], asks[(i*7)%len(asks)]
		fmt.Fprintf(&b, "<item><title>%s%s%s</title><guid isPermaLink=\"false\">rx-%06d</guid><pubDate>%s</pubDate>"+
			"<description><![CDATA[<p>%s%s附近%s。%s（第%d号）</p>]]></description></item>\n",
			p, r, strings.SplitN(is, "，", 2)[0], i, start.Add(time.Duration(i)*time.Minute).Format(time.RFC1123Z), p, r, is, ask, i)
	}
	b.WriteString("</channel></rss>\n")
	return b.Bytes()
}

// pullLine is the one JSON line `minyi pull` prints.
type pullLine struct {
	Source    string `json:"source"`
	Read      int    `json:"read"`
	New       int    `json:"new"`
	Duplicate int    `json:"duplicate"`
	Rejected  int    `json:"rejected"`
	Error     string `json:"error"`
}

// runPull runs `minyi pull` and returns its JSON line and exit code.
func runPull(t *testing.T, bin, data string, args ...string) (pullLine, int, string) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"--data", data, "pull"}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != 1 {
		t.Fatalf("pull printed %d lines, want one: %q (stderr %q)", len(lines), stdout.String(), stderr.String())
	}
	var pl pullLine
	if err := json.Unmarshal([]byte(lines[0]), &pl); err != nil {
		t.Fatalf("pull output %q: %v", lines[0], err)
	}
	return pl, code, stderr.String()
}

// TestKillDuringPull SIGKILLs `minyi pull` of a 10,000-item feed after it reported committed
// records, then pulls again: everything reported committed is still there, the second pull
// stores exactly the rest, and a third stores nothing.
func TestKillDuringPull(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and pulls 10,000 items")
	}
	const items = 10000
	feedBody := bigRSS(items)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		w.Write(feedBody)
	}))
	defer srv.Close()
	dir := t.TempDir()
	bin := buildCLI(t, dir)
	data := filepath.Join(dir, "data")
	url := srv.URL + "/big.xml"

	cmd := exec.Command(bin, "--data", data, "pull", "--url", url, "--format", "rss")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	committed := 0
	re := regexp.MustCompile(`已提交 (\d+) 条`)
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			if committed, _ = strconv.Atoi(m[1]); committed >= items/4 {
				break // about a quarter in: kill it mid-way
			}
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if committed == 0 {
		t.Fatal("the pull never reported a committed batch before it was killed")
	}
	if committed >= items {
		t.Fatalf("the pull finished (%d) before the kill; the test proves nothing", committed)
	}
	after := searchTotal(t, bin, data, "")
	if after < committed || after >= items {
		t.Fatalf("after the kill %d records are stored; %d were reported committed of %d", after, committed, items)
	}
	t.Logf("killed after %d reported committed; %d stored", committed, after)

	second, code, errText := runPull(t, bin, data, "--url", url, "--format", "rss")
	if code != 0 || second.Error != "" {
		t.Fatalf("second pull exit %d: %+v\n%s", code, second, errText)
	}
	if second.Read != items || second.New != items-after || second.Duplicate != after {
		t.Fatalf("second pull = %+v, want %d new and %d duplicates", second, items-after, after)
	}
	if total := searchTotal(t, bin, data, ""); total != items {
		t.Fatalf("stored %d after the second pull, want exactly %d", total, items)
	}
	third, code, _ := runPull(t, bin, data, "--url", url, "--format", "rss")
	if code != 0 || third.New != 0 || third.Duplicate != items {
		t.Fatalf("third pull exit %d: %+v, want all duplicates", code, third)
	}
}

// TestPullAndSourcesCommands drives the configured-source path of the CLI: add a source, pull it
// (new, then duplicates), a failing source's exit code and Chinese error, the listing and removal.
func TestPullAndSourcesCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	feeds := filepath.Join("feed", "testdata", "feeds")
	srv := httptest.NewServer(http.StripPrefix("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := os.ReadFile(filepath.Join(feeds, filepath.Base(r.URL.Path)))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	})))
	defer srv.Close()
	dir := t.TempDir()
	bin := buildCLI(t, dir)
	data := filepath.Join(dir, "data")
	minyi := func(args ...string) (string, string, int) {
		cmd := exec.Command(bin, append([]string{"--data", data}, args...)...)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		return out.String(), errb.String(), code
	}
	if out, errText, code := minyi("sources", "add", "市长信箱", "--kind", "rss", "--url", srv.URL+"/rss2.xml", "--channel", "信箱", "--schedule", "@every 10m"); code != 0 {
		t.Fatalf("sources add: exit %d %s %s", code, out, errText)
	}
	if _, errText, code := minyi("sources", "add", "坏源", "--kind", "rss", "--url", srv.URL+"/rss2.xml", "--schedule", "每五分钟"); code == 0 || !strings.Contains(errText, "拉取计划") {
		t.Fatalf("a bad schedule was accepted: exit %d %s", code, errText)
	}
	minyi("sources", "add", "断链", "--kind", "rss", "--url", srv.URL+"/gone.xml")

	cases := []struct {
		source          string
		code, new, dup  int
		errMention      string
		read, rejected_ int
	}{
		{"市长信箱", 0, 5, 0, "", 7, 2},
		{"市长信箱", 0, 0, 5, "", 7, 2},
		{"断链", 1, 0, 0, "404", 0, 0},
	}
	for i, tc := range cases {
		pl, code, errText := runPull(t, bin, data, "--source", tc.source)
		if code != tc.code || pl.New != tc.new || pl.Duplicate != tc.dup || pl.Read != tc.read || pl.Rejected != tc.rejected_ ||
			!strings.Contains(pl.Error, tc.errMention) || pl.Source != tc.source {
			t.Fatalf("pull %d of %s: exit %d %+v (stderr %q)", i, tc.source, code, pl, errText)
		}
		if tc.code != 0 && !strings.Contains(errText, pl.Error) {
			t.Fatalf("failing pull's stderr %q lacks its error %q", errText, pl.Error)
		}
	}
	out, _, code := minyi("sources", "--json")
	var list []struct {
		Name     string `json:"name"`
		LastNew  int    `json:"last_new"`
		LastDup  int    `json:"last_duplicate"`
		Failures int    `json:"failures"`
	}
	if err := json.Unmarshal([]byte(out), &list); code != 0 || err != nil {
		t.Fatalf("sources --json: exit %d %v %q", code, err, out)
	}
	if len(list) != 2 || list[0].Name != "市长信箱" || list[0].LastDup != 5 || list[1].Failures != 1 {
		t.Fatalf("sources = %+v", list)
	}
	if out, _, code := minyi("sources"); code != 0 || !strings.Contains(out, "连续失败 1 次") {
		t.Fatalf("sources table: exit %d\n%s", code, out)
	}
	if _, _, code := minyi("pull", "--source", "没有这个"); code == 0 {
		t.Fatal("pull of an unknown source exited 0")
	}
	if _, errText, code := minyi("pull", "--url", srv.URL+"/rss2.xml"); code != 2 || !strings.Contains(errText, "--format") {
		t.Fatalf("--url without --format: exit %d %s", code, errText)
	}
	if _, _, code := minyi("sources", "remove", "断链"); code != 0 {
		t.Fatal("remove failed")
	}
	if _, _, code := minyi("sources", "remove", "断链"); code == 0 {
		t.Fatal("removing twice exited 0")
	}
}
