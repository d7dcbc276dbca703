using System.Diagnostics;

namespace Juggle.RabbitMQ.Tests;

/// <summary>
/// A throw-away certificate authority and a server certificate it signed (for <c>localhost</c> and 127.0.0.1), made
/// with openssl at test time in a folder of the private node; plus a second, unrelated CA that must not be trusted.
/// </summary>
public sealed class TlsCertificates
{
    private TlsCertificates(string directory)
    {
        CaCertificate = Path.Combine(directory, "ca.pem");
        OtherCaCertificate = Path.Combine(directory, "other-ca.pem");
        ServerCertificate = Path.Combine(directory, "server.pem");
        ServerKey = Path.Combine(directory, "server.key");
    }

    public string CaCertificate { get; }

    public string OtherCaCertificate { get; }

    public string ServerCertificate { get; }

    public string ServerKey { get; }

    public static TlsCertificates Create(string directory)
    {
        Directory.CreateDirectory(directory);
        var files = new TlsCertificates(directory);
        File.WriteAllText(Path.Combine(directory, "server.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n");
        OpenSsl(directory, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "3", "-subj", "/CN=Juggle test CA");
        OpenSsl(directory, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "other-ca.key", "-out", "other-ca.pem", "-days", "3", "-subj", "/CN=Juggle test CA");
        OpenSsl(directory, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost");
        OpenSsl(directory, "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem", "-days", "3", "-extfile", "server.ext");
        return files;
    }

    private static void OpenSsl(string directory, params string[] arguments)
    {
        var info = new ProcessStartInfo("openssl") { WorkingDirectory = directory, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)) || process.ExitCode != 0)
        {
            throw new InvalidOperationException($"openssl {string.Join(' ', arguments)} failed: {error.Result}");
        }
    }
}
