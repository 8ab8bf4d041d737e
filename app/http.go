package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"reflect"
	"strings"
)

// maxRequestBytes bounds a JSON API request body.
const maxRequestBytes = 4 << 20

// NewHandler serves the frontend (static files from dist) and the JSON API that mirrors App's
// methods: POST /api/<Method> with a JSON array of arguments answers the method's result, or
// {"error": "…"} with a 4xx/5xx status. Requests from other sites are refused, so a web page
// open in the officer's browser cannot drive the console.
func NewHandler(a *App, dist fs.FS) http.Handler {
	mux := http.NewServeMux()
	methods := boundMethods(a)
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			writeErr(w, http.StatusMethodNotAllowed, "请使用 POST")
			return
		}
		if !sameOrigin(r) {
			writeErr(w, http.StatusForbidden, "拒绝来自其他网站的请求")
			return
		}
		name := strings.TrimPrefix(r.URL.Path, "/api/")
		m, ok := methods[name]
		if !ok {
			writeErr(w, http.StatusNotFound, "没有这个接口："+name)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBytes+1))
		if err != nil || len(body) > maxRequestBytes {
			writeErr(w, http.StatusRequestEntityTooLarge, "请求过大")
			return
		}
		args, err := decodeArgs(m.Type(), body)
		if err != nil {
			writeErr(w, http.StatusBadRequest, err.Error())
			return
		}
		out := m.Call(args)
		if errv := out[len(out)-1]; !errv.IsNil() {
			writeErr(w, http.StatusUnprocessableEntity, errv.Interface().(error).Error())
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if len(out) == 1 {
			w.Write([]byte("null"))
			return
		}
		json.NewEncoder(w).Encode(out[0].Interface())
	})
	if dist != nil {
		files := http.FileServer(http.FS(dist))
		mux.Handle("/", securityHeaders(files))
	}
	return mux
}

// boundMethods lists App's exported methods that return (T, error) or error: the UI's API.
func boundMethods(a *App) map[string]reflect.Value {
	v := reflect.ValueOf(a)
	t := v.Type()
	errType := reflect.TypeOf((*error)(nil)).Elem()
	out := map[string]reflect.Value{}
	for i := 0; i < t.NumMethod(); i++ {
		m := t.Method(i)
		ft := m.Type
		if n := ft.NumOut(); n == 0 || n > 2 || ft.Out(n-1) != errType {
			continue
		}
		out[m.Name] = v.Method(i)
	}
	return out
}

func decodeArgs(ft reflect.Type, body []byte) ([]reflect.Value, error) {
	var raw []json.RawMessage
	if len(strings.TrimSpace(string(body))) > 0 {
		if err := json.Unmarshal(body, &raw); err != nil {
			return nil, errors.New("请求格式错误：应为参数数组")
		}
	}
	if len(raw) != ft.NumIn() {
		return nil, fmt.Errorf("参数个数不对：需要 %d 个，收到 %d 个", ft.NumIn(), len(raw))
	}
	args := make([]reflect.Value, ft.NumIn())
	for i := range args {
		p := reflect.New(ft.In(i))
		if err := json.Unmarshal(raw[i], p.Interface()); err != nil {
			return nil, fmt.Errorf("第 %d 个参数格式错误", i+1)
		}
		args[i] = p.Elem()
	}
	return args, nil
}

func writeErr(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

// sameOrigin accepts requests whose Origin (when a browser sends one) names this server's host,
// and whose Host is a loopback name, which also defeats DNS rebinding.
func sameOrigin(r *http.Request) bool {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if host != "localhost" {
		ip := net.ParseIP(host)
		if ip == nil || !ip.IsLoopback() {
			return false
		}
	}
	origin := r.Header.Get("Origin")
	return origin == "" || origin == "http://"+r.Host
}

// securityHeaders forbids framing and inline scripts from anywhere but the app itself.
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "no-referrer")
		h.ServeHTTP(w, r)
	})
}
