//go:build tools

// Package main's tools.go pins modules that packages under construction will import,
// so that helpers working in parallel share one go.mod. Removed once every module is imported.
package main

import (
	_ "github.com/PuerkitoBio/goquery"
	_ "github.com/blevesearch/bleve/v2"
	_ "github.com/chromedp/chromedp"
	_ "github.com/go-ego/gse"
	_ "github.com/mmcdole/gofeed"
	_ "github.com/robfig/cron/v3"
	_ "github.com/wailsapp/wails/v2"
	_ "github.com/xuri/excelize/v2"
	_ "go.etcd.io/bbolt"
	_ "golang.org/x/net/html/charset"
	_ "golang.org/x/text/encoding/simplifiedchinese"
)
