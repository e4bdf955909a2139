# syntax=docker/dockerfile:1
#
# BHXH ID OpenID Connect provider.
#   docker build -t bhxh-id .
#   docker run -p 3000:3000 -e KEYS_ENCRYPTION_KEY=... -e DATABASE_URL=postgres://... bhxh-id
# Without DATABASE_URL the server uses embedded PGlite in /app/data (mount a volume there).

# ---------------------------------------------------------------------------
# Build stage: install all deps (toolchain only as node-gyp fallback for argon2),
# compile TypeScript to dist/, then drop dev dependencies.
FROM node:24-bookworm-slim AS build
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# This also installs the `node` dev dependency (the project's Node 24 for npm scripts, README "Supported Node.js"):
# the build runs on it, and npm prune below drops it, so the runtime stage has only the image's own Node 24.
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY views ./views
COPY migrations ./migrations
COPY bin ./bin
# npm run build leaves out src/dev/ (dev-only code: demo seed, VNeID simulator, dev mailbox, dev commands; see
# docs/architecture.md): it deletes dist/src/dev after tsc, and the runtime stage copies only dist/.
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

# ---------------------------------------------------------------------------
# Runtime stage.
FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    DATA_DIR=/app/data
WORKDIR /app
# Application files stay root-owned (read-only for the app); only DATA_DIR is writable.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/views ./views
COPY --from=build /app/migrations ./migrations
COPY --from=build /app/bin ./bin
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/src/main.js"]
