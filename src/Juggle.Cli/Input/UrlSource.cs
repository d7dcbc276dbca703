namespace Juggle.Cli.Input;

/// <summary>
/// Reads URLs lazily: first the command-line arguments, then the lines of <c>-i FILE</c> (or stdin for <c>-</c>),
/// one at a time, so a 100,000-line file streams. Blank lines and <c>#</c> comments are skipped; malformed lines
/// are yielded with an error naming their line number so they show up as failed items.
/// </summary>
internal static class UrlSource
{
    /// <summary>Checks the inputs up front (a missing file is a usage error, not a failed item) and returns the lazy stream.</summary>
    public static IEnumerable<UrlLine> Open(IReadOnlyList<string> args, string? inputFile, TextReader stdin)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Count == 0 && inputFile is null)
        {
            throw new UsageException("no URLs: give them as arguments or with -i FILE (one per line; -i - reads stdin).");
        }

        if (inputFile is not null && inputFile != "-" && !File.Exists(inputFile))
        {
            throw new UsageException($"input file not found: '{inputFile}'. Give a file with one URL per line, or -i - for stdin.");
        }

        return Read(args, inputFile, stdin);
    }

    private static IEnumerable<UrlLine> Read(IReadOnlyList<string> args, string? inputFile, TextReader stdin)
    {
        for (var i = 0; i < args.Count; i++)
        {
            if (Parse(i + 1, args[i], "argument") is { } line)
            {
                yield return line;
            }
        }

        if (inputFile is null)
        {
            yield break;
        }

        var reader = inputFile == "-" ? stdin : new StreamReader(inputFile, detectEncodingFromByteOrderMarks: true);
        try
        {
            long number = 0;
            while (reader.ReadLine() is { } text)
            {
                number++;
                if (Parse(number, text, "line") is { } line)
                {
                    yield return line;
                }
            }
        }
        finally
        {
            if (!ReferenceEquals(reader, stdin))
            {
                reader.Dispose();
            }
        }
    }

    /// <summary>Null for blank lines and comments; otherwise the URL or an error naming the line.</summary>
    public static UrlLine? Parse(long number, string raw, string kind = "line")
    {
        ArgumentNullException.ThrowIfNull(raw);
        var text = raw.Trim();
        if (text.Length == 0 || text.StartsWith('#'))
        {
            return null;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.IsFile || uri.IsUnc)
        {
            return new UrlLine(number, text, $"{kind} {number}: not a URL: '{Shorten(text)}' (expected http://... or https://...)");
        }

        if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
        {
            return new UrlLine(number, text, $"{kind} {number}: unsupported scheme '{uri.Scheme}' (only http and https)");
        }

        return new UrlLine(number, text, null);
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "...";
}
