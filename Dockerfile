# facematch-mock: the mock Face Match API, compiled, with the converted ONNX models.
# Build (BuildKit: Docker >= 23 with buildx, or DOCKER_BUILDKIT=1 with Debian's docker.io 20.10):
#   docker build -t facematch-mock .
# Behind a TLS-inspecting proxy, hand npm the proxy's CA as a build secret (never stored in a layer):
#   docker build --secret id=npm_ca,src="$NODE_EXTRA_CA_CERTS" -t facematch-mock .
# scripts/docker-build.sh does both and picks a Docker CLI that can use BuildKit.

# --- build: every dependency, models converted, TypeScript compiled, then pruned to production ---
FROM node:24-bookworm-slim AS build
WORKDIR /app
# The build stage (npm's cache included) is left behind; the image never runs npm.
ENV NPM_CONFIG_UPDATE_NOTIFIER=false
COPY package.json package-lock.json .npmrc ./
# Scripts run below, once the sources are here: this layer only changes with the lock file.
RUN --mount=type=secret,id=npm_ca \
    if [ -s /run/secrets/npm_ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/npm_ca; fi; \
    npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY models ./models
COPY scripts ./scripts
COPY src ./src
COPY ui ./ui
# The build compiles src/ and builds the dashboard (ui/ → ui/dist/) with Vite, a dev dependency still here.
RUN npm run models && npm run build
# Production dependencies only; onnxruntime-node ships every platform's binaries, keep this one's.
RUN npm prune --omit=dev --no-audit --no-fund \
    && arch="$(node -p process.arch)" \
    && find node_modules/onnxruntime-node/bin -mindepth 2 -maxdepth 2 -type d ! -path "*/linux" -exec rm -rf {} + \
    && find node_modules/onnxruntime-node/bin/*/linux -mindepth 1 -maxdepth 1 -type d ! -name "$arch" -exec rm -rf {} + \
    # The converter's inputs (face-api's TF.js weights, the ONNX protobuf schema) did their work above.
    && rm -rf node_modules/@vladmandic/face-api node_modules/onnx-proto

# --- the image: node, production dependencies, compiled code, models, contract, fixtures ---
FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
# Fewer glibc malloc arenas: about 20 MB less resident memory with the ONNX engine, at no measured cost.
ENV MALLOC_ARENA_MAX=2
# onnxruntime 1.30 starts HTTPS telemetry uploads unless told not to (in the image it only warned,
# finding no CA bundle): a mock that handles face images sends nothing anywhere.
ENV ORT_DISABLE_TELEMETRY=1
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/ui/dist ./ui/dist
COPY --from=build /app/models/manifest.json ./models/
COPY --from=build /app/models/onnx ./models/onnx
COPY openapi ./openapi
COPY fixtures ./fixtures
# --data-dir /data: owned by the unprivileged user the server runs as.
RUN mkdir /data && chown node:node /data
VOLUME /data
USER node
EXPOSE 8080
# No curl in the image: node's fetch, with a timeout so a hung server counts as unhealthy.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.FACEMATCH_PORT||process.env.PORT||8080)+'/readyz',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.status===200?0:1),()=>process.exit(1))"]
# node itself is PID 1 (no npm, no shell), so `docker stop`'s SIGTERM reaches the server's drain.
ENTRYPOINT ["node", "dist/cli/entry.js"]
CMD ["serve", "--host", "0.0.0.0"]
