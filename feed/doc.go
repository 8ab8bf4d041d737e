// Package feed brings messages into Minyi: it reads import files (JSON Lines, CSV/TSV, XLSX)
// and pulls configured sources (RSS/Atom/JSON Feed, JSON APIs, HTML list pages, folders of
// files). Whatever the format or encoding, it hands the app clean domain.Items: plain UTF-8
// text with markup stripped (the original kept in Raw), times in Asia/Shanghai when the source
// gives no zone, and rejected rows counted with a reason an officer can read.
//
// feed imports only domain (and third-party parsers); the app does storage, de-duplication,
// scheduling and health.
package feed

import "errors"

// Sentinel errors let the app classify a failed pull or import (for example to count
// consecutive failures of one source) with errors.Is; the wrapped message is plain Chinese.
var (
	// ErrNotFeed means the response or file is not in the format the source is configured for
	// (e.g. an HTML page where an RSS feed was expected).
	ErrNotFeed = errors.New("不是订阅源")
	// ErrTooLarge means a response, file or row is larger than the configured limit.
	ErrTooLarge = errors.New("超过大小上限")
	// ErrHTTPStatus means the server answered with a non-success HTTP status.
	ErrHTTPStatus = errors.New("服务器返回错误状态")
	// ErrTimeout means the server did not answer within the source's timeout.
	ErrTimeout = errors.New("连接超时")
	// ErrNetwork means the server could not be reached at all (DNS, refused connection, TLS).
	ErrNetwork = errors.New("无法连接服务器")
	// ErrMalformed means the content is in the right format but broken (truncated XML, bad JSON).
	ErrMalformed = errors.New("内容格式错误")
	// ErrBadFile means an import file is missing, unreadable or not the format its name says.
	ErrBadFile = errors.New("无法读取导入文件")
	// ErrBadSource means a Source is misconfigured (unknown kind, missing URL or mapping).
	ErrBadSource = errors.New("数据源配置有误")
)
