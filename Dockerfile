# Guichet API + web app, production image.
FROM node:24-bookworm-slim AS build
WORKDIR /app
RUN npm install -g pnpm@12.4.2
COPY . .
RUN pnpm install --frozen-lockfile && pnpm build

FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production PORT=3000 WEB_DIST_DIR=/app/apps/web/dist
COPY --from=build /app /app
RUN mkdir -p /var/lib/guichet/blobs && chown node /var/lib/guichet/blobs
EXPOSE 3000
USER node
CMD ["node", "apps/api/dist/main.js"]
