using System.Globalization;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Juggle.RabbitMQ.Internal;

/// <summary>Connecting to the broker: the URI (given or from <c>JUGGLE_BROKER</c>), TLS, heartbeats, recovery, and keeping credentials out of every message.</summary>
internal static class BrokerUri
{
    /// <summary>The broker URI: <paramref name="given"/>, else the <c>JUGGLE_BROKER</c> environment variable; throws naming both.</summary>
    public static Uri Resolve(Uri? given, string optionName)
    {
        if (given is not null)
        {
            Validate(given, optionName);
            return given;
        }

        var fromEnvironment = Environment.GetEnvironmentVariable(Wire.BrokerVariable);
        if (string.IsNullOrWhiteSpace(fromEnvironment))
        {
            throw new ArgumentException($"No broker given: set {optionName} (for example amqp://user:password@host:5672/vhost) or the {Wire.BrokerVariable} environment variable.", optionName);
        }

        if (!Uri.TryCreate(fromEnvironment.Trim(), UriKind.Absolute, out var parsed))
        {
            throw new ArgumentException($"The {Wire.BrokerVariable} environment variable is not an absolute URI (expected amqp://user:password@host:5672/vhost).", optionName);
        }

        Validate(parsed, Wire.BrokerVariable);
        return parsed;
    }

    /// <summary>The URI with its password replaced by <c>***</c>: the only form of it that is ever logged or put in a message.</summary>
    public static string Redact(Uri uri)
    {
        var builder = new UriBuilder(uri);
        if (!string.IsNullOrEmpty(builder.Password))
        {
            builder.Password = "***";
        }

        if (builder.Uri.IsDefaultPort)
        {
            builder.Port = -1;
        }

        return builder.Uri.GetComponents(UriComponents.AbsoluteUri, UriFormat.SafeUnescaped);
    }

    /// <summary>Removes the URI's password (and its escaped form) from <paramref name="text"/>.</summary>
    public static string Scrub(string text, Uri uri)
    {
        var userInfo = uri.UserInfo;
        var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0 || colon == userInfo.Length - 1)
        {
            return text;
        }

        var escaped = userInfo[(colon + 1)..];
        var plain = Uri.UnescapeDataString(escaped);
        return text.Replace(escaped, "***", StringComparison.Ordinal).Replace(plain, "***", StringComparison.Ordinal);
    }

    public static ConnectionFactory CreateFactory(Uri uri, SslOption? tls, TimeSpan heartbeat, TimeSpan connectTimeout, string clientName)
    {
        var factory = new ConnectionFactory
        {
            Uri = uri,
            ClientProvidedName = clientName,
            AutomaticRecoveryEnabled = true,
            TopologyRecoveryEnabled = true,
            NetworkRecoveryInterval = TimeSpan.FromSeconds(1),
            RequestedHeartbeat = heartbeat,
            RequestedConnectionTimeout = connectTimeout,
            SocketReadTimeout = connectTimeout,
            SocketWriteTimeout = connectTimeout,
            ContinuationTimeout = connectTimeout,
            HandshakeContinuationTimeout = connectTimeout,
        };
        if (tls is not null)
        {
            factory.Ssl = tls;
            if (string.IsNullOrEmpty(tls.ServerName))
            {
                tls.ServerName = uri.Host;
            }
        }

        return factory;
    }

    /// <summary>Connects, or throws <see cref="BrokerConnectionException"/> with a redacted reason within the connect timeout.</summary>
    public static async Task<IConnection> ConnectAsync(ConnectionFactory factory, Uri uri, TimeSpan connectTimeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(connectTimeout + connectTimeout);
        var connecting = factory.CreateConnectionAsync(deadline.Token);
        try
        {
            // The client library does not look at the token in every step of the handshake: a stop (SIGTERM while
            // a worker starts) must not wait for it. A connection that still opens afterwards is closed.
            return await connecting.WaitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!connecting.IsCompleted)
        {
            _ = connecting.ContinueWith(
                static t =>
                {
                    if (t.IsCompletedSuccessfully)
                    {
                        t.Result.Dispose();
                    }
                    else
                    {
                        _ = t.Exception; // observed: nobody waits for it any more
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            throw new BrokerConnectionException(Redact(uri), Describe(new TimeoutException(), connectTimeout));
        }
        catch (Exception ex) when (ex is BrokerUnreachableException or OperationInterruptedException or IOException or System.Net.Sockets.SocketException or OperationCanceledException or TimeoutException or AuthenticationFailureException or ConnectFailureException)
        {
            if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            throw new BrokerConnectionException(Redact(uri), Scrub(Describe(ex, connectTimeout), uri));
        }
    }

    private static string Describe(Exception exception, TimeSpan timeout)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is AuthenticationFailureException or PossibleAuthenticationFailureException)
            {
                return "the broker refused the credentials (check the user name and password in the URI or JUGGLE_BROKER, and that the user may use the virtual host)";
            }

            if (e is OperationInterruptedException { ShutdownReason: { } reason } && reason.ReplyCode == 530)
            {
                return $"the broker refused access to the virtual host ({reason.ReplyText})";
            }

            if (e is System.Security.Authentication.AuthenticationException)
            {
                return $"TLS: the broker's certificate is not trusted or does not match the host name ({e.Message}); trust its certificate authority with Tls = BrokerTls.TrustCertificateAuthority(\"ca.pem\") (juggle worker --tls-ca ca.pem)";
            }
        }

        if (exception is OperationCanceledException or TimeoutException)
        {
            return string.Create(CultureInfo.InvariantCulture, $"no answer within {timeout.TotalSeconds:0.#} s");
        }

        var root = exception;
        while (root.InnerException is not null)
        {
            root = root.InnerException;
        }

        return $"{root.GetType().Name}: {root.Message}";
    }

    private static void Validate(Uri uri, string optionName)
    {
        if (!uri.IsAbsoluteUri || (uri.Scheme != "amqp" && uri.Scheme != "amqps"))
        {
            throw new ArgumentException($"{optionName} must be an amqp:// or amqps:// URI (for example amqp://user:password@host:5672/vhost), not '{(uri.IsAbsoluteUri ? Redact(uri) : "a relative URI")}'.", optionName);
        }
    }
}
