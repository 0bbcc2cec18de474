using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using PresignGateway.Configuration;
using PresignGateway.Hosting;

namespace PresignGateway.Configuration;

/// <summary>The <c>Gateway:Telemetry</c> settings.</summary>
internal sealed record TelemetrySettings(bool PrometheusEndpoint, bool Tracing, string MetricsUrl);
