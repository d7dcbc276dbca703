using System.Reflection;
using Juggle.Remoting;

namespace Juggle;

/// <summary>Recreating a worker's exception in the parent.</summary>
public sealed partial class ProcessPoolExecutor
{
    /// <summary>The <see cref="Exception.Data"/> key holding the worker's stack trace on a recreated exception.</summary>
    public const string RemoteStackTraceKey = "Juggle.RemoteStackTrace";

    [System.Diagnostics.CodeAnalysis.RequiresUnreferencedCode(TrimMessages.Reflection)]
    [System.Diagnostics.CodeAnalysis.RequiresDynamicCode(TrimMessages.DynamicCode)]
    private static class RemoteErrors
    {
        /// <summary>The worker's exception recreated here, or a <see cref="RemoteException"/> (see <see cref="Internal.RemoteErrors"/>).</summary>
        public static Exception ToException(RemoteError error, Assembly functionAssembly) =>
            Internal.RemoteErrors.ToException(error, functionAssembly, "in the worker process");
    }
}
