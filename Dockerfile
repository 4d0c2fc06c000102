# Guichet API + web app, production image.
FROM node:24-bookworm-slim AS build
WORKDIR /app
RUN npm install -g pnpm@12.4.2
COPY . .
RUN pnpm install --frozen-lockfile && pnpm build

# The load balancer of docker-compose.yml: nginx with the web build's hashed files and their .gz
# copies, served from disk (deploy/nginx.conf); every other request goes to the API instances.
FROM nginx:1.27-alpine AS lb
COPY --from=build /app/apps/web/dist/assets /usr/share/guichet/web/assets
COPY deploy/nginx.conf /etc/nginx/conf.d/default.conf

# The API (and the default target: the last stage).
FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production PORT=3000 WEB_DIST_DIR=/app/apps/web/dist
COPY --from=build /app /app
RUN mkdir -p /var/lib/guichet/blobs && chown node /var/lib/guichet/blobs
EXPOSE 3000
USER node
# Memory that bursts (agents moving here from an instance that died) leave resident, never given
# back: a young generation of 2 × 16 MiB rather than V8's 2 × 64, two malloc arenas rather than
# 8 per core (apps/api/bench/socket-memory.ts, six cycles of 100 agents: RSS +77 MiB by default,
# +19 with the first, +9 with both).
ENV MALLOC_ARENA_MAX=2
CMD ["node", "--max-semi-space-size=16", "apps/api/dist/main.js"]
