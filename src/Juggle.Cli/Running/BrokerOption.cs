using System.CommandLine;
using System.CommandLine.Parsing;

namespace Juggle.Cli.Running;

/// <summary>
/// <c>--broker URI</c> for the CPU-bound commands' <c>--mode cluster</c>: checked at parse time (exit 2 naming the
/// option) — an amqp(s) URI, given only with <c>--mode cluster</c>, and <c>--mode cluster</c> only with a broker
/// (this option or <c>JUGGLE_BROKER</c>). The password never appears in a message.
/// </summary>
internal static class BrokerOption
{
    /// <summary>The environment variable the cluster executor reads when no URI is given.</summary>
    public const string Variable = "JUGGLE_BROKER";

    /// <summary>Adds <c>--broker</c> to <paramref name="command"/> and the rules tying it to <paramref name="mode"/>.</summary>
    public static Option<Uri?> AddTo(Command command, Option<RunMode?> mode)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(mode);
        var broker = new Option<Uri?>("--broker")
        {
            Description = $"With --mode cluster: the RabbitMQ broker, amqp://user:password@host:5672/vhost or amqps://… (default: the {Variable} environment variable; 'juggle cluster up' starts one)",
            HelpName = "URI",
        };
        broker.CustomParser = Parse;
        command.Options.Add(broker);
        command.Validators.Add(result =>
        {
            if (result.GetResult(mode) is { } modeResult && !OptionRules.IsValid<RunMode?>(modeResult))
            {
                return; // --mode's own error says what is wrong with it
            }

            var cluster = result.GetValue(mode) == RunMode.Cluster;
            var given = result.GetResult(broker) is not null;
            if (given && !cluster)
            {
                result.AddError("--broker is for --mode cluster: add --mode cluster to run the work on the broker's worker nodes, or leave --broker out.");
            }
            else if (cluster && !given && Problem(Environment.GetEnvironmentVariable(Variable)) is { } problem)
            {
                result.AddError(problem);
            }
        });
        return broker;
    }

    /// <summary>Why <c>--mode cluster</c> cannot use the environment's broker, or null when it can.</summary>
    internal static string? Problem(string? fromEnvironment)
    {
        if (string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return $"--mode cluster needs a broker: give --broker amqp://user:password@host:5672/ (or set {Variable}). 'juggle cluster up' starts one on this machine with worker nodes and prints its URI.";
        }

        return Uri.TryCreate(fromEnvironment.Trim(), UriKind.Absolute, out var uri) && IsAmqp(uri)
            ? null
            : $"the {Variable} environment variable is not an amqp:// or amqps:// URI: set it to one like amqp://user:password@host:5672/, or give --broker.";
    }

    private static Uri? Parse(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri))
        {
            result.AddError("--broker needs an absolute URI: give one like --broker amqp://user:password@host:5672/ (amqps:// for TLS).");
            return null;
        }

        if (!IsAmqp(uri))
        {
            result.AddError($"--broker: the scheme '{uri.Scheme}' is not amqp or amqps: give one like --broker amqp://user:password@host:5672/ (amqps:// for TLS).");
            return null;
        }

        return uri;
    }

    private static bool IsAmqp(Uri uri) => uri.Scheme is "amqp" or "amqps" && !string.IsNullOrEmpty(uri.Host);
}
