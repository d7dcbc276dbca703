namespace Juggle.Remoting;

/// <summary>An exception thrown on the other side of the channel, as data: never re-thrown from type names on the wire alone.</summary>
internal sealed record RemoteError(string TypeName, string? AssemblyName, string Message, string? StackTrace, string Details)
{
    public static RemoteError From(Exception exception) => new(
        exception.GetType().FullName ?? exception.GetType().Name,
        exception.GetType().Assembly.GetName().Name,
        exception.Message,
        exception.StackTrace,
        exception.ToString());

    public static RemoteError Read(ref FrameParser parser) => new(
        parser.ReadRequiredString("error type name"),
        parser.ReadString(),
        parser.ReadString() ?? string.Empty,
        parser.ReadString(),
        parser.ReadString() ?? string.Empty);

    public void Write(FrameBuilder builder) =>
        builder.WriteString(TypeName).WriteString(AssemblyName).WriteString(Message).WriteString(StackTrace).WriteString(Details);
}
