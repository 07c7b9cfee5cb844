import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const root = fileURLToPath(new URL('.', import.meta.url));

// Served by the API server under /console/ (src/http/app.ts); `vite --config web/console/vite.config.ts`
// runs a dev server that forwards /v1 to a local `npm start`.
export default defineConfig({
  root,
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    // antd and echarts are large on their own; pages are split, the vendor chunks are expected.
    chunkSizeWarningLimit: 1600,
    reportCompressedSize: false,
  },
  server: { proxy: { '/v1': 'http://127.0.0.1:3000' } },
});
