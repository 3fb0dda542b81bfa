# Lightdeck in a container: `docker compose up` (see docker-compose.yml and the README).
# Build stage: the release binary. Templates, translations, static files and migrations are
# compiled into it, so the runtime image needs only the binary and CA certificates.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p lightdeck \
 && install -m 0755 target/release/lightdeck /usr/local/bin/lightdeck

FROM debian:bookworm-slim
# ca-certificates: HTTPS to Huawei Cloud. curl: the container's health check.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin lightdeck
COPY --from=build /usr/local/bin/lightdeck /usr/local/bin/lightdeck
USER lightdeck
ENV LIGHTDECK_LISTEN=0.0.0.0:8080
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["lightdeck"]
CMD ["serve"]
