using System.Diagnostics.CodeAnalysis;
using Juggle.RabbitMQ.Internal;

[assembly: UnconditionalSuppressMessage(
    "SingleFile",
    "IL3000",
    Scope = "member",
    Target = "M:Juggle.RabbitMQ.RabbitMqWorker.RunInProcess(System.Byte[],System.Int64,System.Threading.CancellationToken)~System.Byte[]",
    Justification = "An assembly compiled into a single-file or NativeAOT node has an empty path; its process-pool workers are that same binary and find it compiled in (ProcessTask).")]

namespace Juggle.RabbitMQ;

/// <summary>The trim and AOT contract of a worker node (see <see cref="ClusterTrimMessages"/>).</summary>
[RequiresUnreferencedCode(ClusterTrimMessages.Reflection)]
[RequiresDynamicCode(ClusterTrimMessages.DynamicCode)]
public sealed partial class RabbitMqWorker;
