using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Juggle.Cli.Http;

namespace Juggle.Cli.Tests;

public sealed partial class BlockingConnectTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    /// <summary>Whether the kernel socket is in non-blocking mode (<see cref="Socket.Blocking"/> only reports what was asked for).</summary>
    private static bool IsNonBlocking(Socket socket)
    {
        const int F_GETFL = 3, O_NONBLOCK = 0x800; // Linux
        var flags = Fcntl(socket.Handle, F_GETFL);
        Assert.NotEqual(-1, flags);
        return (flags & O_NONBLOCK) != 0;
    }

    [LibraryImport("libc", EntryPoint = "fcntl")]
    private static partial int Fcntl(nint fd, int command);

    [Fact]
    public async Task Connects_and_leaves_the_socket_blocking()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var port = ((IPEndPoint)listener.LocalEndPoint!).Port;

        await using var stream = (NetworkStream)await HttpFactory.ConnectBlockingAsync(new DnsEndPoint("127.0.0.1", port), CancellationToken.None).AsTask().WaitAsync(Guard);
        using var accepted = await listener.AcceptAsync().WaitAsync(Guard);

        Assert.True(stream.Socket.Connected);
        Assert.False(IsNonBlocking(stream.Socket));
        Assert.True(stream.Socket.NoDelay);

        // What the handler's own connect leaves behind: a socket that emulates every blocking call.
        using var asyncConnected = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await asyncConnected.ConnectAsync(listener.LocalEndPoint!).WaitAsync(Guard);
        Assert.True(IsNonBlocking(asyncConnected));
    }

    [Fact]
    public async Task A_refused_connection_is_a_socket_error()
    {
        var refused = new Uri(ServerFixture.RefusedUrl());

        var ex = await Assert.ThrowsAsync<SocketException>(() => HttpFactory.ConnectBlockingAsync(new DnsEndPoint(refused.Host, refused.Port), CancellationToken.None).AsTask().WaitAsync(Guard));

        Assert.Equal(SocketError.ConnectionRefused, ex.SocketErrorCode);
    }

    [Fact]
    public async Task Cancellation_ends_a_connect_that_hangs()
    {
        // A listener with a full accept queue drops further SYNs, so the next connect hangs (the kernel keeps retrying).
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(0);
        var endPoint = new DnsEndPoint("127.0.0.1", ((IPEndPoint)listener.LocalEndPoint!).Port);
        using var queued = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await queued.ConnectAsync(listener.LocalEndPoint!).WaitAsync(Guard);

        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var connect = HttpFactory.ConnectBlockingAsync(endPoint, cts.Token).AsTask();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => connect.WaitAsync(Guard));
    }

    [Fact]
    public async Task A_blocking_connect_handler_fetches_pages_and_reports_refusals()
    {
        var settings = new HttpSettings { BlockingConnect = true, Retries = 0 };
        using var client = HttpFactory.CreateClient(HttpFactory.CreateHandler(settings), settings);

        var page = await Task.Run(() =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, server.Url("page/3"));
            using var response = client.Send(request);
            return new StreamReader(response.Content.ReadAsStream()).ReadToEnd();
        }).WaitAsync(Guard);
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(ServerFixture.RefusedUrl()).WaitAsync(Guard));

        Assert.Contains("<title>Page 3", page, StringComparison.Ordinal);
        Assert.Equal("connection refused", HttpFactory.Describe(refused, settings.Timeout));
    }
}
