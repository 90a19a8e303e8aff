# footfall agent image: Debian 12 + Node 20, ffmpeg and libpcap, data in a volume.
FROM node:20-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ libpcap-dev ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN ONNXRUNTIME_NODE_INSTALL=skip npm ci --omit=dev --no-audit --no-fund
COPY bin ./bin
COPY edge ./edge
COPY cloud-sync ./cloud-sync
# The default model ships in models/ (its sha256 is checked at load); more can go in /data/models.
COPY models ./models
COPY scripts ./scripts
COPY docs ./docs

FROM node:20-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg libpcap0.8 iw tini ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app /app
# Live Wi-Fi capture needs CAP_NET_RAW and CAP_NET_ADMIN on the container (docker run
# --cap-add NET_RAW --cap-add NET_ADMIN --net host); granting them to node lets the
# agent run as the unprivileged `node` user.
RUN apt-get update && apt-get install -y --no-install-recommends libcap2-bin \
 && setcap cap_net_raw,cap_net_admin=eip "$(readlink -f /usr/local/bin/node)" \
 && apt-get purge -y libcap2-bin && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /data && chown node:node /data
USER node
ENV NODE_ENV=production FOOTFALL_DATA_DIR=/data
VOLUME ["/data"]
EXPOSE 8080 1883
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:8080/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
# Put footfall.yaml in the /data volume; without one the embedded defaults run.
WORKDIR /data
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/bin/footfall.js"]
CMD ["run"]
