using System.Net;
using System.Net.Sockets;
using System.Text;
using Juggle.Cli.Commands;
using Juggle.Cli.Html;
using Juggle.Cli.Running;

namespace Juggle.Cli.Http;

/// <summary>
/// Start-up work for <c>juggle titles</c>, on a background thread while the main thread parses the command line:
/// one real fetch through the same code as the workers' (<see cref="HttpFactory"/>'s handler and retry pipeline,
/// <see cref="PageFetcher"/>, the title scanner, the JSON Lines writer), against a throwaway server on a loopback
/// socket of this process. Nothing is sent to the user's URLs and nothing is printed; its only effect is that the
/// methods the framework-dependent ReadyToRun build can't precompile (generic instantiations over HTTP-stack types,
/// about 200 of them) are JIT-compiled once, on the otherwise idle core, instead of by the first wave of workers all
/// waiting for the same compilations. Best effort: any failure is ignored. <c>JUGGLE_NO_WARMUP=1</c> turns it off.
/// </summary>
internal static class HttpWarmUp
{
    private const string Body = "<!doctype html><html><head><title>warm &#8211; up</title></head><body></body></html>";

    /// <summary>Starts the warm-up when the command is <c>titles</c>; returns without waiting.</summary>
    public static void StartFor(string[] args)
    {
        if (ShouldStart(args))
        {
            new Thread(() => RunOnce()) { IsBackground = true, Name = "warm-up" }.Start();
        }
    }

    // A native build has nothing to JIT-compile: the warm-up would only cost a thread and a loopback server.
    internal static bool ShouldStart(string[] args) =>
        args.Length > 0 && args[0] == "titles" && !Native.NativeBuild.IsNative && Environment.GetEnvironmentVariable("JUGGLE_NO_WARMUP") is not "1";

    /// <summary>The warm-up itself: one fetch from a throwaway loopback server. Its result (null on failure) is for tests.</summary>
    internal static PageResult? RunOnce()
    {
        try
        {
            using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen(1);
            var port = ((IPEndPoint)listener.LocalEndPoint!).Port;
            new Thread(() => Serve(listener)) { IsBackground = true, Name = "warm-up server" }.Start();

            // The default run: thread workers, blocking connects.
            var settings = new HttpSettings { BlockingConnect = true };
            using var client = HttpFactory.CreateClient(HttpFactory.CreateHandler(settings), settings);
            var query = PageQuery.Create(null, 1_000_000);
            var fetcher = new PageFetcher(client, new Retrier(settings), settings, query);
            var result = fetcher.Fetch(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}/page/1"), CancellationToken.None);
            _ = TitlesCommand.JsonLine(new TaskRecord<PageResult>(0, result, "warm-up", 0, 0), query);
            return result;
        }
        catch (Exception)
        {
            // Best effort: the real run compiles whatever this did not.
            return null;
        }
    }

    /// <summary>Answers one request like the demo server (Kestrel) does, then waits for the client to hang up.</summary>
    private static void Serve(Socket listener)
    {
        try
        {
            using var socket = listener.Accept();
            var buffer = new byte[4096];
            var length = 0;
            while (length < buffer.Length)
            {
                var read = socket.Receive(buffer, length, buffer.Length - length, SocketFlags.None);
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

            var body = Encoding.UTF8.GetBytes(Body);
            var head = Encoding.ASCII.GetBytes(string.Create(
                System.Globalization.CultureInfo.InvariantCulture,
                $"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\nContent-Type: text/html; charset=utf-8\r\nDate: {DateTime.UtcNow:R}\r\nServer: Kestrel\r\n\r\n"));
            socket.Send(head);
            socket.Send(body);
            while (socket.Receive(buffer) > 0)
            {
            }
        }
        catch (Exception)
        {
            // The client went away: nothing to do.
        }
    }
}
