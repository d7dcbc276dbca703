namespace Juggle;

/// <summary>
/// A task in another process threw an exception whose type cannot safely be recreated here; carries the remote
/// type's name, message and stack trace (Python's remote traceback).
/// </summary>
public sealed class RemoteException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RemoteException()
        : base("A task failed in a worker process.")
    {
        RemoteType = string.Empty;
        RemoteMessage = string.Empty;
    }

    /// <summary>Creates the exception with a message.</summary>
    public RemoteException(string message)
        : base(message)
    {
        RemoteType = string.Empty;
        RemoteMessage = message;
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public RemoteException(string message, Exception? innerException)
        : base(message, innerException)
    {
        RemoteType = string.Empty;
        RemoteMessage = message;
    }

    /// <summary>Creates the exception from the remote exception's type name, message and stack trace.</summary>
    public RemoteException(string remoteType, string remoteMessage, string? remoteStackTrace)
        : base($"{remoteType}: {remoteMessage}")
    {
        RemoteType = remoteType;
        RemoteMessage = remoteMessage;
        RemoteStackTrace = remoteStackTrace;
    }

    /// <summary>The full name of the exception type thrown in the worker.</summary>
    public string RemoteType { get; }

    /// <summary>The remote exception's message.</summary>
    public string RemoteMessage { get; }

    /// <summary>The remote exception's stack trace (with inner exceptions), as text.</summary>
    public string? RemoteStackTrace { get; }

    /// <inheritdoc/>
    public override string ToString() => RemoteStackTrace is null ? base.ToString() : $"{base.ToString()}{Environment.NewLine}--- Remote stack trace ---{Environment.NewLine}{RemoteStackTrace}";
}
