using Juggle.Cli.Http;

namespace Juggle.Cli.Input;

/// <summary>
/// Reads URLs lazily: first the command-line arguments, then the lines of <c>-i FILE</c> (or stdin for <c>-</c>),
/// one at a time, so a 100,000-line file streams. Blank lines and <c>#</c> comments are skipped; malformed lines
/// are yielded with an error naming their line number so they show up as failed items.
/// </summary>
internal static class UrlSource
{
    /// <summary>Checks the inputs up front (a missing file is a usage error, not a failed item) and returns the lazy stream.</summary>
    /// <param name="args">URLs given as arguments.</param>
    /// <param name="inputFile">The file of URLs, "-" for stdin, or null.</param>
    /// <param name="stdin">Standard input, asked for only when <paramref name="inputFile"/> is "-".</param>
    /// <param name="option">The option that named <paramref name="inputFile"/>, for errors.</param>
    public static IEnumerable<UrlLine> Open(IReadOnlyList<string> args, string? inputFile, Func<TextReader> stdin, string option = "--input")
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Count == 0 && inputFile is null)
        {
            throw new UsageException("no URLs: give them as arguments or with -i FILE (one per line; -i - reads stdin).");
        }

        if (inputFile is not null && inputFile != "-" && !File.Exists(inputFile))
        {
            throw new UsageException(Directory.Exists(inputFile)
                ? $"{option} '{inputFile}' is a folder; give a file with one URL per line{(option == "--input" ? ", or -i - for stdin" : "")}."
                : $"{option}: input file not found: '{inputFile}'. Give a file with one URL per line{(option == "--input" ? ", or -i - for stdin" : "")}.");
        }

        return Read(args, inputFile, stdin);
    }

    private static IEnumerable<UrlLine> Read(IReadOnlyList<string> args, string? inputFile, Func<TextReader> stdin)
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

        var reader = inputFile == "-" ? stdin() : new StreamReader(inputFile, detectEncodingFromByteOrderMarks: true);
        try
        {
            long number = 0;
            var line = new System.Text.StringBuilder();
            while (ReadLine(reader, line) is var state and not LineState.End)
            {
                number++;
                if (state == LineState.TooLong)
                {
                    // No URL is this long: a binary file or a device (-i /dev/zero) would be read forever. Stop here.
                    yield return new UrlLine(number, Shorten(line.ToString()), $"line {number}: longer than {MaxLineChars} characters; this does not look like a list of URLs, so the rest of '{inputFile}' is not read");
                    yield break;
                }

                if (Parse(number, line.ToString(), "line") is { } url)
                {
                    yield return url;
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

    /// <summary>The longest input line read; no browser takes a longer URL.</summary>
    public const int MaxLineChars = 64 * 1024;

    private enum LineState
    {
        Line,
        TooLong,
        End,
    }

    /// <summary>Reads one line into <paramref name="line"/>, never more than <see cref="MaxLineChars"/> characters of it.</summary>
    private static LineState ReadLine(TextReader reader, System.Text.StringBuilder line)
    {
        line.Clear();
        int c;
        while ((c = reader.Read()) >= 0)
        {
            if (c == '\n')
            {
                return LineState.Line;
            }

            if (line.Length >= MaxLineChars)
            {
                return LineState.TooLong;
            }

            line.Append((char)c);
        }

        return line.Length > 0 ? LineState.Line : LineState.End;
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

        if (!HttpUrl.IsHttp(uri))
        {
            return new UrlLine(number, text, $"{kind} {number}: unsupported scheme '{uri.Scheme}' (only http and https)");
        }

        return new UrlLine(number, text, null);
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "...";
}
