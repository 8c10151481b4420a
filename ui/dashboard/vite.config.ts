// Builds the dashboard into the Python package, which serves it at /app.
import { defineConfig } from "vite";

export default defineConfig({
  base: "/app/",
  build: {
    outDir: "../../api/http/static/app",
    emptyOutDir: true,
    sourcemap: false,
    assetsInlineLimit: 0,
    reportCompressedSize: true,
  },
});
