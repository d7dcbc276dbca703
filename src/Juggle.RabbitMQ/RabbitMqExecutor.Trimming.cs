using System.Diagnostics.CodeAnalysis;
using Juggle.RabbitMQ.Internal;

namespace Juggle.RabbitMQ;

/// <summary>The trim and AOT contract of the cluster executor (see <see cref="ClusterTrimMessages"/>).</summary>
[RequiresUnreferencedCode(ClusterTrimMessages.Reflection)]
[RequiresDynamicCode(ClusterTrimMessages.DynamicCode)]
public sealed partial class RabbitMqExecutor;
