using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Juggle.Cli.Reporting;

/// <summary>
/// Formats one JSON object per line (JSON Lines), keeping non-ASCII text readable; control characters and
/// bidirectional overrides are escaped (<see cref="TerminalText.EscapeJson"/>), so a line never acts on a terminal.
/// </summary>
internal static class JsonLines
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Format(Action<Utf8JsonWriter> writeProperties)
    {
        ArgumentNullException.ThrowIfNull(writeProperties);
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            json.WriteStartObject();
            writeProperties(json);
            json.WriteEndObject();
        }

        return TerminalText.EscapeJson(Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    public static void WriteNullableString(this Utf8JsonWriter json, string name, string? value)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }
}
