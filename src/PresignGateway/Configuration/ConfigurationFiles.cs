using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;
using PresignGateway.Diagnostics;

namespace PresignGateway.Configuration;

/// <summary>
/// The JSON configuration files the gateway loads and watches, and which of them are broken right now.
/// </summary>
/// <remarks>
/// A JSON file that fails to parse on reload makes its provider drop all its settings without a word, and the next
/// reload of any source would then apply a table without them. Here a failure is recorded (and logged at Error,
/// naming the file), the site table is not rebuilt while any file is broken, and readiness reports it, until the
/// file loads again.
/// </remarks>
internal sealed class ConfigurationFiles : IDisposable
{
    /// <summary>The command-line option and the environment variable that name the operator's configuration file.</summary>
    public const string CommandLineKey = "config";
    public const string EnvironmentKey = "GATEWAY_CONFIG";

    private readonly List<TrackedJsonSource> _files = [];
    private readonly ConcurrentDictionary<string, string> _broken = new(StringComparer.Ordinal);
    private ILogger? _logger;

    /// <summary>The mounted secrets directory, when one is configured.</summary>
    public SecretsDirectory? Secrets { get; private set; }

    /// <summary>
    /// Adds <c>--config FILE</c> (or <c>GATEWAY_CONFIG</c>) on top of the built-in appsettings files and below the
    /// environment and the command line, then tracks every JSON source and adds the secrets directory.
    /// </summary>
    public static ConfigurationFiles Track(ConfigurationManager configuration)
    {
        var files = new ConfigurationFiles();
        IList<IConfigurationSource> sources = configuration.Sources;
        for (int i = 0; i < sources.Count; i++)
        {
            if (sources[i] is JsonConfigurationSource json and not TrackedJsonSource)
            {
                sources[i] = files.Tracked(json.Path!, json.FileProvider, json.Optional, json.ReloadOnChange, json.ReloadDelay);
            }
        }

        string? operatorFile = configuration[CommandLineKey] is { Length: > 0 } fromArguments ? fromArguments : configuration[EnvironmentKey];
        if (!string.IsNullOrWhiteSpace(operatorFile))
        {
            string path = Path.GetFullPath(operatorFile);
            if (!File.Exists(path))
            {
                throw new StartupException([$"The configuration file '{path}' (--config or {EnvironmentKey}) does not exist: give the path of a JSON file."]);
            }

            // Right after the last appsettings file: the environment and the command line still override it.
            int position = sources.Count;
            for (int i = sources.Count - 1; i >= 0; i--)
            {
                if (sources[i] is TrackedJsonSource { Path: { } name } && name.StartsWith("appsettings", StringComparison.OrdinalIgnoreCase))
                {
                    position = i + 1;
                    break;
                }
            }

            sources.Insert(position, files.Tracked(
                Path.GetFileName(path), new PhysicalFileProvider(Path.GetDirectoryName(path)!), optional: false, reloadOnChange: true, reloadDelay: 250));
        }

        files.Secrets = SecretsDirectory.Add(configuration);
        return files;
    }

    public void Dispose() => Secrets?.Dispose();

    /// <summary>Turns a JSON file that failed to load at start-up into a start-up problem that names the file.</summary>
    public static string Describe(InvalidDataException failure)
    {
        Exception cause = failure;
        while (cause.InnerException is { } inner)
        {
            cause = inner;
        }

        return $"{failure.Message.TrimEnd('.')}: {cause.Message} Fix the JSON (or restore the file) and start again.";
    }

    /// <summary>
    /// From here on the gateway runs: log what is watched, and log (rather than throw) a file that fails to load.
    /// </summary>
    public void Started(ILogger logger)
    {
        _logger = logger;
        foreach (TrackedJsonSource file in _files)
        {
            string path = PathOf(file);
            Log.WatchingConfigurationFile(logger, path, File.Exists(path) ? "present" : "absent, optional");
        }

        if (Secrets is { } secrets)
        {
            Log.WatchingSecretsDirectory(logger, secrets.Root);
            secrets.Started(logger);
        }
    }

    /// <summary>The files that don't load now (a parse error, or a required file gone), by name; empty when all load.</summary>
    public IReadOnlyList<string> Broken()
    {
        List<string>? broken = null;
        foreach (TrackedJsonSource file in _files)
        {
            string path = PathOf(file);
            if (_broken.ContainsKey(path) || (!file.Optional && !File.Exists(path)))
            {
                (broken ??= []).Add(path);
            }
        }

        return broken ?? (IReadOnlyList<string>)[];
    }

    private TrackedJsonSource Tracked(string path, IFileProvider? provider, bool optional, bool reloadOnChange, int reloadDelay)
    {
        var source = new TrackedJsonSource(this)
        {
            Path = path,
            FileProvider = provider,
            Optional = optional,
            ReloadOnChange = reloadOnChange,
            ReloadDelay = reloadDelay,
        };
        source.OnLoadException = context =>
        {
            // At start-up the failure propagates (and becomes the start-up message); at run time it is recorded.
            if (_logger is { } logger)
            {
                string file = PathOf(source);
                string reason = context.Exception.InnerException?.Message ?? context.Exception.Message;
                _broken[file] = reason;
                Log.ConfigurationFileFailed(logger, file, reason);
                context.Ignore = true;
            }
        };
        _files.Add(source);
        return source;
    }

    private void Loaded(TrackedJsonSource source)
    {
        if (_logger is { } logger && _broken.TryRemove(PathOf(source), out _))
        {
            Log.ConfigurationFileRecovered(logger, PathOf(source));
        }
    }

    private static string PathOf(JsonConfigurationSource source)
        => source.FileProvider?.GetFileInfo(source.Path ?? "").PhysicalPath ?? source.Path ?? "";

    /// <summary>A JSON file whose successful loads are reported, so a broken file is known to be fixed.</summary>
    private sealed class TrackedJsonSource(ConfigurationFiles files) : JsonConfigurationSource
    {
        public override IConfigurationProvider Build(IConfigurationBuilder builder)
        {
            EnsureDefaults(builder);
            return new Provider(this, files);
        }

        private sealed class Provider(TrackedJsonSource source, ConfigurationFiles files) : JsonConfigurationProvider(source)
        {
            public override void Load(Stream stream)
            {
                base.Load(stream);
                files.Loaded(source);
            }
        }
    }
}
