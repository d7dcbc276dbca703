namespace Juggle.Cli.Html;

/// <summary>Whitespace handling for extracted text.</summary>
internal static class TextTidy
{
    /// <summary>
    /// Collapses runs of whitespace (including non-breaking spaces and newlines: <see cref="char.IsWhiteSpace(char)"/>,
    /// the same set as the regex <c>\s</c>) to one space and trims. Returns the input itself when it is already tidy.
    /// </summary>
    public static string Collapse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tidy = true;
        for (var i = 0; i < text.Length && tidy; i++)
        {
            if (char.IsWhiteSpace(text[i]))
            {
                tidy = text[i] == ' ' && i > 0 && i < text.Length - 1 && !char.IsWhiteSpace(text[i + 1]);
            }
        }

        if (tidy)
        {
            return text;
        }

        var builder = new System.Text.StringBuilder(text.Length);
        var pendingSpace = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = builder.Length > 0;
                continue;
            }

            if (pendingSpace)
            {
                builder.Append(' ');
                pendingSpace = false;
            }

            builder.Append(c);
        }

        return builder.ToString();
    }
}
