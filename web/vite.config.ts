// Builds the client into dist/, which the Maven build packages as webroot/ in parley-web's jar.
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/',
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  server: { proxy: { '/socket.io': { target: 'ws://localhost:8080', ws: true } } },
});
