/// <reference types="vitest/config" />
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// The Go binary embeds dist/ and serves it from "/" (serve) or from the Wails asset server,
// so asset URLs are relative and nothing is fetched from the internet.
const api = process.env.MINYI_API ?? 'http://127.0.0.1:8699'

export default defineConfig({
  plugins: [vue()],
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 900,
  },
  server: {
    port: 5173,
    proxy: {
      // `minyi --data /tmp/fe-demo serve --demo --addr 127.0.0.1:8699`. serve refuses requests
      // whose Origin is another site, so the proxy presents them as coming from serve itself.
      '/api': {
        target: api,
        changeOrigin: true,
        configure: (proxy) => {
          proxy.on('proxyReq', (req) => req.setHeader('Origin', api))
        },
      },
    },
  },
  test: {
    environment: 'happy-dom',
    include: ['src/**/*.test.ts'],
  },
})
