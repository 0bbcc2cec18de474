using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Primitives;
using PresignGateway.Diagnostics;

namespace PresignGateway.Configuration;

/// <summary>
/// <c>Gateway:SecretsDirectory</c>: mounted secrets (a Kubernetes Secret, say), one file per setting, named like
/// <c>Gateway__Stores__main__AccessKeySecret</c>. Polled, because mounted secrets change by a symlink swap that
/// file-change notifications miss; a change rotates keys without a restart.
/// </summary>
/// <remarks>
/// The key-per-file provider reads whatever the directory lists, so this file provider lists only what may be read:
/// a file of at most 64 KiB, reached directly or through symbolic links whose final target stays inside the directory
/// (Kubernetes mounts each key as <c>key -> ..data/key</c>, <c>..data -> ..2030_01_01...</c>, all inside). Anything
/// else is left out and logged by name, never by content. Each file is read once, bounded, into memory.
/// </remarks>
internal sealed class SecretsDirectory : IFileProvider, IDisposable
{
    public const int MaxFileBytes = 64 * 1024;

    private const int MaxLinks = 40;

    private readonly PhysicalFileProvider _watcher;
    private readonly Lock _gate = new();
    private readonly List<(string Name, string Reason)> _pending = [];
    private ILogger? _logger;

    private SecretsDirectory(string root)
    {
        Root = root;
        _watcher = new PhysicalFileProvider(root) { UsePollingFileWatcher = true, UseActivePolling = true };
    }

    /// <summary>The directory, as configured (made absolute).</summary>
    public string Root { get; }

    public static SecretsDirectory? Add(ConfigurationManager configuration)
    {
        string? directory = configuration["Gateway:SecretsDirectory"];
        if (string.IsNullOrWhiteSpace(directory))
        {
            return null;
        }

        string root = Path.GetFullPath(directory);
        if (!Directory.Exists(root))
        {
            throw new StartupException([$"Gateway:SecretsDirectory is '{root}', which is not a directory: mount the secrets there or remove the setting."]);
        }

        var secrets = new SecretsDirectory(root);
        configuration.AddKeyPerFile(source =>
        {
            source.FileProvider = secrets;
            source.Optional = true;
            source.ReloadOnChange = true;
            source.ReloadDelay = 100;
        });
        return secrets;
    }

    /// <summary>Files left out before logging existed are logged now; later ones as they happen.</summary>
    public void Started(ILogger logger)
    {
        lock (_gate)
        {
            _logger = logger;
            foreach ((string name, string reason) in _pending)
            {
                Log.SecretFileRefused(logger, name, Root, reason);
            }

            _pending.Clear();
        }
    }

    public IDirectoryContents GetDirectoryContents(string subpath)
    {
        string? root = RealPath(Root);
        if (root is null || !Directory.Exists(root))
        {
            return NotFoundDirectoryContents.Singleton;
        }

        var files = new List<IFileInfo>();
        foreach (string entry in Directory.EnumerateFileSystemEntries(Root))
        {
            string name = Path.GetFileName(entry);
            string? target = RealPath(entry);
            if (target is null)
            {
                Refuse(name, "it is a symbolic link that leads nowhere or in a loop");
            }
            else if (Directory.Exists(target))
            {
                // Kubernetes' ..data and timestamped directories: not settings.
            }
            else if (!target.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                Refuse(name, "it is a symbolic link to a file outside the directory");
            }
            else if (ReadBounded(target) is { } content)
            {
                files.Add(new SecretFile(name, content));
            }
            else
            {
                Refuse(name, $"it is larger than {MaxFileBytes / 1024} KiB or can't be read");
            }
        }

        return new Contents(files);
    }

    public void Dispose() => _watcher.Dispose();

    public IFileInfo GetFileInfo(string subpath) => new NotFoundFileInfo(subpath);

    public IChangeToken Watch(string filter) => _watcher.Watch(filter);

    /// <summary>The path with every symbolic link resolved (like realpath(3)); null for a dangling link or a loop.</summary>
    internal static string? RealPath(string path)
    {
        // Not Path.GetFullPath: it removes '..' by text, while after a link '..' means the parent of the link's target.
        string absolute = Path.IsPathRooted(path) ? path : Path.Join(Environment.CurrentDirectory, path);
        var pending = new List<string>(absolute.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries));
        string current = Path.GetPathRoot(absolute) ?? "/";
        int links = 0;
        while (pending.Count > 0)
        {
            string part = pending[0];
            pending.RemoveAt(0);
            if (part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? current;
                continue;
            }

            string next = Path.Join(current, part);
            var info = new FileInfo(next);
            if (info.LinkTarget is not { } link)
            {
                if (!info.Exists && !Directory.Exists(next))
                {
                    return null;
                }

                current = next;
                continue;
            }

            if (++links > MaxLinks)
            {
                return null;
            }

            // The link's own path replaces it, read from where the link sits (or from the root when absolute).
            if (Path.IsPathRooted(link))
            {
                current = Path.GetPathRoot(link) ?? "/";
            }

            pending.InsertRange(0, link.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries));
        }

        return current;
    }

    private static byte[]? ReadBounded(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1);
            byte[] buffer = new byte[MaxFileBytes + 1];
            int total = 0;
            int read;
            while (total < buffer.Length && (read = stream.Read(buffer, total, buffer.Length - total)) > 0)
            {
                total += read;
            }

            return total > MaxFileBytes ? null : buffer[..total];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private void Refuse(string name, string reason)
    {
        lock (_gate)
        {
            if (_logger is { } logger)
            {
                Log.SecretFileRefused(logger, name, Root, reason);
            }
            else
            {
                _pending.Add((name, reason));
            }
        }
    }

    private sealed class Contents(List<IFileInfo> files) : IDirectoryContents
    {
        public bool Exists => true;

        public IEnumerator<IFileInfo> GetEnumerator() => files.GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>A secret already read into memory: what the key-per-file provider reads is exactly what was checked.</summary>
    private sealed class SecretFile(string name, byte[] content) : IFileInfo
    {
        public bool Exists => true;

        public long Length => content.Length;

        public string? PhysicalPath => null;

        public string Name => name;

        public DateTimeOffset LastModified => DateTimeOffset.MinValue;

        public bool IsDirectory => false;

        public Stream CreateReadStream() => new MemoryStream(content, writable: false);
    }
}
