import type { MessageApi } from 'naive-ui'

// copyPath puts a file path (an export, a generated brief) on the clipboard for the officer to
// paste into Explorer or a mail; where the webview refuses clipboard access it shows the path
// instead, so it can still be selected and copied by hand.
export async function copyPath(p: string, message: MessageApi) {
  try {
    await navigator.clipboard.writeText(p)
    message.success('路径已复制')
  } catch {
    message.info(p)
  }
}
