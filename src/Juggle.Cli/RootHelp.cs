using System.Runtime.InteropServices;
using System.Text;

namespace Juggle.Cli;

/// <summary>
/// <c>juggle --help</c> (and <c>juggle</c> alone) written straight from the command outline, in System.CommandLine's
/// layout, before anything else starts. Building even the outline tree costs the native tool about a third of its
/// start-up: System.CommandLine's help option and headings come from its resource strings, and the first resource
/// lookup initialises the reflection metadata of the whole program. The text is the same, byte for byte, as the
/// library's own help of the full command tree at every width (a test compares them); any other help request
/// (<c>juggle titles --help</c>, <c>juggle --help titles</c>) still goes through System.CommandLine.
/// The path is kept lean for the same reason: the text goes to file descriptor 1 in one write without setting up
/// <see cref="Console"/> (whose first write starts terminal and signal handling, a thread included), and when stdout
/// is not a terminal (no wrapping) it is <see cref="Unwrapped"/>, already UTF-8: every code page and data page the
/// native tool touches for the first time is a page fault, and building the text cost about fifteen of them.
/// </summary>
internal static partial class RootHelp
{
    private const string Indent = "  ";

    // What the library's writers end lines with.
    private static readonly string NewLine = Environment.NewLine;

    // System.CommandLine's help and version options, as its help shows them (its English resources: the tool runs
    // with invariant globalization, so help is never localised).
    private static readonly (string First, string Second)[] s_options =
    [
        ("-?, -h, --help", "Show help and usage information"),
        ("--version", "Show version information"),
    ];

    /// <summary>
    /// <see cref="Render"/> at unlimited width (stdout redirected) with Unix line ends, as UTF-8. A test holds it equal to
    /// <see cref="Render"/>, which another holds equal to System.CommandLine's help: change a summary and the test
    /// gives the new text.
    /// </summary>
    internal static ReadOnlySpan<byte> Unwrapped =>
        "Description:\n"u8 +
        "  juggle: fetch titles, download, count words and benchmark sequential vs threads vs async vs processes, built on Juggle's executors.\n"u8 +
        "\n"u8 +
        "Usage:\n"u8 +
        "  juggle [command] [options]\n"u8 +
        "\n"u8 +
        "Options:\n"u8 +
        "  -?, -h, --help  Show help and usage information\n"u8 +
        "  --version       Show version information\n"u8 +
        "\n"u8 +
        "Commands:\n"u8 +
        "  demo                        Run the seeds' experiments offline against an embedded server and compare sequential, threads, async and processes\n"u8 +
        "  titles <URL>                Fetch pages and print their <title> (or --select CSS), one line per URL\n"u8 +
        "  bench <io|cpu|hash|primes>  Time one workload sequentially, with threads, async and processes; chart it and recommend what to use\n"u8 +
        "  download <URL>              Download URLs into a folder: streamed, renamed only when complete, existing files skipped\n"u8 +
        "  words <FILE|DIR|URL>        Count words in files, folders and downloaded URLs (seed 004): top N words and totals\n"u8 +
        "  serve                       Serve the demo pages, books and awkward test cases on 127.0.0.1 until Ctrl+C\n"u8 +
        "  worker                      Run a cluster worker node: take tasks from a RabbitMQ broker and run juggle's own [JuggleFunction] methods and those of the given assemblies\n"u8 +
        "  cluster                     A local cluster for the cluster executor (RabbitMQ)\n"u8 +
        "\n"u8;

    /// <summary>Whether <paramref name="args"/> asks for the root help alone: nothing, or one help option.</summary>
    public static bool IsRequest(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return args.Length == 0 || (args.Length == 1 && args[0] is "--help" or "-h" or "/h" or "-?" or "/?");
    }

    /// <summary>
    /// The width System.CommandLine wraps help at: unlimited when stdout is redirected, else the terminal's width.
    /// </summary>
    public static int ConsoleWidth()
    {
        try
        {
            return Console.IsOutputRedirected ? int.MaxValue : Console.WindowWidth;
        }
        catch (Exception)
        {
            return int.MaxValue;
        }
    }

    /// <summary>The root help text for a given wrapping width (as System.CommandLine's <c>HelpAction.MaxWidth</c>).</summary>
    public static string Render(int maxWidth)
    {
        if (maxWidth <= 0)
        {
            maxWidth = int.MaxValue;
        }

        var text = new StringBuilder(2560);
        Heading(text, "Description:", CliApp.RootDescription, maxWidth);
        text.Append(NewLine);
        Heading(text, "Usage:", $"{CliApp.RootName} [command] [options]", maxWidth);
        text.Append(NewLine);
        text.Append("Options:").Append(NewLine);
        Columns(text, s_options, maxWidth);
        text.Append(NewLine);
        text.Append("Commands:").Append(NewLine);
        var outline = CliApp.Outline;
        var commands = new (string First, string Second)[outline.Length];
        for (var i = 0; i < outline.Length; i++)
        {
            var (name, summary, label) = outline[i];
            commands[i] = (label is null ? name : $"{name} <{label}>", summary);
        }

        Columns(text, commands, maxWidth);
        text.Append(NewLine);
        return text.ToString();
    }

