# syntax=docker/dockerfile:1
# PresignGateway image: built with the .NET 10 SDK, run on the ASP.NET Core 10 runtime as the non-root user `app`.
#   docker build -t presign-gateway .
#   docker run --rm -p 127.0.0.1:8080:8080 --read-only --tmpfs /tmp presign-gateway
# deploy/check-container-build.sh runs this file's build-stage COPY and RUN lines on a host without a Docker engine
# and starts what they publish, so keep each RUN a single command. deploy/README.md covers compose and Kubernetes.
#
# .NET 10 ships no Debian images: `10.0` means Ubuntu 24.04 "noble". The tags below say so explicitly; pin them by
# digest in production (`...:10.0-noble@sha256:...`).

# The build runs on the builder's own platform: the publish output is portable IL (no runtime identifier, no native
# app host), so one build serves linux/amd64 and linux/arm64 images without emulating the SDK.
FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:10.0-noble AS build
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    DOTNET_NOLOGO=1
WORKDIR /src
# Restore from the files that decide the package graph only, so an edit to the source reuses the restored layer.
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/PresignGateway.Signing/PresignGateway.Signing.csproj src/PresignGateway.Signing/
COPY src/PresignGateway/PresignGateway.csproj src/PresignGateway/
RUN dotnet restore src/PresignGateway/PresignGateway.csproj
# The project links ../../appsettings.json into its output, so the root file must sit at /src like in the repository.
COPY appsettings.json ./
COPY src/ src/
# UseAppHost=false: the entry point is `dotnet PresignGateway.dll`, so the native launcher would be dead weight and
# would tie the output to the build platform.
RUN dotnet publish src/PresignGateway/PresignGateway.csproj -c Release -o /app --no-restore /p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble AS runtime
LABEL org.opencontainers.image.title="presign-gateway" \
      org.opencontainers.image.description="Download gateway: friendly links to private OSS/S3 objects, presigned and streamed"
# Kestrel listens on 8080 (the image's default, stated here because EXPOSE, HEALTHCHECK and the manifests rely on it).
# Server GC with DATAS, set by the project, sizes itself to the container's CPU and memory limits: nothing to tune here.
# Writes at run time: none outside /tmp, where the runtime puts its diagnostics socket (dotnet-counters, dotnet-trace)
# and crash dumps. With a read-only root file system, mount /tmp writable (tmpfs, or an emptyDir in Kubernetes); the
# gateway also runs without it, minus those diagnostics.
ENV ASPNETCORE_HTTP_PORTS=8080
WORKDIR /app
# The files stay owned by root: the app user can read and run them, never change them.
COPY --from=build /app ./
USER $APP_UID
EXPOSE 8080
# The image has no curl or wget, and adding them only for this would bring a package and its CVEs to patch. bash
# speaks the one HTTP request over /dev/tcp instead: /healthz on the first port of ASPNETCORE_HTTP_PORTS, healthy on
# a 200 status line. (Docker and compose use this; Kubernetes ignores it and uses the probes in the manifests.)
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["bash", "-c", "port=${ASPNETCORE_HTTP_PORTS:-8080}; exec 3<>/dev/tcp/127.0.0.1/${port%%[;,]*} && printf 'GET /healthz HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && IFS= read -r -t 4 status <&3 && [[ $status == 'HTTP/1.1 200 '* ]]"]
ENTRYPOINT ["dotnet", "PresignGateway.dll"]
