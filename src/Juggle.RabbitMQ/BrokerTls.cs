using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using RabbitMQ.Client;

namespace Juggle.RabbitMQ;

/// <summary>
/// TLS settings for <c>amqps://</c> brokers whose certificate is signed by your own certificate authority (a private
/// CA, a self-signed one): the broker's certificate must chain to that CA and match the host name, nothing else is
/// trusted for it. Use the result as <see cref="RabbitMqExecutorOptions.Tls"/> or <see cref="RabbitMqWorkerOptions.Tls"/>.
/// </summary>
public static class BrokerTls
{
    /// <summary>
    /// TLS that trusts the certificate authority in <paramref name="caCertificatePath"/> (PEM or DER) for the broker.
    /// <paramref name="serverName"/> is the name the broker's certificate must carry (default: the URI's host).
    /// </summary>
    /// <exception cref="ArgumentException">The file does not exist or holds no certificate.</exception>
    public static SslOption TrustCertificateAuthority(string caCertificatePath, string? serverName = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(caCertificatePath);
        return TrustCertificateAuthorityCore(caCertificatePath, serverName);
    }

    private static SslOption TrustCertificateAuthorityCore(string caCertificatePath, string? serverName)
    {
        X509Certificate2 authority;
        try
        {
            authority = X509CertificateLoader.LoadCertificateFromFile(caCertificatePath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new ArgumentException($"Cannot read a CA certificate (PEM or DER) from '{caCertificatePath}': {ex.Message}", nameof(caCertificatePath), ex);
        }

        return new SslOption
        {
            Enabled = true,
            ServerName = serverName ?? string.Empty,
            CertificateValidationCallback = (_, certificate, _, errors) => Validate(authority, certificate, errors),
        };
    }

    private static bool Validate(X509Certificate2 authority, X509Certificate? certificate, SslPolicyErrors errors)
    {
        // A wrong host name or no certificate fails whatever the chain; an unknown root is what this CA settles.
        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var server = new X509Certificate2(certificate);
        return chain.Build(server);
    }
}
