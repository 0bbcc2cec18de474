using System.Text.RegularExpressions;
using PresignGateway.Tests.Infrastructure;

namespace PresignGateway.Tests;

/// <summary>
/// The shape of src/, read from the source text: each folder of the web host is one namespace, the folders depend on
/// each other along one direction only (the request flow's), and each file declares one type.
/// </summary>
public sealed partial class ArchitectureTests
{
    /// <summary>
    /// Each folder may use only the folders of lower layers. The signing library (its own project, no ASP.NET) sits
    /// below them all; Program.cs at the root composes everything.
    /// </summary>
    private static readonly Dictionary<string, int> Layers = new(StringComparer.Ordinal)
    {
        ["Diagnostics"] = 0, // logs, metrics, activity source: depends on nothing of ours
        ["Configuration"] = 1, // settings records, their checks, the configuration sources
        ["Stores"] = 2, // a store: provider, bucket, credentials, clock
        ["Sites"] = 3, // host + path -> site, store, key
        ["Protection"] = 4,
        ["Presigning"] = 4,
        ["Responses"] = 4,
        ["Listing"] = 5, // directories: index document, listing, append-slash
        ["Forwarding"] = 6,
        ["Health"] = 6,
        ["Hosting"] = 7,
        ["Cli"] = 7,
    };

    private static string Gateway => Path.Combine(RepositoryPaths.Root, "src", "PresignGateway");

    [Fact]
    public void Folders_form_no_cycle()
    {
        Dictionary<(string From, string To), List<string>> edges = Dependencies();
        var graph = edges.Keys.GroupBy(e => e.From).ToDictionary(g => g.Key, g => g.Select(e => e.To).ToList());
        var cycles = new List<string>();
        var state = new Dictionary<string, int>(); // 1: on the path, 2: done
        var path = new List<string>();

        void Visit(string folder)
        {
            state[folder] = 1;
            path.Add(folder);
            foreach (string next in graph.GetValueOrDefault(folder, []))
            {
                if (state.GetValueOrDefault(next) == 1)
                {
                    List<string> cycle = [.. path.Skip(path.IndexOf(next)), next];
                    cycles.Add(string.Join(" -> ", cycle) + ": "
                        + string.Join("; ", cycle.Zip(cycle.Skip(1)).Select(e => $"{e.First} -> {e.Second} in {string.Join(", ", edges[e])}")));
                }
                else if (!state.ContainsKey(next))
                {
                    Visit(next);
                }
            }

            path.RemoveAt(path.Count - 1);
            state[folder] = 2;
        }

        foreach (string folder in graph.Keys.Order(StringComparer.Ordinal))
        {
            if (!state.ContainsKey(folder))
            {
                Visit(folder);
            }
        }

        Assert.True(cycles.Count == 0, "Folder cycles:\n" + string.Join("\n", cycles));
    }

    [Fact]
    public void Folders_depend_only_on_lower_layers()
    {
        var problems = new List<string>();
        foreach (((string from, string to), List<string> files) in Dependencies())
        {
            if (!Layers.TryGetValue(from, out int fromLayer) || !Layers.TryGetValue(to, out int toLayer))
            {
                problems.Add($"{(Layers.ContainsKey(from) ? to : from)}/ has no layer: add it to ArchitectureTests.Layers ({from} -> {to} in {string.Join(", ", files)})");
            }
            else if (toLayer >= fromLayer)
            {
                problems.Add($"{from} (layer {fromLayer}) uses {to} (layer {toLayer}) in {string.Join(", ", files)}");
            }
        }

        Assert.True(problems.Count == 0, "Dependencies against the layering:\n" + string.Join("\n", problems));
    }

    [Fact]
    public void Each_folder_is_its_namespace()
    {
        var problems = new List<string>();
        foreach ((string file, string folder) in SourceFiles())
        {
            Match match = NamespaceDeclaration().Match(File.ReadAllText(file));
            if (!match.Success || match.Groups[1].Value != folder)
            {
                problems.Add($"{Relative(file)} declares namespace PresignGateway.{(match.Success ? match.Groups[1].Value : "?")}, not PresignGateway.{folder}");
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Theory]
    [InlineData("PresignGateway")]
    [InlineData("PresignGateway.Signing")]
    public void Each_file_declares_one_top_level_type(string project)
    {
        var problems = new List<string>();
        foreach (string file in Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, "src", project), "*.cs", SearchOption.AllDirectories).Where(IsSource))
        {
            // A top-level type starts at the beginning of a line in a file-scoped namespace; nested types are indented.
            string[] types = [.. TopLevelType().Matches(File.ReadAllText(file)).Select(m => m.Groups[1].Value)];
            if (types.Length > 1)
            {
                problems.Add($"{Relative(file)} declares {string.Join(", ", types)}: give each its own file");
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    /// <summary>Folder -> folder, with the files that make the dependency.</summary>
    private static Dictionary<(string From, string To), List<string>> Dependencies()
    {
        var edges = new Dictionary<(string, string), List<string>>();
        foreach ((string file, string folder) in SourceFiles())
        {
            string text = File.ReadAllText(file);
            var used = new HashSet<string>(StringComparer.Ordinal);
            foreach (Match match in UsingDirective().Matches(text).Concat(QualifiedName().Matches(text)))
            {
                used.Add(match.Groups[1].Value);
            }

            // The signing library is another project: the compiler already keeps it below everything here.
            used.Remove("Signing");
            used.Remove("Tests");
            used.Remove(folder);
            foreach (string target in used)
            {
                if (!edges.TryGetValue((folder, target), out List<string>? files))
                {
                    edges[(folder, target)] = files = [];
                }

                files.Add(Relative(file));
            }
        }

        return edges;
    }

    /// <summary>Every source file of the web host in a folder (Program.cs at the root is the composition root).</summary>
    private static IEnumerable<(string File, string Folder)> SourceFiles()
    {
        foreach (string file in Directory.EnumerateFiles(Gateway, "*.cs", SearchOption.AllDirectories).Where(IsSource))
        {
            string relative = Path.GetRelativePath(Gateway, file);
            int separator = relative.IndexOf(Path.DirectorySeparatorChar, StringComparison.Ordinal);
            if (separator > 0)
            {
                yield return (file, relative[..separator]);
            }
        }
    }

    private static bool IsSource(string file)
    {
        string[] parts = file.Split(Path.DirectorySeparatorChar);
        return !parts.Contains("obj") && !parts.Contains("bin");
    }

    private static string Relative(string file) => Path.GetRelativePath(RepositoryPaths.Root, file);

    [GeneratedRegex(@"^\s*using\s+(?:static\s+)?(?:\w+\s*=\s*)?PresignGateway\.(\w+)", RegexOptions.Multiline)]
    private static partial Regex UsingDirective();

    [GeneratedRegex(@"(?<![\w.])PresignGateway\.(\w+)\.")]
    private static partial Regex QualifiedName();

    [GeneratedRegex(@"^namespace\s+PresignGateway\.(\w+)\s*;", RegexOptions.Multiline)]
    private static partial Regex NamespaceDeclaration();

    [GeneratedRegex(@"^(?:(?:public|internal|file|static|sealed|abstract|partial|readonly|ref|unsafe)\s+)*(?:class|record|struct|interface|enum)\s+(\w+)", RegexOptions.Multiline)]
    private static partial Regex TopLevelType();
}
