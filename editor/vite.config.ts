import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const apiPort = process.env.PORT ?? '3000';
const api = `http://127.0.0.1:${apiPort}`;

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  server: {
    proxy: { '/v1': api, '/health': api, '/ready': api, '/docs': api },
  },
  build: { outDir: fileURLToPath(new URL('../dist/editor', import.meta.url)), emptyOutDir: true },
});
