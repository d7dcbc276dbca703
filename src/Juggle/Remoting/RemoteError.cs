namespace Juggle.Remoting;

/// <summary>An exception thrown on the other side of the channel, as data: never re-thrown from type names on the wire alone.</summary>
internal sealed record RemoteError(string TypeName, string? AssemblyName, string Message, string? StackTrace, string Details)
{
    /// <summary>
    /// Captures <paramref name="exception"/>; every member read is guarded, so an exception type whose
    /// <see cref="Exception.Message"/>, <see cref="Exception.StackTrace"/> or <see cref="Exception.ToString"/> throws
    /// still comes back as an error (naming what could not be read) instead of crashing the worker.
    /// <paramref name="context"/>, when given, is put before the message (what failed: "The result of F could not be sent back").
    /// </summary>
    public static RemoteError From(Exception exception, string? context = null)
    {
        var type = exception.GetType();
        var message = context is null ? Frames.SafeMessage(exception) : $"{context}: {Frames.ExplainJsonFailure(exception)}";
        string? stackTrace;
        try
        {
            stackTrace = exception.StackTrace;
        }
#pragma warning disable CA1031 // A user exception type's broken getter must not crash the worker.
        catch (Exception ex)
        {
            stackTrace = $"(the stack trace could not be read: the StackTrace getter of {type.FullName} threw {ex.GetType().FullName})";
        }

        string details;
        try
        {
            details = exception.ToString();
        }
        catch (Exception ex)
        {
            details = $"{type.FullName}: {message}{Environment.NewLine}(ToString() threw {ex.GetType().FullName}){Environment.NewLine}{stackTrace}";
        }
#pragma warning restore CA1031

        if (context is not null)
        {
            details = $"{context}:{Environment.NewLine}{details}";
        }

        return new(type.FullName ?? type.Name, type.Assembly.GetName().Name, message, stackTrace, details);
    }

    /// <summary>The same error with each text cut to <paramref name="maxChars"/> characters (saying how much was cut).</summary>
    public RemoteError Shortened(int maxChars) => this with
    {
        Message = Cut(Message, maxChars),
        StackTrace = StackTrace is null ? null : Cut(StackTrace, maxChars),
        Details = Cut(Details, maxChars),
    };

    public static RemoteError Read(ref FrameParser parser) => new(
        parser.ReadRequiredString("error type name"),
        parser.ReadString(),
        parser.ReadString() ?? string.Empty,
        parser.ReadString(),
        parser.ReadString() ?? string.Empty);

    private static string Cut(string text, int maxChars) =>
        text.Length <= maxChars ? text : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{text.AsSpan(0, maxChars)}… ({text.Length - maxChars:N0} more characters cut: the error was larger than a message between processes may be)");

    public void Write(FrameBuilder builder) =>
        builder.WriteString(TypeName).WriteString(AssemblyName).WriteString(Message).WriteString(StackTrace).WriteString(Details);
}
