using System.Globalization;
using System.Text;
using RabbitMQ.Client;

namespace Juggle.RabbitMQ.Internal;

/// <summary>
/// The names both sides agree on: queues, message types and headers. A task message's body is the process pool's
/// frames (a Define frame naming the function, then a Call or CallChunk frame). Claims, grants and answers travel in
/// batches (see <c>Wire.Batches.cs</c>): one message lists several tasks of one client.
/// </summary>
internal static partial class Wire
{
    /// <summary>The task queue both an executor and a worker use unless told otherwise.</summary>
    public const string DefaultQueueName = "juggle.tasks";

    /// <summary>The environment variable read for the broker URI when none is given.</summary>
    public const string BrokerVariable = "JUGGLE_BROKER";

    /// <summary>Bumped when the message layout changes; a worker rejects other versions.</summary>
    public const int Version = 3;

    // Message types (the AMQP "type" property).
    public const string Call = "juggle.call";
    public const string Claim = "juggle.claim";
    public const string Grant = "juggle.grant";
    public const string CancelRunning = "juggle.cancel";
    public const string Answer = "juggle.answer";

    // Headers.
    public const string VersionHeader = "juggle-version";
    public const string TaskHeader = "juggle-task";
    public const string ClaimHeader = "juggle-claim";
    public const string NodeHeader = "juggle-node";

    /// <summary>Claim header: how many tasks the claiming node runs at once (the executor sizes its envelopes by the slots it knows).</summary>
    public const string SlotsHeader = "juggle-slots";
    public const string RedeliveredHeader = "juggle-redelivered";
    public const string ControlHeader = "juggle-control";
    public const string TraceParentHeader = "traceparent";

    /// <summary>Where rejected (malformed, refused or oversized) task messages go: <c>{queue}.dead</c>.</summary>
    public static string DeadLetterQueue(string queue) => queue + ".dead";

    /// <summary>The task queue's arguments; both sides declare it identically (a queue's arguments cannot change once declared).</summary>
    public static Dictionary<string, object?> TaskQueueArguments(string queue) => new()
    {
        ["x-dead-letter-exchange"] = string.Empty,
        ["x-dead-letter-routing-key"] = DeadLetterQueue(queue),
    };

    /// <summary>Declares the durable task queue and its dead-letter queue.</summary>
    public static async Task DeclareTaskQueueAsync(IChannel channel, string queue, CancellationToken cancellationToken)
    {
        await channel.QueueDeclareAsync(DeadLetterQueue(queue), durable: true, exclusive: false, autoDelete: false, arguments: null, cancellationToken: cancellationToken).ConfigureAwait(false);
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments: TaskQueueArguments(queue), cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    public static string? GetString(IReadOnlyBasicProperties properties, string header) =>
        properties.Headers is { } headers && headers.TryGetValue(header, out var value)
            ? value switch
            {
                byte[] bytes => Encoding.UTF8.GetString(bytes),
                string text => text,
                null => null,
                _ => Convert.ToString(value, CultureInfo.InvariantCulture),
            }
            : null;

    public static long? GetInt64(IReadOnlyBasicProperties properties, string header) =>
        properties.Headers is { } headers && headers.TryGetValue(header, out var value)
            ? value switch
            {
                long l => l,
                int i => i,
                byte[] bytes when long.TryParse(Encoding.UTF8.GetString(bytes), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) => parsed,
                _ => null,
            }
            : null;

    public static bool GetBool(IReadOnlyBasicProperties properties, string header) =>
        properties.Headers is { } headers && headers.TryGetValue(header, out var value) && value is true;
}
