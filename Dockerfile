# Multi-stage build of the `veikart` binary. SQLite and libpq are compiled into it
# (bundled), so the runtime image needs no database client libraries.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p veikart-cli

FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --home-dir /var/lib/veikart --create-home veikart
COPY --from=build /src/target/release/veikart /usr/local/bin/veikart
USER veikart
WORKDIR /var/lib/veikart
ENV VEIKART_BIND=0.0.0.0:8080 \
    RUST_LOG=info
EXPOSE 8080
ENTRYPOINT ["veikart"]
CMD ["serve"]
