using System.IO.Enumeration;

namespace Juggle.Cli.Workloads;

/// <summary>
/// Finds the files matching a pattern under a folder for <c>words</c>. Symbolic links are followed, but every
/// folder and file is visited once (by its resolved path), so a link loop ends and a file reached through two
/// links counts once. A folder that cannot be read, a broken link, a FIFO, device or socket is an item of its own
/// with its error; the rest of the walk goes on.
/// </summary>
internal static class TextFileFinder
{
    /// <summary>Deeper than this is a link chain gone wrong, not a library of books.</summary>
    public const int MaxDepth = 100;

    /// <summary>
    /// Adds the files under <paramref name="folder"/> matching <paramref name="pattern"/> to <paramref name="files"/>
    /// (in ordinal order of their paths) and whatever could not be read to <paramref name="failures"/>.
    /// <paramref name="seen"/> holds the resolved paths already taken, across inputs.
    /// </summary>
    public static void Find(string folder, string pattern, List<WordsFile> files, List<FileCount> failures, HashSet<string> seen)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(failures);
        ArgumentNullException.ThrowIfNull(seen);
        var found = new List<WordsFile>();
        var visited = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<(string Shown, string Real, int Depth)>();
        if (Resolve(new DirectoryInfo(folder), failures, folder) is { } root)
        {
            pending.Push((folder, root, 0));
        }

        var options = new EnumerationOptions { RecurseSubdirectories = false, IgnoreInaccessible = false, AttributesToSkip = 0, ReturnSpecialDirectories = false };
        var ignoreCase = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS();
        while (pending.Count > 0)
        {
            var (shown, real, depth) = pending.Pop();
            if (!visited.Add(real))
            {
                continue;
            }

            List<FileSystemInfo> entries;
            try
            {
                entries = new DirectoryInfo(real).EnumerateFileSystemInfos("*", options).OrderBy(e => e.Name, StringComparer.Ordinal).ToList();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.SecurityException)
            {
                failures.Add(FileCount.Failed(shown, $"cannot read folder: {ex.Message}"));
                continue;
            }

            var folders = new List<(string, string, int)>();
            foreach (var entry in entries)
            {
                var path = Path.Join(shown, entry.Name);
                if (entry is DirectoryInfo)
                {
                    if (Resolve(entry, failures, path) is not { } target)
                    {
                        continue;
                    }

                    if (depth + 1 > MaxDepth)
                    {
                        failures.Add(FileCount.Failed(path, $"folders nested deeper than {MaxDepth} levels; not searched"));
                        continue;
                    }

                    folders.Add((path, target, depth + 1));
                }
                else if (FileSystemName.MatchesSimpleExpression(pattern, entry.Name, ignoreCase))
                {
                    if (Resolve(entry, failures, path) is not { } target || !seen.Add(target))
                    {
                        continue;
                    }

                    if (entry.LinkTarget is not null && !File.Exists(target))
                    {
                        failures.Add(FileCount.Failed(path, $"broken symbolic link to '{entry.LinkTarget}'"));
                    }
                    else if (FileKind.DescribeIfNotRegular(target) is { } kind)
                    {
                        // Reading a FIFO would wait for a writer forever, a device may never end: only files are searched.
                        failures.Add(FileCount.Failed(path, $"skipped: {kind}, not a regular file"));
                    }
                    else
                    {
                        found.Add(new WordsFile(path, target));
                    }
                }
            }

            // Depth first, in name order.
            for (var i = folders.Count - 1; i >= 0; i--)
            {
                pending.Push(folders[i]);
            }
        }

        files.AddRange(found.OrderBy(f => f.Source, StringComparer.Ordinal));
    }

    /// <summary>The path behind <paramref name="entry"/> with every link followed, or null (and a failure) when a link can't be followed.</summary>
    private static string? Resolve(FileSystemInfo entry, List<FileCount> failures, string shown)
    {
        try
        {
            return entry.LinkTarget is null ? Path.GetFullPath(entry.FullName) : Path.GetFullPath((entry.ResolveLinkTarget(returnFinalTarget: true) ?? entry).FullName);
        }
        catch (IOException ex)
        {
            // A link loop (a -> b -> a): "too many levels of symbolic links".
            failures.Add(FileCount.Failed(shown, $"cannot follow symbolic link: {ex.Message}"));
            return null;
        }
    }
}
