namespace Juggle.RabbitMQ;

/// <summary>The broker could not be reached or refused the connection. The message never contains a password.</summary>
public sealed class BrokerConnectionException : Exception
{
    /// <summary>Creates the exception.</summary>
    public BrokerConnectionException()
        : base("Could not connect to the broker.")
    {
        Broker = string.Empty;
    }

    /// <summary>Creates the exception with a message.</summary>
    public BrokerConnectionException(string message)
        : base(message)
    {
        Broker = string.Empty;
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public BrokerConnectionException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Broker = string.Empty;
    }

    /// <summary>Creates the exception for <paramref name="broker"/> (already redacted) and the reason.</summary>
    public BrokerConnectionException(string broker, string reason, Exception? innerException = null)
        : base($"Could not connect to the broker at {broker}: {reason}.", innerException)
    {
        Broker = broker;
    }

    /// <summary>The broker URI with its password replaced by <c>***</c>.</summary>
    public string Broker { get; }
}
