using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Juggle.Cli.Tests;

/// <summary>
/// A loopback HTTP/1.1 server written on a bare socket, for answers Kestrel refuses to send: control characters in
/// a reason phrase or in a Content-Disposition file name. Each connection gets one response, chosen by path.
/// </summary>
internal sealed class RawHttpServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<string, byte[]> _respond;
    private readonly CancellationTokenSource _stop = new();

    public RawHttpServer(Func<string, byte[]> respond)
    {
        _respond = respond;
        _listener.Start();
        _ = Task.Run(AcceptLoop);
    }

    public string Url(string path) => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}{path}";

    /// <summary>A full response: status line with <paramref name="reason"/>, <paramref name="headers"/> (raw lines), body.</summary>
    public static byte[] Response(int status, string reason, string headers, byte[] body) =>
        [.. Encoding.UTF8.GetBytes($"HTTP/1.1 {status} {reason}\r\n{headers}Content-Length: {body.Length}\r\nConnection: close\r\n\r\n"), .. body];

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _stop.Dispose();
    }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                using (socket)
                {
                    var buffer = new byte[8192];
                    var length = 0;
                    while (length < buffer.Length)
                    {
                        var read = await socket.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None);
                        if (read == 0)
                        {
                            return;
                        }

                        length += read;
                        if (buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8) >= 0)
                        {
                            break;
                        }
                    }

                    var path = Encoding.ASCII.GetString(buffer, 0, length).Split(' ')[1];
                    await socket.SendAsync(_respond(path), SocketFlags.None);
                    socket.Shutdown(SocketShutdown.Send);
                }
            });
        }
    }
}
