# k2check in a container: a static (musl) build, then a small image that runs it as a
# non-root user.
#   docker build -t k2check .
#   docker run --rm -v "$PWD:/work" -e K2_CLIENT_SECRET k2check run my-checks --env cloud
#   docker run --rm -p 8080:8080 k2check mock --bind 0.0.0.0 --port 8080
FROM rust:1-alpine AS build
# ring and mimalloc compile C; musl-dev has the C library's headers and start files.
RUN apk add --no-cache gcc musl-dev
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin k2check && strip target/release/k2check

FROM alpine:3
# The CA certificates verify a tenant's TLS; nothing else is needed at run time.
RUN apk add --no-cache ca-certificates && adduser -D -H -u 10001 k2check
COPY --from=build /src/target/release/k2check /usr/local/bin/k2check
USER k2check
WORKDIR /work
EXPOSE 8080
ENTRYPOINT ["k2check"]
CMD ["--help"]
