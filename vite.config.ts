import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The renderer is served from two places: the desktop app (file in the asar) and the engine's
// /ui/ route in browser mode. Relative asset URLs work for both.
export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 2000,
  },
});
