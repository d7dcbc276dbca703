using Microsoft.Extensions.Logging;

namespace Juggle.RabbitMQ.Internal;

/// <summary>What a worker node logs. Broker addresses are always redacted before they get here.</summary>
internal static partial class WorkerLog
{
    [LoggerMessage(1, LogLevel.Information, "Worker {Node} connected to {Broker}, queue {Queue}: {Concurrency} task(s) at once on {Mode}, {Functions} [JuggleFunction] method(s) in {Assemblies}")]
    public static partial void Started(ILogger logger, string node, string broker, string queue, int concurrency, string mode, int functions, string assemblies);

    [LoggerMessage(2, LogLevel.Error, "Worker {Node}: unexpected error handling a task; handing it back to the queue")]
    public static partial void Unexpected(ILogger logger, Exception exception, string node);

    [LoggerMessage(3, LogLevel.Warning, "Worker {Node} refused task {Task}: {Reason}")]
    public static partial void Refused(ILogger logger, string node, long task, string reason);

    /// <summary>The task's executor went away (its reply queue with it): the task is dropped <paramref name="when"/> ("before running it", "its answer").</summary>
    [LoggerMessage(4, LogLevel.Information, "Worker {Node} dropped task {Task} ({When}): its executor is gone")]
    public static partial void ClientGone(ILogger logger, string node, long task, string when);

    [LoggerMessage(5, LogLevel.Warning, "Worker {Node}: no answer to the claim of task {Task} within {Timeout}; handing it back")]
    public static partial void ClaimUnanswered(ILogger logger, string node, long task, TimeSpan timeout);

    [LoggerMessage(6, LogLevel.Debug, "Worker {Node} runs task {Task}: {Function}")]
    public static partial void Running(ILogger logger, string node, long task, string function);

    [LoggerMessage(8, LogLevel.Warning, "Worker {Node} could not send the answer of task {Task} ({Reason}); the broker will redeliver the task")]
    public static partial void AnswerFailed(ILogger logger, string node, long task, string reason);

    [LoggerMessage(9, LogLevel.Warning, "Worker {Node} rejected a message to the dead-letter queue {Queue}: {Reason}")]
    public static partial void Rejected(ILogger logger, string node, string queue, string reason);

    [LoggerMessage(10, LogLevel.Warning, "Worker {Node} lost its broker connection ({Reason}); reconnecting")]
    public static partial void ConnectionLost(ILogger logger, string node, string reason);

    [LoggerMessage(11, LogLevel.Information, "Worker {Node} reconnected to {Broker}")]
    public static partial void Reconnected(ILogger logger, string node, string broker);

    [LoggerMessage(12, LogLevel.Information, "Worker {Node}: task {Task} cancelled by its executor")]
    public static partial void Cancelled(ILogger logger, string node, string? task);

    [LoggerMessage(13, LogLevel.Information, "Worker {Node} stopping: no new tasks; running ones finish, waiting ones go back to the queue")]
    public static partial void Stopping(ILogger logger, string node);

    [LoggerMessage(14, LogLevel.Information, "Worker {Node} stopped after {Completed} task(s)")]
    public static partial void Stopped(ILogger logger, string node, long completed);
}
