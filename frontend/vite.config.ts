/// <reference types="vitest/config" />
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// The Go binary embeds dist/ and serves it from "/" (serve) or from the Wails asset server,
// so asset URLs are relative and nothing is fetched from the internet.
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
      // `minyi --data /tmp/fe-demo serve --demo --addr 127.0.0.1:8699`
      '/api': process.env.MINYI_API ?? 'http://127.0.0.1:8699',
    },
  },
  test: {
    environment: 'happy-dom',
    include: ['src/**/*.test.ts'],
  },
})
