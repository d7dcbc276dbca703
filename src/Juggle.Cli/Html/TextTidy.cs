using System.Text.RegularExpressions;

namespace Juggle.Cli.Html;

/// <summary>Whitespace handling for extracted text.</summary>
internal static partial class TextTidy
{
    /// <summary>Collapses runs of whitespace (including non-breaking spaces and newlines) to one space and trims.</summary>
    public static string Collapse(string text) => Whitespace().Replace(text, " ").Trim();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex Whitespace();
}
