//go:build !desktop

package main

// runDesktop in the headless build explains how to get a window.
func runDesktop(env *cliEnv) error {
	return &exitError{code: 2, msg: "此版本为无界面版本：请运行 minyi serve 在浏览器中使用，或使用桌面版（-tags desktop,production 编译）。"}
}
