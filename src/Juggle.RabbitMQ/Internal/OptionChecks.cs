namespace Juggle.RabbitMQ.Internal;

/// <summary>Checks shared by the executor's and the worker's options; each names the option.</summary>
internal static class OptionChecks
{
    public static void QueueName(string? name, string option)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 200 || name.StartsWith("amq.", StringComparison.Ordinal))
        {
            throw new ArgumentException($"{option} must be a queue name of 1 to 200 characters not starting with 'amq.' (got '{name}').", option);
        }
    }

    public static void MessageSize(int size, string option)
    {
        if (size < 1024 || size > 128 << 20)
        {
            throw new ArgumentOutOfRangeException(option, size, $"{option} must be between 1 KiB and 128 MiB (the broker's own limit).");
        }
    }

    public static void Heartbeat(TimeSpan heartbeat, string option)
    {
        if (heartbeat < TimeSpan.FromSeconds(1) || heartbeat > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentOutOfRangeException(option, heartbeat, $"{option} must be between 1 s and 10 min.");
        }
    }

    public static void Positive(TimeSpan value, string option)
    {
        if (value <= TimeSpan.Zero || value > TimeSpan.FromHours(1))
        {
            throw new ArgumentOutOfRangeException(option, value, $"{option} must be positive and at most an hour.");
        }
    }
}
