namespace Juggle.Remoting;

/// <summary>A frame or message on the wire is malformed: truncated, oversized, or with fields out of range.</summary>
internal sealed class FrameException : IOException
{
    public FrameException(string message)
        : base(message)
    {
    }

    public FrameException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
