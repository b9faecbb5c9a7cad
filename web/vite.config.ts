// The dashboard's build: one static bundle in dist/web/ that `lathe serve` ships at `/`.
// Run from the repository root: `vite build --config web/vite.config.ts`.
import path from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const web = import.meta.dirname;

export default defineConfig({
  root: web,
  base: '/',
  plugins: [react()],
  build: {
    outDir: path.resolve(web, '..', 'dist', 'web'),
    emptyOutDir: true,
    // ECharts is most of the bundle; a chunk of its own is cached across dashboard releases.
    chunkSizeWarningLimit: 1200,
    rolldownOptions: {
      output: {
        codeSplitting: { groups: [{ name: 'echarts', test: /node_modules[\\/](echarts|zrender)/ }] },
      },
    },
  },
  server: {
    // `npx vite --config web/vite.config.ts` next to `lathe serve` on 8080: the API by proxy.
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
});
