# syntax=docker/dockerfile:1
# The kubedrs controller image. Node 24 runs the TypeScript sources as they are (type stripping),
# so there is no build step: the image holds src/, the production dependencies and the example
# policies (a fallback for --policies DIR), and runs as an unprivileged user.
#   docker build -t ghcr.io/kubedrs/kubedrs:0.1.0 .

ARG NODE_IMAGE=node:24-slim

# Production dependencies only, installed exactly as package-lock.json pins them.
FROM ${NODE_IMAGE} AS dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY --from=dependencies /app/node_modules ./node_modules
COPY package.json package-lock.json ./
COPY src ./src
COPY policies ./policies
# The nonroot user of distroless images; the Deployment's securityContext asks for the same.
USER 65532:65532
EXPOSE 8080
# The same V8 flags as bin/kubedrs.js and the benchmarks: a 16 MiB young generation and an old
# generation that grows 20% between full collections keep the garbage of each pass and each usage
# sample from piling up (the controller benchmark's RSS is measured with them).
ENTRYPOINT ["node", "--max-semi-space-size=16", "--heap-growing-percent=20", "--expose-gc", "src/cli/main.ts"]
CMD ["run", "--policies", "crd", "--leader-elect"]
