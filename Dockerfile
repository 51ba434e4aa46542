# One image for the API and the worker (the command picks the role); the editor is built into it
# and served by the API. Node 20 on Debian, like the development machines.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm install --no-audit --no-fund

FROM deps AS build
COPY . .
RUN node -e "require('node:fs').writeFileSync('/tmp/no-engine','')" \
 && PRISMA_SCHEMA_ENGINE_BINARY=/tmp/no-engine node node_modules/prisma/build/index.js generate \
 && npm run build:editor

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app /app
USER node
EXPOSE 3000
# Migrations are applied by the `migrate` service before the API and workers start.
CMD ["node_modules/.bin/tsx", "api/server.ts"]