    /// <summary>Writes the root help to stdout in one write; 0, or 1 when stdout can't be written.</summary>
    public static int WriteToConsole()
    {
        try
        {
            if (!OperatingSystem.IsWindows() && TryWriteToDescriptor())
            {
                return ExitCodes.Success;
            }

            using var stdout = Console.OpenStandardOutput();
            stdout.Write(Encoding.UTF8.GetBytes(Render(ConsoleWidth())));
            return ExitCodes.Success;
        }
        catch (Exception ex)
        {
            // As CliApp reports a run that fails as a whole (here: stdout closed, a terminal too narrow to wrap in).
            Console.Error.WriteLine($"juggle: {Reporting.TerminalText.Clean(ex.Message)}");
            return ExitCodes.SomeFailed;
        }
    }

    // Unix (help lines end with \n): the help written straight to file descriptor 1, as the console stream would
    // (write(2) until all is out; a reader that has gone away is not an error). False when the runtime's native layer
    // can't be called, so the console stream writes it instead.
    private static unsafe bool TryWriteToDescriptor()
    {
        const int stdout = 1;
        const int brokenPipe = 32; // EPIPE on Linux and macOS
        ReadOnlySpan<byte> bytes;
        try
        {
            bytes = IsATty(stdout) == 0 ? Unwrapped : Encoding.UTF8.GetBytes(Render(ConsoleWidth()));
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }

        fixed (byte* start = bytes)
        {
            for (var written = 0; written < bytes.Length;)
            {
                var count = Write(stdout, start + written, bytes.Length - written);
                if (count < 0)
                {
                    var error = Marshal.GetLastPInvokeError();
                    if (error == brokenPipe)
                    {
                        return true;
                    }

                    throw new IOException(Marshal.GetPInvokeErrorMessage(error));
                }

                written += count;
            }
        }

        return true;
    }

    [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_IsATty")]
    private static partial int IsATty(nint fd);

    [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_Write", SetLastError = true)]
    private static unsafe partial int Write(nint fd, byte* buffer, int count);

    // HelpBuilder.WriteHeading: the heading, then the description wrapped at the width less the indent.
    private static void Heading(StringBuilder text, string heading, string description, int maxWidth)
    {
        text.Append(heading).Append(NewLine);
        foreach (var part in Wrap(description, maxWidth - Indent.Length))
        {
            text.Append(Indent).Append(part).Append(NewLine);
        }
    }

    // HelpBuilder.WriteColumns: two aligned columns; when both don't fit, the first takes at most half the width.
    private static void Columns(StringBuilder text, (string First, string Second)[] rows, int maxWidth)
    {
        var firstWidth = 0;
        var secondWidth = 0;
        foreach (var (first, second) in rows)
        {
            firstWidth = Math.Max(firstWidth, first.Length);
            secondWidth = Math.Max(secondWidth, second.Length);
        }

        if ((long)firstWidth + secondWidth + (Indent.Length * 2) > maxWidth)
        {
            var firstMax = (maxWidth / 2) - Indent.Length;
            if (firstWidth > firstMax)
            {
                firstWidth = 0;
                foreach (var (first, _) in rows)
                {
                    foreach (var part in Wrap(first, firstMax))
                    {
                        firstWidth = Math.Max(firstWidth, part.Length);
                    }
                }
            }

            secondWidth = maxWidth - firstWidth - (Indent.Length * 2);
        }

        foreach (var (first, second) in rows)
        {
            var firstParts = Wrap(first, firstWidth);
            var secondParts = Wrap(second, secondWidth);
            for (var i = 0; i < Math.Max(firstParts.Count, secondParts.Count); i++)
            {
                var left = i < firstParts.Count ? firstParts[i] : "";
                var right = i < secondParts.Count ? secondParts[i] : "";
                text.Append(Indent).Append(left);
                if (!string.IsNullOrWhiteSpace(right))
                {
                    text.Append(' ', Math.Max(0, firstWidth - left.Length)).Append(Indent).Append(right);
                }

                text.Append(NewLine);
            }
        }
    }

    // HelpBuilder.WrapText: existing line breaks kept; a longer line is cut after its last whitespace within the
    // width, or at the width when it has none.
    private static List<string> Wrap(string text, int maxWidth)
    {
        var lines = new List<string>();
        if (string.IsNullOrWhiteSpace(text))
        {
            return lines;
        }

        foreach (var part in text.Split(["\r\n", "\n"], StringSplitOptions.None))
        {
            if (part.Length <= maxWidth)
            {
                lines.Add(part);
                continue;
            }

            for (var i = 0; i < part.Length;)
            {
                if (part.Length - i < maxWidth)
                {
                    lines.Add(part[i..]);
                    break;
                }

                var length = -1;
                for (var j = 0; j + i < part.Length && j < maxWidth; j++)
                {
                    if (char.IsWhiteSpace(part[i + j]))
                    {
                        length = j + 1;
                    }
                }

                if (length == -1)
                {
                    length = maxWidth;
                }

                lines.Add(part.Substring(i, length));
                i += length;
            }
        }

        return lines;
    }
}
