import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/** In development (`pnpm dev`) the API runs on :3000 and Vite proxies to it. */
export default defineConfig({
  plugins: [react()],
  server: {
    port: 5173,
    proxy: {
      "/trpc": "http://localhost:3000",
      "/healthz": "http://localhost:3000",
      "/socket.io": { target: "http://localhost:3000", ws: true },
    },
  },
  build: { sourcemap: true },
});
